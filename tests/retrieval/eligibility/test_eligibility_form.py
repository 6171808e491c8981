"""The self-check as one form every face drives: its steps on a given day (the coming
standard's extra questions inside the notice window, provisional wording marked) and the
reading of typed answers, table-driven."""

from datetime import date

import pytest

from retrieval import CheckForm, EligibilityInputError, load_standards
from retrieval.contract import ReadingOut

STANDARDS = load_standards()


def form(on: date, notice_days: int = 60) -> CheckForm:
    return CheckForm.build(STANDARDS, on, notice_days)


def test_the_steps_of_an_ordinary_day():
    f = form(date(2026, 6, 1))
    assert f.period.id == "2026" and f.coming is None
    assert f.step_ids[:3] == ("area", "members", "income")
    assert f.step_ids[3:] == tuple(i.id for i in f.period.indicators)
    assert [s.kind for s in f.steps[:3]] == ["choice", "count", "money"]
    assert all(s.kind == "yes_no" and [c.label for c in s.choices] == ["Có", "Không"] for s in f.steps[3:])
    assert [c.value for c in f.steps[0].choices] == ["rural", "urban"]
    assert all(s.provisional is None and s.for_period is None for s in f.steps)
    assert "Tôi hỏi 15 câu" in f.intro and "“Có” nghĩa là hộ thiếu hụt" in f.intro


@pytest.mark.parametrize("on", [date(2026, 11, 2), date(2026, 12, 31)])
def test_inside_the_notice_window_the_coming_standards_extra_questions_are_asked(on):
    f = form(on)
    assert f.coming.id == "2027-2030"
    extra = [s for s in f.steps if s.for_period]
    assert [s.id for s in extra] == ["digital_services", "waste"]
    assert all(s.for_period == "Chuẩn nghèo đa chiều giai đoạn 2027–2030" and s.provisional == "theo dự thảo, chờ văn bản chính thức" for s in extra)
    assert "Câu hỏi thêm cho Chuẩn nghèo đa chiều giai đoạn 2027–2030 (từ 01/01/2027)" in extra[0].hint
    assert "Từ 01/01/2027 áp dụng Chuẩn nghèo đa chiều giai đoạn 2027–2030 (Nghị định 351/2025/NĐ-CP)" in f.intro
    assert len(f.steps) == 17
    assert form(on, notice_days=0).coming is None


def test_after_the_change_every_question_says_it_is_provisional():
    f = form(date(2027, 1, 1))
    assert f.period.id == "2027-2030" and f.coming is None
    assert all(s.provisional == "theo dự thảo, chờ văn bản chính thức" for s in f.steps if s.kind == "yes_no")
    assert all(s.for_period is None for s in f.steps)


@pytest.mark.parametrize(
    "step, typed, value, display",
    [
        ("income", "6 triệu", 6_000_000, "6.000.000 đồng/tháng"),
        ("income", "1 triệu rưỡi", 1_500_000, "1.500.000 đồng/tháng"),
        ("income", "1 triệu 500 nghìn", 1_500_000, "1.500.000 đồng/tháng"),
        ("income", "6 triệu đồng/tháng", 6_000_000, "6.000.000 đồng/tháng"),
        ("income", "1tr5", 1_500_000, "1.500.000 đồng/tháng"),
        ("income", "1.500.000", 1_500_000, "1.500.000 đồng/tháng"),
        ("income", "0", 0, "0 đồng/tháng"),
        ("members", "4", 4, "4 người"),
        ("members", "4 người", 4, "4 người"),
        ("members", "bốn", 4, "4 người"),
        ("area", "nông thôn", "rural", "Nông thôn"),
        ("area", "thanh thi", "urban", "Thành thị"),
        ("area", "rural", "rural", "Nông thôn"),
        ("water", "có", True, "Có"),
        ("water", "co a", True, "Có"),
        ("water", "không", False, "Không"),
        ("water", "ko", False, "Không"),
        ("water", "yes", True, "Có"),
    ],
)
def test_typed_answers_are_read_as_people_type_them(step, typed, value, display):
    reading = form(date(2026, 6, 1)).read(step, typed)
    assert (reading.step, reading.value, reading.display) == (step, value, display)
    assert ReadingOut.from_domain(reading).to_json() == {"step": step, "understood": True, "value": value, "display": display, "message": None}


@pytest.mark.parametrize(
    "step, typed, message",
    [
        ("income", "nhiều lắm", "số tiền"),
        ("income", "", "số tiền"),
        ("members", "0", "từ 1"),
        ("members", "mấy người", "chữ số"),
        ("area", "miền núi", "nông thôn"),
        ("water", "có lẽ vậy", None),  # "có" first: read as yes
        ("water", "tùy", "Có"),
        ("pets", "có", "không có câu “pets”"),
    ],
)
def test_answers_that_cannot_be_read_say_what_to_type(step, typed, message):
    f = form(date(2026, 6, 1))
    if message is None:
        assert f.read(step, typed).value is True
        return
    with pytest.raises(EligibilityInputError) as caught:
        f.read(step, typed)
    assert message.casefold() in str(caught.value).casefold()
