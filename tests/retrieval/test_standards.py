"""The poverty-standards data file: the bundled one is complete, a broken one is refused with
the file and the field named, and the period in force is chosen by date."""

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from retrieval import NoStandardError, StandardsError, load_standards
from retrieval.standards import BUNDLED_STANDARDS

BUNDLED = json.loads(BUNDLED_STANDARDS.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "standards.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def next_period(**changes) -> dict:
    """A made-up later standard: the bundled one with other figures."""
    period = copy.deepcopy(BUNDLED["periods"][0])
    period.update({"id": "2026-2030", "name": "Chuẩn nghèo thử nghiệm 2026–2030", "effective_from": "2026-07-01", "effective_to": None,
                   "income_lines": {"rural": 2_000_000, "urban": 2_600_000}, "average_living_upper": {"rural": 3_000_000, "urban": 3_900_000}})
    period.update(changes)
    return period


def test_the_bundled_standard_is_decree_07_2021():
    standards = load_standards()
    [period] = standards.periods
    assert period.legal_basis.code == "07/2021/NĐ-CP"
    assert period.legal_basis.citation == "Điều 3 Nghị định 07/2021/NĐ-CP ngày 27/01/2021 của Chính phủ"
    assert (period.income_lines.rural, period.income_lines.urban) == (1_500_000, 2_000_000)
    assert (period.average_living_upper.rural, period.average_living_upper.urban) == (2_250_000, 3_000_000)
    assert period.poor_min_deprivations == 3
    assert period.effective_from == date(2022, 1, 1) and period.effective_to is None  # until a new standard takes effect
    assert len(period.indicators) == 12 and len({i.service for i in period.indicators}) == 6
    assert [i.id for i in period.indicators] == [
        "employment", "dependants", "nutrition", "health_insurance", "adult_education", "school_attendance",
        "housing_quality", "housing_area", "water", "latrine", "telecom", "information",
    ]
    for indicator in period.indicators:
        assert indicator.question.endswith("?"), indicator.id  # a yes/no question a citizen can answer
    assert "rà soát" in period.notice and "Ủy ban nhân dân xã, phường" in period.notice


@pytest.mark.parametrize(
    "on, period_id",
    [
        (date(2022, 1, 1), "2022-2025"),  # effective_from is inclusive
        (date(2025, 12, 31), "2022-2025"),
        (date(2026, 6, 30), "2022-2025"),  # effective_to null: it still applies until the next starts
        (date(2026, 7, 1), "2026-2030"),  # the next period's first day is the next period's
        (date(2031, 1, 1), "2026-2030"),
    ],
)
def test_the_period_in_force_at_its_boundaries(tmp_path, on, period_id):
    standards = load_standards(write(tmp_path, {"periods": [BUNDLED["periods"][0], next_period()]}))
    assert standards.period_on(on).id == period_id


def test_an_open_ended_period_ends_the_day_before_the_next(tmp_path):
    standards = load_standards(write(tmp_path, {"periods": [BUNDLED["periods"][0], next_period()]}))
    first, second = standards.periods
    assert standards.last_day(first) == date(2026, 6, 30)
    assert standards.last_day(second) is None


def test_a_date_in_no_period_is_said_clearly(tmp_path):
    with pytest.raises(NoStandardError, match=r"Không có chuẩn nghèo nào áp dụng vào ngày 31/12/2021\. .*giai đoạn 2022–2025 \(từ 01/01/2022\)"):
        load_standards().period_on(date(2021, 12, 31))
    closed = copy.deepcopy(BUNDLED["periods"][0])
    closed["effective_to"] = "2025-12-31"
    standards = load_standards(write(tmp_path, {"periods": [closed, next_period()]}))
    assert standards.period_on(date(2025, 12, 31)).id == "2022-2025"
    with pytest.raises(NoStandardError, match="01/03/2026.*đến 31/12/2025"):
        standards.period_on(date(2026, 3, 1))  # the gap between an ended period and the next


def _broken(mutate) -> dict:
    data = copy.deepcopy(BUNDLED)
    mutate(data)
    return data


def _set(path: str, value):
    def mutate(data):
        target = data
        keys = [int(k) if k.isdigit() else k for k in path.split(".")]
        for key in keys[:-1]:
            target = target[key]
        if value is KeyError:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value
    return mutate


@pytest.mark.parametrize(
    "mutate, message",
    [
        (_set("periods.0.income_lines.rural", -1), "periods[0].income_lines.rural: phải lớn hơn 0"),
        (_set("periods.0.income_lines.urban", "2000000"), "periods[0].income_lines.urban: phải là số nguyên"),
        (_set("periods.0.legal_basis.code", KeyError), "periods[0].legal_basis.code: thiếu trường này"),
        (_set("periods.0.indicators.2.deprived_when", "maybe"), "periods[0].indicators[2].deprived_when: phải là “yes” hoặc “no”"),
        (_set("periods.0.indicators.3.id", "Bảo hiểm"), "periods[0].indicators[3].id: sai định dạng"),
        (_set("periods.0.indicators.1.id", "employment"), "mã chỉ số bị trùng: employment"),
        (_set("periods.0.indicators.0.question", "  "), "periods[0].indicators[0].question: không được để trống"),
        (_set("periods.0.effective_from", 20220101), "periods[0].effective_from: phải là ngày dạng YYYY-MM-DD"),
        (_set("periods.0.effective_from", "01/01/2022"), "periods[0].effective_from: phải là ngày dạng YYYY-MM-DD"),
        (_set("periods.0.effective_to", "2021-06-30"), "effective_to phải không sớm hơn effective_from"),
        (_set("periods.0.average_living_upper.urban", 2_000_000), "average_living_upper.urban phải lớn hơn income_lines.urban"),
        (_set("periods.0.poor_min_deprivations", 13), "poor_min_deprivations (13) lớn hơn số chỉ số (12)"),
        (_set("periods.0.colour", "red"), "periods[0].colour: trường không được hỗ trợ"),
        (_set("periods", []), "periods: không được để trống"),
        (lambda d: d["periods"].append(next_period(effective_from="2021-01-01")), "xếp theo effective_from tăng dần"),
        (lambda d: d["periods"].append(next_period(id="2022-2025")), "mã giai đoạn (id) bị trùng"),
        (lambda d: (d["periods"][0].update(effective_to="2026-07-01"), d["periods"].append(next_period())), "chồng lên giai đoạn '2026-2030'"),
    ],
)
def test_a_broken_file_is_refused_naming_the_file_and_the_field(tmp_path, mutate, message):
    path = write(tmp_path, _broken(mutate))
    with pytest.raises(StandardsError) as caught:
        load_standards(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_missing_or_unreadable_file(tmp_path):
    with pytest.raises(StandardsError, match="Không tìm thấy tệp chuẩn nghèo"):
        load_standards(tmp_path / "khong-co.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{ periods: ", encoding="utf-8")
    with pytest.raises(StandardsError, match="không đúng cú pháp JSON"):
        load_standards(bad)
