"""Free-text eligibility questions: recognised with or without diacritics, and explained with
the income lines of the standard in force, its legal basis and a pointer to the check."""

from datetime import date

import pytest

from retrieval import load_standards
from retrieval.eligibility.hint import eligibility_hint, is_eligibility_question

PERIOD = load_standards().period_on(date(2024, 6, 1))


@pytest.mark.parametrize(
    "question",
    [
        "thu nhập 1 triệu một tháng ở nông thôn có phải hộ nghèo không",
        "thu nhap 1 trieu mot thang o nong thon co phai ho ngheo khong",
        "Nhà tôi 4 người, thu nhập 6 triệu/tháng, có được công nhận hộ cận nghèo không?",
        "thu nhap 1tr2 moi nguoi co du dieu kien ho can ngheo",
        "lương 1.800.000 đồng ở thành phố thì có thuộc hộ nghèo không?",
        "thu nhập bao nhiêu thì là hộ nghèo?",
        "thu nhap duoi bao nhieu duoc xet ho can ngheo",
    ],
)
def test_eligibility_questions_are_recognised(question):
    assert is_eligibility_question(question)


@pytest.mark.parametrize(
    "question",
    [
        "Hộ nghèo được vay vốn ở đâu?",
        "Mục tiêu giảm tỷ lệ hộ nghèo đa chiều theo chuẩn mới mỗi năm là bao nhiêu?",
        "Tỷ lệ hộ nghèo của tỉnh giảm từ bao nhiêu xuống còn bao nhiêu trong giai đoạn 2016 - 2020?",
        "Giảm từ 0,1% đến 0,13% hộ nghèo có phải mục tiêu của Bảo Lộc không?",
        "thu nhập 5 triệu có phải đóng thuế không",  # an amount, but not about poverty
        "hộ nghèo được hỗ trợ 200 con giống cá tầm không",  # about poverty, no income figure
    ],
)
def test_other_questions_are_not(question):
    assert not is_eligibility_question(question)


def test_the_hint_explains_the_lines_with_the_legal_basis_and_points_to_the_check():
    text = eligibility_hint("thu nhập bao nhiêu thì là hộ nghèo?", PERIOD)
    assert "Chuẩn nghèo đa chiều giai đoạn 2022–2025 (Điều 3 Nghị định 07/2021/NĐ-CP ngày 27/01/2021 của Chính phủ)" in text
    assert "1.500.000 đồng/người/tháng ở nông thôn, 2.000.000 đồng/người/tháng ở thành thị" in text
    assert "thiếu hụt từ 3 trong 12 chỉ số" in text and "dưới 3 chỉ số" in text
    assert "/kiemtra" in text and "Kiểm tra hộ nghèo" in text
    assert PERIOD.notice in text
    assert "Nếu" not in text  # no figure asked about: no comparison


@pytest.mark.parametrize(
    "question, expected",
    [
        ("thu nhập 1 triệu một tháng ở nông thôn có phải hộ nghèo không",
         "Nếu 1.000.000 đồng/tháng là thu nhập bình quân mỗi người thì ở nông thôn, mức này không cao hơn chuẩn 1.500.000 đồng — "
         "hộ có thể là hộ nghèo hoặc hộ cận nghèo, tùy số chỉ số thiếu hụt. Nếu đó là thu nhập của cả hộ, hãy chia cho số người"),
        ("thu nhap 2tr5 moi nguoi o thanh pho co duoc ho can ngheo khong",
         "Với thu nhập bình quân 2.500.000 đồng/tháng mỗi người: ở thành thị, mức này cao hơn chuẩn 2.000.000 đồng — hộ không thuộc diện hộ nghèo hay hộ cận nghèo."),
        ("thu nhập 1,8 triệu có phải hộ nghèo không",
         "ở nông thôn, mức này cao hơn chuẩn 1.500.000 đồng; ở thành thị, mức này không cao hơn chuẩn 2.000.000 đồng."),
        ("thu nhập 18 triệu một năm có thuộc hộ cận nghèo không",
         "Nếu 18.000.000 đồng/năm (khoảng 1.500.000 đồng/tháng) là thu nhập bình quân mỗi người thì ở nông thôn, mức này không cao hơn"),
    ],
)
def test_a_figure_in_the_question_is_compared_with_the_lines(question, expected):
    assert expected in eligibility_hint(question, PERIOD)


STANDARDS = load_standards()


@pytest.mark.parametrize(
    "question",
    ["năm sau chuẩn nghèo là bao nhiêu", "chuan ngheo moi la bao nhieu vay ad", "ho ngheo o thanh thi thu nhap bao nhieu"],
)
def test_questions_about_the_standard_itself_are_recognised(question):
    assert is_eligibility_question(question)


def test_the_hint_names_the_coming_standard_and_compares_the_figure_with_both():
    period = STANDARDS.period_on(date(2026, 12, 1))
    text = eligibility_hint("thu nhap 2 trieu moi nguoi o nong thon co phai ho ngheo khong", period, STANDARDS.next_after(period))
    assert "Chuẩn nghèo đa chiều năm 2026 (Nghị định 351/2025/NĐ-CP ngày 30/12/2025 của Chính phủ, giữ nguyên Điều 3 Nghị định 07/2021/NĐ-CP" in text
    assert "1.500.000 đồng/người/tháng ở nông thôn" in text  # the line in force
    assert "Từ 01/01/2027, theo Nghị định 351/2025/NĐ-CP (Chuẩn nghèo đa chiều giai đoạn 2027–2030): chuẩn nghèo về thu nhập 2.200.000" in text
    assert "2.800.000 đồng/người/tháng ở thành thị (khu vực đô thị)" in text
    assert ("Với thu nhập bình quân 2.000.000 đồng/tháng mỗi người: ở nông thôn, mức này cao hơn chuẩn 1.500.000 đồng — hộ không thuộc diện "
            "hộ nghèo hay hộ cận nghèo. Từ 01/01/2027: ở nông thôn, mức này không cao hơn chuẩn 2.200.000 đồng — hộ có thể là hộ nghèo") in text
    assert "Chưa chính thức — Mức sống trung bình" in text  # what 351/2025's sources leave open is said to be open


def test_after_the_change_the_hint_answers_from_the_new_standard():
    period = STANDARDS.period_on(date(2027, 3, 1))
    text = eligibility_hint("ho ngheo o thanh thi thu nhap bao nhieu", period, STANDARDS.next_after(period))
    assert "2.200.000 đồng/người/tháng ở nông thôn, 2.800.000 đồng/người/tháng ở thành thị" in text
    assert "1.500.000" not in text and "Từ 01/" not in text  # nothing newer is coming
    assert "Chưa chính thức — Các chỉ số thiếu hụt" in text
