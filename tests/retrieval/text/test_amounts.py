"""Amounts and head counts as citizens type them (the bot's /kiemtra, questions in free text)."""

from fractions import Fraction

import pytest

from retrieval.text.amounts import AmountError, find_money, format_money, parse_count, parse_money


@pytest.mark.parametrize(
    "text, amount",
    [
        ("1500000", 1_500_000),
        ("1.500.000", 1_500_000),
        ("1,500,000", 1_500_000),
        ("1 500 000", 1_500_000),
        ("1.500.000 đồng", 1_500_000),
        ("1.500.000đ", 1_500_000),
        ("2.250.000 VND", 2_250_000),
        ("1,5 triệu", 1_500_000),
        ("1.5 triệu", 1_500_000),
        ("1,5 trieu", 1_500_000),
        ("2tr", 2_000_000),
        ("2 tr", 2_000_000),
        ("1.5tr", 1_500_000),
        ("1tr5", 1_500_000),
        ("1tr25", 1_250_000),
        ("1tr500", 1_500_000),
        ("1 triệu 5", 1_500_000),
        ("1 triệu 500 nghìn", 1_500_000),
        ("1 trieu 200 ngan", 1_200_000),
        ("1 triệu rưỡi", 1_500_000),
        ("800k", 800_000),
        ("800 nghìn", 800_000),
        ("1.500 nghìn", 1_500_000),
        ("khoảng 6 triệu một tháng", 6_000_000),
        ("6 triệu/tháng", 6_000_000),
        ("Thu nhập cả hộ: 6 triệu đồng", 6_000_000),
        ("0", 0),
        ("0 đồng", 0),
    ],
)
def test_parse_money(text, amount):
    assert parse_money(text) == amount


@pytest.mark.parametrize(
    "text, message",
    [
        ("-5 triệu", "không thể là số âm"),
        ("- 1500000", "không thể là số âm"),
        ("âm 5 triệu", "không thể là số âm"),
        ("nhiều lắm", "chưa hiểu số tiền"),
        ("", "chưa hiểu số tiền"),
        ("1,5", "Nếu ý bạn là 1,5 triệu đồng"),  # no unit and tiny: ask, do not guess
        ("2000000 triệu", "quá lớn"),
    ],
)
def test_parse_money_refuses_with_a_hint(text, message):
    with pytest.raises(AmountError, match=message):
        parse_money(text)


@pytest.mark.parametrize(
    "text, amount, per_year",
    [
        ("thu nhập 1 triệu một tháng ở nông thôn có phải hộ nghèo không", 1_000_000, False),
        ("thu nhap 1tr5 1 thang", 1_500_000, False),
        ("nhà 4 người thu nhập 1.200.000 đồng/người", 1_200_000, False),
        ("thu nhập 20 triệu một năm có thuộc hộ nghèo không", 20_000_000, True),
        ("thu nhap 900k", 900_000, False),
        ("lương 1500000 có được hỗ trợ không", 1_500_000, False),
    ],
)
def test_find_money_in_a_sentence(text, amount, per_year):
    found = find_money(text)
    assert found is not None and (found.amount, found.per_year) == (amount, per_year)


@pytest.mark.parametrize("text", ["hộ 3 người năm 2025", "Chỉ thị 19-CT/TU ngày 29/11/2021", "giảm 1,5-2% hộ nghèo mỗi năm", "hộ nghèo được vay vốn ở đâu"])
def test_find_money_ignores_numbers_that_are_not_money(text):
    assert find_money(text) is None


def test_a_yearly_amount_is_divided_by_twelve():
    assert find_money("thu nhập 18 triệu mỗi năm").monthly == 1_500_000


@pytest.mark.parametrize("text, count", [("4", 4), ("4 người", 4), ("  12 ", 12), ("bốn", 4), ("bon nguoi", 4), ("1", 1), ("100", 100)])
def test_parse_count(text, count):
    assert parse_count(text) == count


@pytest.mark.parametrize("text, message", [("0", "từ 1 trở lên"), ("-2", "từ 1 trở lên"), ("101", "tối đa là 100"), ("nhiều", "bằng chữ số"), ("2,5", "bằng chữ số")])
def test_parse_count_refuses(text, message):
    with pytest.raises(AmountError, match=message):
        parse_count(text)


@pytest.mark.parametrize(
    "value, shown",
    [(0, "0"), (1_500_000, "1.500.000"), (Fraction(4_500_001, 3), "1.500.000,33"), (Fraction(2_999_999, 2), "1.499.999,50"), (1_000_000_000, "1.000.000.000")],
)
def test_format_money(value, shown):
    assert format_money(value) == shown
