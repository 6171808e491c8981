"""The eligibility rule, table-driven over its boundaries: exactly at the line, one đồng
above, 2 vs 3 deprivations, rural vs urban, the division by household size, under each period
(2022–2025, 2026, 2027–2030) and on each boundary date; the coming change within the notice
window; and invalid input refused with a clear message."""

import json
from datetime import date

import pytest

from retrieval import CheckForm, Classification, EligibilityInputError, Household, NoStandardError, load_standards
from retrieval.eligibility.rule import assess, check, check_on

STANDARDS = load_standards()
PERIOD = STANDARDS.period_on(date(2024, 6, 1))
PERIOD_2026 = STANDARDS.period_on(date(2026, 6, 1))
PERIOD_2027 = STANDARDS.period_on(date(2027, 6, 1))
IDS = [i.id for i in PERIOD.indicators]
POOR, NEAR, AVERAGE, ABOVE = Classification.POOR, Classification.NEAR_POOR, Classification.AVERAGE_LIVING, Classification.ABOVE_AVERAGE_LIVING
NOT_POOR = Classification.NOT_POOR


def answers(deprived: int | set[str] = 0, period=PERIOD) -> dict[str, bool]:
    """Answers that make exactly these indicators (or the first n) deprived: "Có" is deprived."""
    ids = [i.id for i in period.indicators]
    chosen = set(ids[:deprived]) if isinstance(deprived, int) else deprived
    return {i: i in chosen for i in ids}


def every_answer(deprived: int) -> dict[str, bool]:
    """Answers to the questions of 2026 and 2027–2030 together, the first n of each deprived."""
    return {**answers(deprived, PERIOD_2027), **answers(deprived, PERIOD_2026)}


def form_answers(on: date, deprived: int) -> dict[str, bool]:
    """Answers to every question the check asks on that day (the coming standard's included)."""
    ids = [s.id for s in CheckForm.build(STANDARDS, on).steps if s.kind == "yes_no"]
    return {i: i in ids[:deprived] for i in ids}


@pytest.mark.parametrize(
    "area, members, income, deprived, expected",
    [
        # exactly at the line counts as at or below it; one đồng above does not
        ("rural", 1, 1_500_000, 3, POOR),
        ("rural", 1, 1_500_000, 2, NEAR),
        ("rural", 1, 1_500_001, 3, AVERAGE),
        ("rural", 1, 1_500_001, 12, AVERAGE),  # above the line, deprivations no longer matter
        # 2 vs 3 deprivations below the line
        ("rural", 1, 1_000_000, 2, NEAR),
        ("rural", 1, 1_000_000, 3, POOR),
        ("rural", 1, 0, 0, NEAR),
        ("rural", 1, 0, 12, POOR),
        # urban has its own line: the same income is under it
        ("urban", 1, 1_500_001, 3, POOR),
        ("urban", 1, 2_000_000, 3, POOR),
        ("urban", 1, 2_000_000, 2, NEAR),
        ("urban", 1, 2_000_001, 3, AVERAGE),
        # the average-living upper bound is inclusive too
        ("rural", 1, 2_250_000, 0, AVERAGE),
        ("rural", 1, 2_250_001, 0, ABOVE),
        ("urban", 1, 3_000_000, 5, AVERAGE),
        ("urban", 1, 3_000_001, 5, ABOVE),
        # income is divided by the household size, exactly (no rounding)
        ("rural", 3, 4_500_000, 3, POOR),  # 1.500.000 per person: at the line
        ("rural", 3, 4_500_001, 3, AVERAGE),  # 1.500.000,33 per person: above it
        ("rural", 4, 5_999_999, 2, NEAR),
        ("rural", 4, 6_000_004, 2, AVERAGE),
        ("urban", 5, 10_000_000, 4, POOR),
        ("urban", 5, 15_000_000, 4, AVERAGE),
        ("urban", 5, 15_000_005, 4, ABOVE),
        ("rural", 7, 9_000_000, 1, NEAR),  # 9 triệu for 7 people is poor-line income, though a big sum
        ("rural", 2, 9_000_000, 1, ABOVE),
    ],
)
def test_classification_at_the_boundaries(area, members, income, deprived, expected):
    result = check(Household(area, members, income, answers(deprived)), PERIOD)
    assert result.classification is expected
    assert len(result.deprived) == (deprived if isinstance(deprived, int) else len(deprived))


