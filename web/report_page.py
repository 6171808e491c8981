"""The report page's HTML (templates/report.html, Jinja2, autoescaped): the library's
``Report`` turned into what the template shows — dates as people write them, the links that
close the loop (the search page with the question filled in, the clause on its document page),
and the two charts (``charts.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from retrieval import Document
from retrieval.report import QuestionGroup, Report

from .charts import cited_bars, coverage_chart, face_label, face_order, full_day, legend_swatch, percent

TEMPLATES = Path(__file__).resolve().parent / "templates"
PAGE_PATH = "/admin/bao-cao"
OPTION_MAX = 90  # characters of a document's name in the filter (the whole name is its title)

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class DocumentChoice:
    id: str
    label: str  # "19-CT/TU — Chỉ thị về …"
    short: str  # the label cut to fit a select


@dataclass(frozen=True)
class GroupRow:
    """One line of a grouped table, with its links."""

    representative: str
    count: int
    days: tuple[str, ...]  # the first and the last day (one when they are the same)
    examples: tuple[str, ...]
    faces_text: str
    passage_id: str | None
    passage_label: str | None
    clause_href: str | None
    search_href: str


def search_href(text: str) -> str:
    """The cadre search page with the question filled in and searched (search.js reads ?q=)."""
    return "/?" + urlencode({"q": text})


def clause_href(document_id: str | None, passage_id: str | None) -> str | None:
    """The clause on its document page, highlighted on arrival."""
    if not document_id or not passage_id:
        return None
    return f"/documents/{quote(document_id, safe='')}#{quote(passage_id, safe='')}"


def export_href(values: Mapping[str, str]) -> str:
    """The CSV of the same filters (under /admin/, where the browser sends the credentials)."""
    kept = {k: v for k, v in values.items() if v}
    return f"{PAGE_PATH}.csv" + (f"?{urlencode(kept)}" if kept else "")


def document_choices(documents: Iterable[Document]) -> list[DocumentChoice]:
    choices = []
    for doc in documents:
        m = doc.metadata
        label = f"{m.code} — {m.title}" if m.code and m.title else (m.code or m.title or doc.id)
        short = label if len(label) <= OPTION_MAX else label[: OPTION_MAX - 1] + "…"
        choices.append(DocumentChoice(doc.id, label, short))
    return sorted(choices, key=lambda c: c.label.casefold())


def _days(group: QuestionGroup) -> tuple[str, ...]:
    if group.first_day == group.last_day:
        return (full_day(group.first_day),)
    return (full_day(group.first_day), full_day(group.last_day))


def _row(group: QuestionGroup) -> GroupRow:
    return GroupRow(
        representative=group.representative, count=group.count, days=_days(group), examples=group.examples,
        faces_text=", ".join(face_label(f) for f in group.faces), passage_id=group.passage_id, passage_label=group.passage_label,
        clause_href=clause_href(group.document_id, group.passage_id), search_href=search_href(group.search_text),
    )


def period_text(report: Report, documents: Mapping[str, DocumentChoice]) -> str:
    since = full_day(report.since) if report.since else "câu hỏi cũ nhất còn lưu"
    until = full_day(report.until) if report.until else "hôm nay"
    which = documents[report.document_id].label if report.document_id in documents else (report.document_id or "tất cả")
    return f"Từ {since} đến {until}. Văn bản: {which}."


def render_report(
    report: Report | None,
    *,
    values: Mapping[str, str],
    documents: list[DocumentChoice],
    error: str | None,
    log_questions: bool,
    retention_days: int,
) -> str:
    """The page. ``report`` None (with ``error``) when the filters could not be read:
    the form is shown again with what was typed."""
    context: dict = {
        "page_path": PAGE_PATH, "values": values, "documents": documents, "error": error, "report": report,
        "log_questions": log_questions, "retention_days": retention_days, "csv_href": export_href(values) if report else None,
    }
    if report is not None:
        by_id = {d.id: d for d in documents}
        faces = sorted({c.face for c in report.coverage}, key=face_order)
        context.update(
            period=period_text(report, by_id),
            answered_share=percent(report.answered / report.questions) if report.questions else "",
            not_covered_total=sum(g.count for g in report.not_covered),
            not_covered=[_row(g) for g in report.not_covered],
            disliked=[_row(g) for g in report.disliked],
            coverage_chart=coverage_chart(report.coverage),
            coverage_faces=[{"label": face_label(f), "swatch": legend_swatch(f)} for f in faces],
            coverage_rows=[
                {"week": full_day(c.week), "face": face_label(c.face), "questions": c.questions, "answered": c.answered,
                 "not_covered": c.not_covered, "refused": c.refused, "share": percent(c.share)}
                for c in report.coverage
            ],
            cited_chart=cited_bars(report.cited, [clause_href(c.document_id, c.passage_id) for c in report.cited]),
        )
    return _env.get_template("report.html").render(context)


def render_login() -> str:
    return _env.get_template("login.html").render()
