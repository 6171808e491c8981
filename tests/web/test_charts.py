"""The report's charts as drawn on the server (web/charts.py): well-formed SVG with a text
alternative, one marker per week and face, broken lines where a face had no question, week
labels thinned rather than overlapping, and every text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from retrieval.report import CitedClause, WeekCoverage
from web.charts import NARROW_LABELS, WIDE_LABELS, cited_bars, coverage_chart, coverage_summary

SVG = "{http://www.w3.org/2000/svg}"
MONDAY = date(2026, 9, 7)


def _weeks(n: int, faces=("telegram", "widget"), skip: set[tuple[int, str]] = frozenset()) -> list[WeekCoverage]:
    return [
        WeekCoverage(MONDAY + timedelta(weeks=i), face, 10, (i * 3 + len(face)) % 11, 1, 0)
        for i in range(n) for face in faces if (i, face) not in skip
    ]


def _parse(markup) -> ET.Element:
    return ET.fromstring(str(markup).replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))


def test_the_coverage_chart_is_an_image_with_its_text_alternative():
    coverage = _weeks(5, skip={(2, "widget")})
    svg = _parse(coverage_chart(coverage))
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "coverage-title coverage-desc"
    assert svg.find(f"{SVG}title").text == "Tỷ lệ câu hỏi được trả lời mỗi tuần, theo kênh"
    desc = svg.find(f"{SVG}desc").text
    assert desc.startswith("Tỷ lệ câu hỏi được trả lời: Telegram: từ") and "widget:" in desc and "(tuần 05/10/2026)" in desc
    series = {g.get("data-face"): g for g in svg.iter(f"{SVG}g")}
    assert list(series) == ["telegram", "widget"]
    assert len(series["telegram"].findall(f"{SVG}svg")) == 5 and len(series["widget"].findall(f"{SVG}svg")) == 4
    # a week without widget questions breaks its line: 4 segments for telegram, 2 for widget
    assert len(series["telegram"].findall(f"{SVG}line")) == 4 and len(series["widget"].findall(f"{SVG}line")) == 2
    assert series["widget"].get("stroke") != series["telegram"].get("stroke")
    assert series["widget"].find(f"{SVG}line").get("stroke-dasharray")  # not colour alone
    point = series["telegram"].find(f"{SVG}svg")
    assert point.find(f"{SVG}title").text.startswith("Telegram, tuần 07/09/2026: ")


def test_one_week_sits_in_the_middle_and_nothing_is_drawn_for_nothing():
    svg = _parse(coverage_chart(_weeks(1, faces=("api",))))
    assert [p.get("x") for p in svg.iter(f"{SVG}svg") if p.get("class") == "point"] == ["50.0%"]
    assert str(coverage_chart([])) == "" and coverage_summary([]) == "Chưa có câu hỏi nào."


def test_week_labels_are_thinned_not_overlapping():
    for weeks in (3, 8, 26):
        ticks = [t for t in _parse(coverage_chart(_weeks(weeks))).iter(f"{SVG}text") if "tick" in t.get("class", "").split()]
        assert len(ticks) == weeks
        wide = [t for t in ticks if "hide-wide" not in t.get("class")]
        narrow = [t for t in ticks if "hide-narrow" not in t.get("class")]
        assert len(wide) <= WIDE_LABELS + 1 and len(narrow) <= NARROW_LABELS + 1
        assert ticks[-1] in wide and ticks[-1] in narrow and ticks[0] in narrow  # the first and the newest week are labelled
        if weeks <= NARROW_LABELS:
            assert len(narrow) == weeks


def test_the_cited_bars_escape_labels_and_scale_to_the_first():
    html = str(cited_bars([CitedClause("a-1", 8, "Kế hoạch <b>1</b> — 2. …", "a"), CitedClause("a-2", 2, None, "a")], ["/documents/a#a-1", None]))
    assert "&lt;b&gt;1&lt;/b&gt;" in html and "<b>" not in html
    assert '<a href="/documents/a#a-1" data-testid="cited-link">' in html and "<span>a-2</span>" in html  # no label: the id, no link
    assert 'width="100.0%"' in html and 'width="25.0%"' in html and "8 lần" in html
    assert str(cited_bars([], [])) == ""