@pytest.mark.parametrize(
    "area, members, income, deprived, expected",
    [
        # 2027–2030 (Nghị định 351/2025/NĐ-CP): 2.200.000 rural, 2.800.000 urban, at or below
        ("rural", 1, 2_200_000, 3, POOR),
        ("rural", 1, 2_200_000, 2, NEAR),
        ("rural", 1, 2_200_001, 3, NOT_POOR),  # one đồng above: no average-living band to fall into
        ("rural", 1, 9_000_000, 0, NOT_POOR),
        ("urban", 1, 2_800_000, 3, POOR),
        ("urban", 1, 2_800_000, 2, NEAR),
        ("urban", 1, 2_800_001, 3, NOT_POOR),
        ("urban", 1, 2_200_001, 3, POOR),  # above the rural line, under the urban one
        ("rural", 4, 8_800_000, 3, POOR),  # the household: 2.200.000 per person
        ("rural", 4, 8_800_004, 3, NOT_POOR),  # 2.200.001 per person
        ("rural", 3, 6_600_001, 1, NOT_POOR),  # 2.200.000,33 per person: above, exactly
    ],
)
def test_classification_under_the_2027_2030_standard(area, members, income, deprived, expected):
    result = check(Household(area, members, income, answers(deprived, PERIOD_2027)), PERIOD_2027)
    assert result.classification is expected
    assert result.average_living_upper is None
    if expected is NOT_POOR:
        assert "mức sống trung bình" not in result.label and "mức sống trung bình" not in " ".join(result.reasoning)
        assert result.label == "Không thuộc diện hộ nghèo, hộ cận nghèo theo chuẩn thu nhập"
        assert f"theo chuẩn thu nhập {'2.200.000' if area == 'rural' else '2.800.000'} đồng/người/tháng" in result.reasoning[-1]


def test_a_2027_result_says_what_is_provisional():
    result = check(Household("rural", 4, 8_800_000, answers(3, PERIOD_2027)), PERIOD_2027)
    assert len(result.provisional) == 2 and any("Mức sống trung bình" in n for n in result.provisional)
    data = result.to_dict()
    assert data["provisional"] == list(result.provisional) and data["average_living_upper"] is None
    assert data["basis"] == "Nghị định 351/2025/NĐ-CP ngày 30/12/2025 của Chính phủ"
    assert check(Household("rural", 1, 0, answers(0)), PERIOD).provisional == ()


def test_yes_means_deprived_for_every_question():
    none = answers(0)
    assert not any(none.values())
    result = check(Household("rural", 1, 1_000_000, {**none, "water": True, "health_insurance": True, "latrine": True}), PERIOD)
    assert [i.id for i in result.deprived] == ["health_insurance", "water", "latrine"]
    assert result.classification is POOR


def test_the_reasoning_says_the_numbers_and_the_basis():
    result = check(Household("rural", 4, 5_800_000, answers({"health_insurance", "latrine"})), PERIOD)
    assert result.classification is NEAR
    assert result.reasoning == (
        "Thu nhập bình quân: 5.800.000 đồng ÷ 4 người = 1.450.000 đồng/người/tháng.",
        "Mức này không cao hơn chuẩn nghèo về thu nhập ở nông thôn (1.500.000 đồng/người/tháng).",
        "Hộ thiếu hụt 2/12 chỉ số dịch vụ xã hội cơ bản: Bảo hiểm y tế; Nhà tiêu hợp vệ sinh.",
        "Thu nhập không cao hơn chuẩn nghèo và thiếu hụt dưới 3 chỉ số, nên theo Chuẩn nghèo đa chiều giai đoạn 2022–2025 "
        "(Nghị định 07/2021/NĐ-CP), hộ thuộc diện hộ cận nghèo.",
    )
    above = check(Household("urban", 1, 2_000_001, answers(0)), PERIOD)
    assert above.reasoning[0] == "Thu nhập bình quân: 2.000.001 đồng/người/tháng (hộ 1 người)."
    assert "cao hơn chuẩn nghèo về thu nhập ở thành thị (2.000.000 đồng/người/tháng) nhưng không cao hơn 3.000.000 đồng" in above.reasoning[1]
    assert above.reasoning[2] == "Hộ không thiếu hụt chỉ số nào trong 12 chỉ số dịch vụ xã hội cơ bản."
    just_above = check(Household("rural", 3, 4_500_001, answers(3)), PERIOD)
    assert "= 1.500.000,33 đồng/người/tháng" in just_above.reasoning[0]  # never shown equal to the line


