"""The poverty-standards data file: the bundled one is complete, a broken one is refused with
the file and the field named, and the period in force is chosen by date."""

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from retrieval import NoStandardError, StandardsError, load_standards
from retrieval.eligibility.standards import BUNDLED_STANDARDS

BUNDLED = json.loads(BUNDLED_STANDARDS.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "standards.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def next_period(**changes) -> dict:
    """A made-up later standard: the last bundled one with other figures."""
    period = copy.deepcopy(BUNDLED["periods"][-1])
    period.update({"id": "2031-2035", "name": "Chuẩn nghèo thử nghiệm 2031–2035", "effective_from": "2031-01-01", "effective_to": None,
                   "income_lines": {"rural": 3_000_000, "urban": 3_600_000}, "average_living_upper": {"rural": 4_000_000, "urban": 5_000_000}})
    period.update(changes)
    return period


def test_the_bundled_periods_follow_decrees_07_2021_and_351_2025():
    standards = load_standards()
    first, extension, new = standards.periods
    assert (first.id, extension.id, new.id) == ("2022-2025", "2026", "2027-2030")
    # 2022–2025: Điều 3 of 07/2021
    assert first.legal_basis.citation == "Điều 3 Nghị định 07/2021/NĐ-CP ngày 27/01/2021 của Chính phủ"
    assert (first.effective_from, first.effective_to) == (date(2022, 1, 1), date(2025, 12, 31))
    assert (first.income_lines.rural, first.income_lines.urban) == (1_500_000, 2_000_000)
    assert (first.average_living_upper.rural, first.average_living_upper.urban) == (2_250_000, 3_000_000)
    # 2026: 351/2025 keeps Điều 3 of 07/2021 for one more year, with the same figures
    assert (extension.effective_from, extension.effective_to) == (date(2026, 1, 1), date(2026, 12, 31))
    assert extension.legal_basis.code == "351/2025/NĐ-CP" and extension.legal_basis.issued == date(2025, 12, 30)
    assert [a.code for a in extension.applies] == ["07/2021/NĐ-CP"] and extension.applies[0].articles == "Điều 3"
    assert extension.basis_citation == (
        "Nghị định 351/2025/NĐ-CP ngày 30/12/2025 của Chính phủ, giữ nguyên Điều 3 Nghị định 07/2021/NĐ-CP ngày 27/01/2021 của Chính phủ"
    )
    assert (extension.income_lines, extension.average_living_upper, extension.indicators) == (first.income_lines, first.average_living_upper, first.indicators)
    # 2027–2030: the new lines; no average-living band in the sources; indicators provisional
    assert new.effective_from == date(2027, 1, 1) and new.effective_to is None and new.legal_basis.code == "351/2025/NĐ-CP"
    assert (new.income_lines.rural, new.income_lines.urban) == (2_200_000, 2_800_000)
    assert new.average_living_upper is None and new.poor_min_deprivations == 3
    assert new.sources.income_lines.confirmed and "351/2025" in new.sources.income_lines.source
    assert not new.sources.average_living_upper.confirmed and not new.sources.indicators.confirmed
    assert len(new.provisional_notes) == 2 and not first.provisional_notes and not extension.provisional_notes
    assert [i.id for i in new.indicators] == [
        "employment", "dependants", "nutrition", "health_insurance", "adult_education", "school_attendance",
        "housing_quality", "housing_area", "digital_services", "water", "latrine", "waste",
    ]
    assert len({i.service for i in new.indicators}) == 6
    assert all(i.provisional == "theo dự thảo, chờ văn bản chính thức" and i.note for i in new.indicators)
    assert all(i.confirmed and i.provisional is None for i in first.indicators)
    for period in standards.periods:
        assert len(period.indicators) == 12
        for indicator in period.indicators:
            assert indicator.question.endswith("?"), indicator.id  # a yes/no question a citizen can answer
        assert "rà soát" in period.notice and "Ủy ban nhân dân xã, phường" in period.notice


def test_every_question_asks_about_a_lack_so_yes_means_deprived():
    """One polarity: the data has no per-question direction, and "Có" is deprived for all."""
    for period in BUNDLED["periods"]:
        assert all("deprived_when" not in i for i in period["indicators"])
    for period in load_standards().periods:
        assert all(i.deprived(True) and not i.deprived(False) for i in period.indicators)


@pytest.mark.parametrize(
    "on, period_id",
    [
        (date(2022, 1, 1), "2022-2025"),  # effective_from is inclusive
        (date(2025, 12, 31), "2022-2025"),
        (date(2026, 1, 1), "2026"),
        (date(2026, 12, 31), "2026"),
        (date(2027, 1, 1), "2027-2030"),
        (date(2030, 12, 31), "2027-2030"),
        (date(2035, 1, 1), "2027-2030"),  # effective_to null: it applies until a newer period starts
    ],
)
def test_the_period_in_force_at_its_boundaries(on, period_id):
    assert load_standards().period_on(on).id == period_id


@pytest.mark.parametrize(
    "on, coming",
    [
        (date(2026, 11, 1), None),  # 61 days before: not yet
        (date(2026, 11, 2), "2027-2030"),  # the notice window's first day (60 days before)
        (date(2026, 12, 31), "2027-2030"),  # its last day
        (date(2027, 1, 1), None),  # the new standard is in force: nothing is coming
        (date(2025, 11, 2), "2026"),  # the extension was announced the same way
        (date(2025, 11, 1), None),
    ],
)
def test_the_coming_standard_within_the_notice_window(on, coming):
    found = load_standards().coming(on, 60)
    assert (found.id if found else None) == coming


def test_an_open_ended_period_ends_the_day_before_the_next(tmp_path):
    data = copy.deepcopy(BUNDLED)
    data["periods"][-1]["effective_to"] = None
    data["periods"].append(next_period())
    standards = load_standards(write(tmp_path, data))
    assert standards.last_day(standards.periods[2]) == date(2030, 12, 31)
    assert standards.last_day(standards.periods[3]) is None
    assert standards.next_after(standards.periods[2]).id == "2031-2035" and standards.next_after(standards.periods[3]) is None


def test_a_date_in_no_period_is_said_clearly():
    with pytest.raises(NoStandardError, match=r"Không có chuẩn nghèo nào áp dụng vào ngày 31/12/2021\. .*giai đoạn 2022–2025 \(từ 01/01/2022 đến 31/12/2025\)"):
        load_standards().period_on(date(2021, 12, 31))


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
        (_set("periods.1.legal_basis", KeyError), "periods[1].legal_basis: thiếu trường này"),  # a period without basis
        (_set("periods.2.indicators.2.deprived_when", "yes"), "periods[2].indicators[2].deprived_when: trường không được hỗ trợ"),
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
        # provenance: a confirmed figure names its source; a provisional one says why
        (_set("periods.2.sources.income_lines.source", None), "periods[2].sources.income_lines: confirmed = true nhưng không ghi nguồn"),
        (_set("periods.2.sources.income_lines.source", " "), "confirmed = true nhưng không ghi nguồn"),
        (_set("periods.2.sources.average_living_upper.note", KeyError), "periods[2].sources.average_living_upper: confirmed = false cần ghi chú"),
        (_set("periods.2.sources.poor_min_deprivations", KeyError), "periods[2].sources.poor_min_deprivations: thiếu trường này"),
        (_set("periods.2.sources.income_lines.confirmed", "yes"), "periods[2].sources.income_lines.confirmed: phải là true hoặc false"),
        (_set("periods.2.indicators.11.note", None), "periods[2].indicators[11]: confirmed = false cần ghi chú"),
        (_set("periods.1.sources", KeyError), "periods[1].sources: thiếu trường này"),
        # the periods follow each other: ordered, no overlap, no gap
        (lambda d: d["periods"].append(next_period(effective_from="2021-01-01")), "xếp theo effective_from tăng dần"),
        (lambda d: d["periods"].append(next_period(id="2026")), "mã giai đoạn (id) bị trùng"),
        (_set("periods.1.effective_to", "2027-01-01"), "giai đoạn '2026' (đến 2027-01-01) chồng lên giai đoạn '2027-2030'"),
        (_set("periods.0.effective_to", "2025-12-30"), "giữa giai đoạn '2022-2025' (đến 2025-12-30) và '2026' (từ 2026-01-01) có khoảng trống"),
        (_set("periods.1.effective_from", "2026-02-01"), "có khoảng trống: không có chuẩn nào áp dụng từ 2026-01-01"),
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
