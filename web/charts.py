"""The report's two charts, drawn on the server as inline SVG: no script, no chart library,
nothing to fetch, so they work offline and under the pages' CSP.

- ``coverage_chart``: the share of questions answered per week, one line per face. Widths are
  percentages and heights pixels, so the chart fills any width with its text at its real size
  (a scaled viewBox would shrink the text to 7 px on a phone); week labels are thinned by CSS
  classes (``hide-wide``, ``hide-narrow``) rather than overlap. Faces differ by colour, dash
  and marker shape, not colour alone.
- ``cited_bars``: the most-cited clauses as horizontal bars, each under its clause's name (a
  link): HTML text wraps where SVG text cannot, and the list is its own text alternative.

Every text that comes from the log or the corpus is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from retrieval.report import CitedClause, WeekCoverage
from retrieval.report.export import FACE_LABELS

HEIGHT = 250
TOP, BOTTOM = 24, 206  # y of 100 % and of 0 %
PAD = 6.0  # % of the width kept free left and right, so the first and last week labels fit
# fit about this many week labels across a desktop's and a phone's width
WIDE_LABELS, NARROW_LABELS = 16, 6


@dataclass(frozen=True)
class FaceStyle:
    colour: str
    dash: str  # stroke-dasharray; "" solid
    marker: str  # circle, square, triangle, diamond


# colours with ≥ 4.5:1 contrast on white; the dash and marker tell them apart without colour
FACE_STYLES = {
    "telegram": FaceStyle("#0b4f8a", "", "circle"),
    "widget": FaceStyle("#a14500", "7 4", "square"),
    "api": FaceStyle("#25693a", "2 3", "triangle"),
    "cli": FaceStyle("#6b21a8", "9 3 2 3", "diamond"),
}
_FALLBACK = FaceStyle("#4b5563", "1 2", "circle")


def face_label(face: str) -> str:
    return FACE_LABELS.get(face, face)


def face_style(face: str) -> FaceStyle:
    return FACE_STYLES.get(face, _FALLBACK)


def percent(share: float) -> str:
    """0.756 -> "76 %" (Vietnamese writes a space before %)."""
    return f"{round(share * 100)} %"


def day_month(day: date) -> str:
    return day.strftime("%d/%m")


def full_day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _y(share: float) -> float:
    return round(BOTTOM - (BOTTOM - TOP) * share, 1)


def _x(index: int, count: int) -> float:
    """The x of the index-th week, in % of the width."""
    if count == 1:
        return 50.0
    return round(PAD + (100 - 2 * PAD) * index / (count - 1), 2)


def marker(shape: str, x: float, y: float, extra: str = "") -> str:
    """A marker centred on (x %, y px): a nested <svg> placed at a percentage can hold a
    shape drawn in pixels around its origin (polygon points take no percentages)."""
    shapes = {
        "circle": '<circle r="4.5"/>',
        "square": '<rect x="-4" y="-4" width="8" height="8"/>',
        "triangle": '<polygon points="0,-5.5 5,4 -5,4"/>',
        "diamond": '<polygon points="0,-5.5 5.5,0 0,5.5 -5.5,0"/>',
    }
    return f'<svg x="{x}%" y="{y}" overflow="visible"{extra}>{shapes[shape]}</svg>'


def legend_swatch(face: str) -> Markup:
    """A small sample of a face's line and marker, for the legend beside the chart."""
    style = face_style(face)
    dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
    return Markup(
        f'<svg class="swatch" width="34" height="14" aria-hidden="true" focusable="false">'
        f'<line x1="1" y1="7" x2="33" y2="7" stroke="{style.colour}" stroke-width="2.5"{dash}/>'
        f'<g fill="{style.colour}">{marker(style.marker, 50, 7)}</g></svg>'
    )


def _shown(count: int, limit: int) -> set[int]:
    """The weeks labelled when about ``limit`` labels fit: every step-th, and always the
    newest (its too-close neighbour gives way)."""
    step = math.ceil(count / limit)
    shown = set(range(0, count, step))
    last = count - 1
    if last not in shown:
        shown = {i for i in shown if last - i >= step} | {last}
    return shown


def _tick_classes(index: int, count: int) -> str:
    classes = ["tick"]
    if index not in _shown(count, WIDE_LABELS):
        classes.append("hide-wide")
    if index not in _shown(count, NARROW_LABELS):
        classes.append("hide-narrow")
    return " ".join(classes)


def face_order(face: str) -> tuple[int, str]:
    return (list(FACE_STYLES).index(face) if face in FACE_STYLES else len(FACE_STYLES), face)