def test_every_result_carries_the_notice_and_the_legal_basis():
    for deprived, income in ((0, 0), (3, 0), (0, 2_000_000), (0, 9_000_000)):
        result = check(Household("rural", 1, income, answers(deprived)), PERIOD)
        data = result.to_dict()
        assert "rà soát hằng năm" in data["notice"] and "Ủy ban nhân dân xã, phường" in data["notice"]
        assert data["legal_basis"]["code"] == "07/2021/NĐ-CP" and data["basis"] == "Điều 3 Nghị định 07/2021/NĐ-CP ngày 27/01/2021 của Chính phủ"
        assert data["period"] == {"id": "2022-2025", "name": "Chuẩn nghèo đa chiều giai đoạn 2022–2025"}
        assert data["label"] == result.classification.label


def test_result_json():
    result = check(Household("urban", 3, 4_500_001, answers({"telecom"})), PERIOD, checked_on=date(2024, 6, 1))
    data = result.to_dict()
    assert (data["classification"], data["label"]) == ("near_poor", "Hộ cận nghèo")  # under the urban line, 1 deprivation
    assert data["per_person_income"] == 1_500_000.33 and data["income_line"] == 2_000_000 and data["average_living_upper"] == 3_000_000
    assert data["deprived"] == [{"id": "telecom", "name": "Sử dụng dịch vụ viễn thông", "service": "Thông tin",
                                 "definition": PERIOD.indicator("telecom").definition}]
    assert (data["deprivation_count"], data["indicator_count"], data["poor_min_deprivations"]) == (1, 12, 3)
    assert data["checked_on"] == "2024-06-01" and (data["area"], data["members"], data["monthly_income"]) == ("urban", 3, 4_500_001)
    assert json.loads(json.dumps(data)) == data


def test_check_is_pure():
    given = answers(3)
    household = Household("rural", 2, 2_000_000, given)
    first, second = check(household, PERIOD), check(household, PERIOD)
    assert first == second
    assert given == answers(3)  # the answers are not touched


