"""Spoken numbers, as the recogniser writes them, become digits where a question needs them."""

import pytest

from retrieval.text.amounts import find_money, parse_count, parse_money
from retrieval.speech.numbers import mask_long_numbers, spoken_to_digits


@pytest.mark.parametrize(
    "heard, question",
    [
        # amounts, grouped as the documents and retrieval.text.amounts write them
        ("một triệu rưỡi", "1.500.000"),
        ("hai triệu hai", "2.200.000"),
        ("năm trăm nghìn", "500.000"),
        ("năm trăm ngàn", "500.000"),
        ("hai triệu năm trăm nghìn đồng", "2.500.000 đồng"),
        ("một triệu năm trăm nghìn", "1.500.000"),
        ("một phẩy năm triệu", "1.500.000"),
        ("mười lăm triệu", "15.000.000"),
        ("hai tỷ", "2.000.000.000"),
        ("một trăm năm mươi nghìn", "150.000"),
        # counts: a lone digit word only before a counting word
        ("bốn người", "4 người"),
        ("hộ có năm nhân khẩu", "hộ có 5 nhân khẩu"),
        ("ba hộ", "3 hộ"),
        ("năm năm", "5 năm"),
        ("mười năm", "10 năm"),  # after mười, five is "lăm": here "năm" is a year
        # numerals
        ("mười lăm", "15"),
        ("hai mươi mốt", "21"),
        ("ba mươi tư", "34"),
        ("một trăm linh năm", "105"),
        ("hai trăm hai", "220"),
        ("một nghìn hai", "1200"),
        ("kế hoạch hai mươi bốn", "kế hoạch 24"),
        # years stay plain, "năm" before them stays the word for year
        ("đến năm hai nghìn không trăm hai mươi lăm", "đến năm 2025"),
        ("năm hai nghìn", "năm 2000"),
        ("hai không hai lăm", "2025"),
        ("năm hai nghìn không trăm hai lăm", "năm 2025"),  # "hai lăm": 25 said short
        ("ba mốt người", "31 người"),
        # percentages and decimals
        ("giảm từ một phẩy năm đến hai phần trăm", "giảm từ 1,5 đến 2%"),
        ("dưới một phần trăm", "dưới 1%"),
        ("không phẩy một phần trăm", "0,1%"),
        # digit by digit
        ("số không chín tám bảy sáu năm bốn ba hai một", "số 0987654321"),
        # words that are not numbers here stay words
        ("ba mẹ tôi già yếu", "ba mẹ tôi già yếu"),
        ("một số giải pháp", "một số giải pháp"),
        ("không có khả năng lao động", "không có khả năng lao động"),
        ("miền nam", "miền nam"),
        ("bao lâu một lần", "bao lâu một lần"),
        ("sau khi học nghề", "sau khi học nghề"),
        ("nghị định bảy", "nghị định bảy"),
        ("", ""),
    ],
)
def test_spoken_numbers_become_digits(heard, question):
    assert spoken_to_digits(heard) == question


def test_a_whole_question_keeps_every_other_word_and_collapses_line_breaks():
    heard = "thu nhập một triệu rưỡi\nmột tháng ở nông thôn   có phải hộ nghèo không"
    assert spoken_to_digits(heard) == "thu nhập 1.500.000 một tháng ở nông thôn có phải hộ nghèo không"
    assert spoken_to_digits("Bốn Người") == "4 Người"


@pytest.mark.parametrize(
    "spoken, typed",
    [("một triệu rưỡi", "1 triệu rưỡi"), ("hai triệu hai", "2 triệu 2"), ("năm trăm nghìn", "500 nghìn"), ("một phẩy năm triệu", "1,5 triệu")],
)
def test_spoken_amounts_read_like_typed_ones(spoken, typed):
    """retrieval.text.amounts reads the digits the same as what a citizen would type."""
    assert parse_money(spoken_to_digits(spoken)) == parse_money(typed)


def test_the_eligibility_hint_finds_a_spoken_amount_and_count():
    question = spoken_to_digits("nhà tôi bốn người thu nhập hai triệu hai một tháng có phải hộ nghèo không")
    assert find_money(question).amount == 2_200_000
    assert parse_count(spoken_to_digits("bốn người")) == 4


@pytest.mark.parametrize(
    "text, kept",
    [
        ("số điện thoại 0987654321 của tôi", "số điện thoại *** của tôi"),
        ("căn cước 001203004567", "căn cước ***"),
        ("thu nhập 1.500.000 đồng năm 2025", "thu nhập 1.500.000 đồng năm 2025"),
        ("2.000.000.000", "2.000.000.000"),
        ("mã 12345678", "mã 12345678"),
    ],
)
def test_long_numbers_are_hidden_before_a_question_is_kept(text, kept):
    assert mask_long_numbers(text) == kept
