"""The cadres' report behind the admin token (only when $TRO_LY_ADMIN_TOKEN is set):

- ``GET /api/admin/report`` (JSON, the contract's ``ReportOut``) and ``/api/admin/report.csv``,
  for scripts: ``Authorization: Bearer <token>``;
- ``GET /admin/bao-cao``, the page (same look as the search page, charts drawn on the server),
  and ``/admin/bao-cao.csv``, its export: HTTP Basic with the token as password, which the
  browser asks for once (web/auth.py says why, and why Basic is for these read-only routes only).

All take ``from``, ``to`` (YYYY-MM-DD or DD/MM/YYYY, both days included) and ``document`` (a
document id). The report is CPU work (grouping, up to about a second): it runs in the
threadpool. Nothing here logs a question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from retrieval import Assistant
from retrieval.contract import ReportOut
from retrieval.report import Report, to_csv

from ..auth import BASIC_CHALLENGE, is_admin, require_admin
from ..deps import AssistantDep
from ..errors import ERR_ADMIN, declared
from ..report_page import PAGE_PATH, document_choices, render_login, render_report
from .pages import PAGE_CSP

API_PATH = "/api/admin/report"
# private data: never kept by a browser or a proxy
PRIVATE = {"Cache-Control": "no-store"}
PAGE_HEADERS = {"Content-Security-Policy": PAGE_CSP, **PRIVATE}
ERR_FILTER = {422: declared("Ngày không hợp lệ, “từ ngày” sau “đến ngày”, hoặc không có văn bản mã đó")}
CSV_RESPONSE = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "Báo cáo CSV (UTF-8 có BOM); cột muc cho biết phần của báo cáo"}}

Since = Annotated[str | None, Query(alias="from", description="Từ ngày (YYYY-MM-DD hoặc DD/MM/YYYY), kể cả ngày này; mặc định: câu hỏi cũ nhất còn lưu.")]
Until = Annotated[str | None, Query(alias="to", description="Đến ngày (YYYY-MM-DD hoặc DD/MM/YYYY), kể cả ngày này; mặc định: hôm nay.")]
DocumentId = Annotated[str | None, Query(alias="document", description="Chỉ các câu hỏi có điều khoản được trích (hoặc gần nhất) thuộc văn bản này (mã văn bản).")]


@dataclass(frozen=True)
class ReportQuery:
    since: date | None
    until: date | None
    document_id: str | None


class FilterError(ValueError):
    """A filter that cannot be used; the message says why, in Vietnamese."""


def _day(text: str | None, name: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise FilterError(f"“{name}” không phải ngày hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY).") from None


def read_query(since: str | None, until: str | None, document: str | None, assistant: Assistant) -> ReportQuery:
    """The filters as given (empty fields of the page's form mean "all")."""
    query = ReportQuery(_day(since, "Từ ngày"), _day(until, "Đến ngày"), (document or "").strip() or None)
    if query.since and query.until and query.since > query.until:
        raise FilterError("“Từ ngày” phải trước hoặc trùng “Đến ngày”.")
    if query.document_id is not None and query.document_id not in {d.id for d in assistant.documents()}:
        raise FilterError(f"Không có văn bản mã “{query.document_id[:100]}”.")
    return query


async def _report(assistant: Assistant, query: ReportQuery) -> Report:
    return await run_in_threadpool(assistant.report, query.since, query.until, query.document_id)


def _api_query(since: str | None, until: str | None, document: str | None, assistant: Assistant) -> ReportQuery:
    try:
        return read_query(since, until, document, assistant)
    except FilterError as exc:
        raise HTTPException(422, str(exc)) from None


def csv_response(report: Report) -> Response:
    """The report as one CSV table, with a BOM: Excel then reads it as UTF-8, not as the
    machine's legacy code page."""
    parts = ["bao-cao-cau-hoi"]
    if report.since:
        parts.append(f"tu-{report.since.isoformat()}")
    if report.until:
        parts.append(f"den-{report.until.isoformat()}")
    if report.document_id:
        parts.append(re.sub(r"[^A-Za-z0-9_-]+", "-", report.document_id)[:60])
    return Response(
        ("\ufeff" + to_csv(report)).encode("utf-8"), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{"_".join(parts)}.csv"', **PRIVATE},
    )


def _login_required() -> HTMLResponse:
    """401 with a Basic challenge: the browser asks for the token (as the password) and sends
    it with every later request under /admin/. What it shows if the cadre cancels: this page."""
    return HTMLResponse(render_login(), status_code=401, headers={"WWW-Authenticate": BASIC_CHALLENGE, **PAGE_HEADERS})


def build(token: str) -> APIRouter:
    router = APIRouter()
    # Basic too: the same read-only report, fetched by whatever the cadre has at hand
    api_auth = [Depends(require_admin(token, basic=True))]

    @router.get(
        API_PATH, response_model=ReportOut, responses={**ERR_ADMIN, **ERR_FILTER}, dependencies=api_auth, tags=["quản trị"],
        summary="Báo cáo câu hỏi của người dân: câu văn bản chưa trả lời và câu bị 👎 theo nhóm, tỷ lệ trả lời theo tuần, điều khoản được trích nhiều",
    )
    async def report_json(response: Response, assistant: AssistantDep, since: Since = None, until: Until = None, document: DocumentId = None) -> ReportOut:
        report = await _report(assistant, _api_query(since, until, document, assistant))
        response.headers.update(PRIVATE)
        return ReportOut.from_domain(report)

    @router.get(
        API_PATH + ".csv", response_class=Response, responses={**CSV_RESPONSE, **ERR_ADMIN, **ERR_FILTER}, dependencies=api_auth, tags=["quản trị"],
        summary="Báo cáo câu hỏi của người dân, dạng CSV (mở bằng Excel)",
    )
    async def report_csv(assistant: AssistantDep, since: Since = None, until: Until = None, document: DocumentId = None) -> Response:
        return csv_response(await _report(assistant, _api_query(since, until, document, assistant)))

    @router.get(PAGE_PATH, include_in_schema=False)
    async def report_page(request: Request, assistant: AssistantDep, since: Since = None, until: Until = None, document: DocumentId = None) -> HTMLResponse:
        if not is_admin(request, token, basic=True):
            return _login_required()
        values = {"from": since or "", "to": until or "", "document": document or ""}
        records = assistant.records  # what the store enforces: [records] log_questions, retention_days
        page = {"documents": document_choices(assistant.documents()), "log_questions": records.log_questions, "retention_days": records.retention_days}
        try:
            query = read_query(since, until, document, assistant)
        except FilterError as exc:
            return HTMLResponse(render_report(None, values=values, error=str(exc), **page), status_code=422, headers=PAGE_HEADERS)
        # the form shows the dates as a date input takes them, however they were typed
        values = {"from": query.since.isoformat() if query.since else "", "to": query.until.isoformat() if query.until else "", "document": query.document_id or ""}
        report = await _report(assistant, query)
        return HTMLResponse(render_report(report, values=values, error=None, **page), headers=PAGE_HEADERS)

    @router.get(PAGE_PATH + ".csv", include_in_schema=False)
    async def report_page_csv(request: Request, assistant: AssistantDep, since: Since = None, until: Until = None, document: DocumentId = None) -> Response:
        if not is_admin(request, token, basic=True):
            return _login_required()
        return csv_response(await _report(assistant, _api_query(since, until, document, assistant)))

    return router