@pytest.mark.parametrize(
    "household, message",
    [
        (Household("rural", 3, -1, answers()), "không thể là số âm"),
        (Household("rural", 0, 1_000_000, answers()), "Số người trong hộ phải là số nguyên từ 1 trở lên"),
        (Household("rural", -2, 1_000_000, answers()), "Số người trong hộ phải là số nguyên từ 1 trở lên"),
        (Household("rural", True, 1_000_000, answers()), "Số người trong hộ phải là số nguyên"),
        (Household("rural", 2.5, 1_000_000, answers()), "Số người trong hộ phải là số nguyên"),
        (Household("rural", 101, 1_000_000, answers()), "tối đa là 100"),
        (Household("rural", 3, 1_500_000.5, answers()), "phải là số nguyên"),
        (Household("rural", 3, 10**13, answers()), "tối đa là 1.000.000.000.000"),
        (Household("mountain", 3, 1_000_000, answers()), "Khu vực phải là “rural” (nông thôn) hoặc “urban” (thành thị)"),
        (Household("rural", 3, 1_000_000, {}), "Còn thiếu câu trả lời cho 12/12 câu hỏi: Việc làm; Người phụ thuộc"),
        (Household("rural", 3, 1_000_000, {k: v for k, v in answers().items() if k != "latrine"}), "Còn thiếu câu trả lời cho 1/12 câu hỏi: Nhà tiêu hợp vệ sinh."),
        (Household("rural", 3, 1_000_000, {**answers(), "pets": True}), "Không có câu hỏi mã “pets”"),
        (Household("rural", 3, 1_000_000, {**answers(), "water": "có"}), "Câu trả lời cho “Nguồn nước sinh hoạt” phải là có (true) hoặc không (false)"),
        (Household("rural", 3, 1_000_000, {**answers(), "water": 1}), "phải là có (true) hoặc không (false)"),
    ],
)
def test_invalid_input_gets_a_clear_error(household, message):
    with pytest.raises(EligibilityInputError) as caught:
        check(household, PERIOD)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "on, period_id, expected, basis",
    [
        # the household: rural, 4 people, 8.800.000 a month (2.200.000 each), 3 deprived
        (date(2025, 12, 31), "2022-2025", AVERAGE, "Nghị định 07/2021/NĐ-CP"),
        (date(2026, 1, 1), "2026", AVERAGE, "Nghị định 351/2025/NĐ-CP, giữ nguyên Điều 3 Nghị định 07/2021/NĐ-CP"),
        (date(2026, 12, 31), "2026", AVERAGE, "Nghị định 351/2025/NĐ-CP, giữ nguyên Điều 3 Nghị định 07/2021/NĐ-CP"),
        (date(2027, 1, 1), "2027-2030", POOR, "Nghị định 351/2025/NĐ-CP"),
        (date(2027, 3, 1), "2027-2030", POOR, "Nghị định 351/2025/NĐ-CP"),
    ],
)
def test_the_standard_in_force_on_each_boundary_day(on, period_id, expected, basis):
    result = check_on(on, Household("rural", 4, 8_800_000, form_answers(on, 3)))
    assert (result.period.id, result.classification, result.checked_on) == (period_id, expected, on)
    assert f"({basis})" in result.reasoning[-1]


@pytest.mark.parametrize(
    "on, coming",
    [
        (date(2026, 11, 1), False),  # 61 days before 1 January 2027
        (date(2026, 11, 2), True),  # the window's first day
        (date(2026, 12, 31), True),  # its last day
        (date(2027, 1, 1), False),
    ],
)
def test_the_coming_change_within_the_notice_window(on, coming):
    result = assess(Household("rural", 4, 8_800_000, form_answers(on, 3)), STANDARDS, on, notice_days=60)
    assert (result.coming is not None) is coming
    if coming:
        assert (result.period.id, result.classification) == ("2026", AVERAGE)
        assert result.coming.result.classification is POOR and result.coming.result.period.id == "2027-2030"
        assert result.coming.headline == "Từ 01/01/2027, theo Nghị định 351/2025/NĐ-CP: Hộ nghèo"
        assert result.coming.result.checked_on == date(2027, 1, 1)
        data = result.to_dict()["coming"]
        assert (data["starts_on"], data["result"]["classification"], data["missing"]) == ("2027-01-01", "poor", [])
    today_only = answers(3, STANDARDS.period_on(on))
    assert assess(Household("rural", 4, 8_800_000, today_only), STANDARDS, on, notice_days=0).coming is None


def test_the_coming_result_needs_the_new_standards_extra_answers():
    # only today's questions answered (a client that knows nothing of the coming standard)
    result = assess(Household("rural", 4, 8_800_000, answers(3, PERIOD_2026)), STANDARDS, date(2026, 12, 15))
    assert result.classification is AVERAGE and result.coming.result is None
    assert [i.id for i in result.coming.missing] == ["digital_services", "waste"]
    assert result.coming.headline.startswith("Từ 01/01/2027, theo Nghị định 351/2025/NĐ-CP: cần trả lời thêm 2 câu")
    # answers to the coming standard's questions are not "unknown" inside the window…
    assert assess(Household("rural", 4, 8_800_000, every_answer(3)), STANDARDS, date(2026, 12, 15)).coming.result is not None
    # …but they are outside it
    with pytest.raises(EligibilityInputError, match="Không có câu hỏi mã “digital_services”, “waste”"):
        assess(Household("rural", 4, 8_800_000, every_answer(3)), STANDARDS, date(2026, 6, 1))


def test_no_standard_before_2022():
    with pytest.raises(NoStandardError, match="31/12/2021"):
        check_on(date(2021, 12, 31), Household("rural", 2, 3_600_000, answers(3)))