def coverage_summary(coverage: Sequence[WeekCoverage]) -> str:
    """The chart in one or two sentences, for screen readers (its <desc>)."""
    if not coverage:
        return "Chưa có câu hỏi nào."
    parts = []
    for face in sorted({c.face for c in coverage}, key=face_order):
        weeks = [c for c in coverage if c.face == face]
        first, last = weeks[0], weeks[-1]
        asked = sum(c.questions for c in weeks)
        answered = sum(c.answered for c in weeks)
        if first is last:
            trend = f"tuần {full_day(first.week)}: {percent(first.share)}"
        else:
            trend = f"từ {percent(first.share)} (tuần {full_day(first.week)}) đến {percent(last.share)} (tuần {full_day(last.week)})"
        parts.append(f"{face_label(face)}: {trend}; cả kỳ {answered}/{asked} câu ({percent(answered / asked if asked else 0)})")
    return "Tỷ lệ câu hỏi được trả lời: " + "; ".join(parts) + "."


def coverage_chart(coverage: Sequence[WeekCoverage], chart_id: str = "coverage") -> Markup:
    """Share answered per week and face as a line chart (inline SVG, role="img", with a
    <title> and a <desc> saying what it shows). Empty markup when there is nothing to draw."""
    if not coverage:
        return Markup("")
    weeks = sorted({c.week for c in coverage})
    position = {week: i for i, week in enumerate(weeks)}
    faces = sorted({c.face for c in coverage}, key=face_order)
    out = [
        f'<svg class="chart-svg" width="100%" height="{HEIGHT}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">Tỷ lệ câu hỏi được trả lời mỗi tuần, theo kênh</title>',
        f'<desc id="{chart_id}-desc">{escape(coverage_summary(coverage))}</desc>',
    ]
    for share in (0, 0.25, 0.5, 0.75, 1):
        y = _y(share)
        out.append(f'<line class="grid{" grid-base" if share == 0 else ""}" x1="0" x2="100%" y1="{y}" y2="{y}"/>')
        out.append(f'<text class="axis-label" x="0" y="{y - 5}">{percent(share)}</text>')
    for i, week in enumerate(weeks):
        out.append(f'<text class="{_tick_classes(i, len(weeks))}" x="{_x(i, len(weeks))}%" y="{BOTTOM + 22}" text-anchor="middle">{day_month(week)}</text>')
    for face in faces:
        style = face_style(face)
        points = sorted(((position[c.week], c) for c in coverage if c.face == face), key=lambda p: p[0])
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        out.append(f'<g class="series" data-face="{escape(face)}" stroke="{style.colour}" fill="{style.colour}">')
        for (i, a), (j, b) in zip(points, points[1:]):
            if j == i + 1:  # a week without questions on this face breaks its line
                out.append(f'<line x1="{_x(i, len(weeks))}%" y1="{_y(a.share)}" x2="{_x(j, len(weeks))}%" y2="{_y(b.share)}" stroke-width="2.5" fill="none"{dash}/>')
        for i, c in points:
            note = f"{face_label(face)}, tuần {full_day(c.week)}: {c.answered}/{c.questions} câu được trả lời ({percent(c.share)})"
            out.append(marker(style.marker, _x(i, len(weeks)), _y(c.share), ' class="point"').replace("</svg>", f"<title>{escape(note)}</title></svg>", 1))
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))


def cited_bars(cited: Sequence[CitedClause], links: Sequence[str | None]) -> Markup:
    """The most-cited clauses, most first: the clause's name (a link to it when ``links``
    gives one) above a bar as long as its count is, relative to the first."""
    if not cited:
        return Markup("")
    most = max(c.count for c in cited) or 1
    rows = []
    for n, (clause, link) in enumerate(zip(cited, links), start=1):
        name = escape(clause.label or clause.passage_id)
        title = f'<a href="{escape(link)}" data-testid="cited-link">{name}</a>' if link else f"<span>{name}</span>"
        width = round(100 * clause.count / most, 1)
        rows.append(
            f'<li class="cited-row" data-testid="cited-row"><span class="cited-rank" aria-hidden="true">{n}.</span> {title}'
            f'<span class="cited-bar"><svg width="100%" height="14" aria-hidden="true" focusable="false">'
            f'<rect class="bar" width="{width}%" height="14" rx="2"/></svg>'
            f'<span class="cited-count">{clause.count} lần</span></span></li>'
        )
    return Markup(f'<ol class="cited-list" data-testid="cited-chart">{"".join(rows)}</ol>')
