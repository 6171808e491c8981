"""The eligibility rule, table-driven over its boundaries: exactly at the line, one đồng
above, 2 vs 3 deprivations, rural vs urban, the division by household size, the period in
force on a boundary date; and invalid input refused with a clear message."""

import copy
import json
from datetime import date

import pytest

from retrieval import Classification, EligibilityInputError, Household, NoStandardError, load_standards
from retrieval.eligibility import check, check_on
from retrieval.standards import BUNDLED_STANDARDS

STANDARDS = load_standards()
PERIOD = STANDARDS.period_on(date(2024, 6, 1))
IDS = [i.id for i in PERIOD.indicators]
POOR, NEAR, AVERAGE, ABOVE = Classification.POOR, Classification.NEAR_POOR, Classification.AVERAGE_LIVING, Classification.ABOVE_AVERAGE_LIVING


def answers(deprived: int | set[str] = 0) -> dict[str, bool]:
    """Answers that make exactly these indicators (or the first n) deprived."""
    chosen = set(IDS[:deprived]) if isinstance(deprived, int) else deprived
    return {i.id: (i.deprived_when == "yes") == (i.id in chosen) for i in PERIOD.indicators}


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


def test_which_answer_means_deprived_follows_the_data_file():
    # "Do you use clean water?" — "no" is the deprivation; "does anyone lack health insurance?" — "yes" is
    water, insurance = PERIOD.indicator("water"), PERIOD.indicator("health_insurance")
    assert (water.deprived_when, insurance.deprived_when) == ("no", "yes")
    none = answers(0)
    assert none["water"] is True and none["health_insurance"] is False
    result = check(Household("rural", 1, 1_000_000, {**none, "water": False, "health_insurance": True, "latrine": False}), PERIOD)
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
        assert data["legal_basis"]["code"] == "07/2021/NĐ-CP"
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


def test_check_on_uses_the_period_in_force_that_day(tmp_path):
    # a made-up next standard from 2026-07-01 with a higher rural line
    data = json.loads(BUNDLED_STANDARDS.read_text(encoding="utf-8"))
    later = copy.deepcopy(data["periods"][0])
    later.update({"id": "2026-2030", "name": "Chuẩn thử nghiệm 2026–2030", "effective_from": "2026-07-01",
                  "income_lines": {"rural": 2_000_000, "urban": 2_600_000}, "average_living_upper": {"rural": 3_000_000, "urban": 3_900_000}})
    data["periods"].append(later)
    path = tmp_path / "standards.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    standards = load_standards(path)
    household = Household("rural", 2, 3_600_000, answers(3))  # 1.800.000 per person
    before = check_on(date(2026, 6, 30), household, standards)
    on = check_on(date(2026, 7, 1), household, standards)
    assert (before.period.id, before.classification) == ("2022-2025", AVERAGE)
    assert (on.period.id, on.classification) == ("2026-2030", POOR)
    assert "Chuẩn thử nghiệm 2026–2030" in on.reasoning[-1] and on.checked_on == date(2026, 7, 1)
    with pytest.raises(NoStandardError, match="31/12/2021"):
        check_on(date(2021, 12, 31), household, standards)
    assert check_on(date(2022, 1, 1), household).period.id == "2022-2025"  # the bundled file by default
