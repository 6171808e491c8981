"""Trợ lý Giảm nghèo — the web layer (FastAPI).

Only HTTP lives here: routes, validation, rate limits, CORS, pages. Search and answers come
from the ``retrieval`` package through its public API. The JSON shapes are those of
docs/api-contract.md. When $TELEGRAM_BOT_TOKEN is set, the lifespan also runs the Telegram bot
(``bot`` package) on the same event loop: long polling, or webhook through a secret route here.

Run it::

    python server.py [--config config.toml] [--host 127.0.0.1] [--port 8000]
    uvicorn server:app --no-access-log          # config from $TRO_LY_CONFIG or ./config.toml

Importing this module loads nothing: the configuration, the index and the model are loaded
by the application's lifespan, once, when the server starts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hmac
import json
import logging
import math
import os
import sys
import tempfile
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import WEBHOOK_PREFIX, Credentials, TelegramBot
from retrieval import (
    AREA_LABELS,
    Assistant,
    Catalog,
    ConfigError,
    CorpusError,
    EligibilityInputError,
    Household,
    NoStandardError,
    Rebuilder,
    RetrievalError,
    SearchFilters,
    ServerSettings,
    Settings,
    UnknownDocumentError,
    load_settings,
    load_standards,
)
from retrieval.amounts import MAX_MEMBERS, MAX_MONTHLY_INCOME

log = logging.getLogger("tro_ly.server")

ROOT = Path(__file__).resolve().parent
WEB_DIR = ROOT / "web"

MAX_HISTORY = 10
MAX_K = 50
DEFAULT_K = 10
MAX_FILTER_ITEMS = 100
MAX_ANSWER_ID_CHARS = 40
MAX_ANSWERS = 50  # a standard has 12 questions; more keys than this is not a household
# A question, ten history lines and JSON escaping fit well below this.
MAX_BODY_BYTES = 128 * 1024
# Word files with pictures and scanned annexes are large; nothing else needs more than above.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ADMIN_PREFIX = "/api/admin"
ADMIN_TOKEN_ENV = "TRO_LY_ADMIN_TOKEN"
MIN_ADMIN_TOKEN_CHARS = 24
RATE_WINDOW_SECONDS = 60.0

# The header Telegram sends with every webhook POST (the secret given to setWebhook).
TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

PAGE_CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"


# --------------------------------------------------------------------------------------
# Request and response models
# --------------------------------------------------------------------------------------
def _valid_text(value: str) -> str:
    """Text must be encodable: a lone surrogate ("\\ud800" in JSON) would fail deep inside."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("invalid_text", "contains an invalid character") from None
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be blank")
    return value


def _whole_number(value: Any) -> Any:
    """JSON Schema's "integer": 5 and 5.0, but not "5" or true."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PydanticCustomError("int_type", "must be an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise PydanticCustomError("int_type", "must be an integer")
        return int(value)
    return value


def _date_text(value: Any) -> Any:
    """Dates come as "YYYY-MM-DD" text only (lax parsing would also take numbers)."""
    if value is not None and not isinstance(value, str):
        raise PydanticCustomError("date_type", "date must be a YYYY-MM-DD string")
    return value


# The length limit comes from [server] max_question_chars: checked in the routes and written
# into the OpenAPI schema by _install_openapi_limits. "\S" documents the not-blank rule.
Text = Annotated[str, AfterValidator(_valid_text)]
Question = Annotated[str, AfterValidator(_valid_text), AfterValidator(_not_blank), WithJsonSchema({"type": "string", "pattern": r"\S"})]
DateText = Annotated[date | None, BeforeValidator(_date_text)]
WholeNumber = Annotated[int, BeforeValidator(_whole_number)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AskRequest(_Request):
    question: Question = Field(description="Câu hỏi (không để trống; dài tối đa max_question_chars ký tự).")
    history: list[Text] | None = Field(None, max_length=MAX_HISTORY, description="Các câu hỏi trước trong cuộc trò chuyện, cũ nhất trước.")


class SearchRequest(_Request):
    query: Question = Field(description="Nội dung tìm kiếm (không để trống; dài tối đa max_question_chars ký tự).")
    k: WholeNumber = Field(DEFAULT_K, ge=1, le=MAX_K, description="Số đoạn trả về.")
    document_ids: list[Text] | None = Field(None, max_length=MAX_FILTER_ITEMS, description="Chỉ tìm trong các văn bản này.")
    types: list[Text] | None = Field(None, max_length=MAX_FILTER_ITEMS, description="Chỉ tìm trong các loại văn bản này (chỉ thị, kế hoạch…).")
    date_from: DateText = Field(None, description="Văn bản ban hành từ ngày này (YYYY-MM-DD).")
    date_to: DateText = Field(None, description="Văn bản ban hành đến ngày này (YYYY-MM-DD).")


class EligibilityRequest(_Request):
    area: Literal["rural", "urban"] = Field(description="Khu vực: rural (nông thôn) hoặc urban (thành thị).")
    members: WholeNumber = Field(ge=1, le=MAX_MEMBERS, description="Số người trong hộ (cùng ăn ở, chung thu nhập).")
    monthly_income: WholeNumber = Field(ge=0, le=MAX_MONTHLY_INCOME, description="Tổng thu nhập của cả hộ mỗi tháng, đồng.")
    answers: dict[Annotated[str, Field(max_length=MAX_ANSWER_ID_CHARS)], Annotated[bool, Field(strict=True)]] = Field(
        max_length=MAX_ANSWERS,
        description="Câu trả lời cho từng câu hỏi của GET /api/eligibility/questions: mã câu hỏi → true (Có) / false (Không). Phải đủ mọi câu.",
    )
    date: DateText = Field(None, description="Ngày áp dụng chuẩn nghèo (YYYY-MM-DD); mặc định hôm nay.")


class ErrorResponse(BaseModel):
    detail: str = Field(description="Thông báo lỗi bằng tiếng Việt.")


class DocumentOut(BaseModel):
    id: str
    title: str
    code: str | None
    issuer: str | None
    province: str | None
    date: date | None
    type: str | None
    source_file: str
    url: str | None
    effective_from: date | None = Field(description="Hiệu lực từ ngày")
    effective_to: date | None = Field(description="Hiệu lực đến hết ngày")
    replaced_by: str | None = Field(description="Văn bản thay thế (số hiệu hoặc tên)")
    in_force: bool = Field(description="Còn hiệu lực vào hôm nay, theo các ngày trên")
    validity_note: str | None = Field(description="Vì sao không còn áp dụng, ví dụ 'đã được thay thế bởi …'")


class HitOut(BaseModel):
    passage_id: str
    text: str
    score: float
    location: str
    document: DocumentOut


class CitationOut(HitOut):
    number: int


class AnswerOut(BaseModel):
    question: str
    found: bool
    status: Literal["answered", "not_covered", "invalid_question", "eligibility_hint"] = Field(
        description="eligibility_hint: a question whether a household qualifies; `answer` explains the income lines of the standard in force and points to the check, then quotes as usual."
    )
    answer: str
    citations: list[CitationOut]


class LegalBasisOut(BaseModel):
    kind: str = Field(description="Loại văn bản, ví dụ Nghị định")
    code: str = Field(description="Số hiệu, ví dụ 07/2021/NĐ-CP")
    title: str
    issuer: str
    issued: date
    articles: str | None
    citation: str = Field(description="Cách trích dẫn: 'Điều 3 Nghị định 07/2021/NĐ-CP ngày 27/01/2021 của Chính phủ'")


class AreaAmountsOut(BaseModel):
    rural: int
    urban: int


class StandardPeriodOut(BaseModel):
    id: str
    name: str
    effective_from: date
    effective_to: date | None = Field(description="Ngày cuối cùng áp dụng; null: đến khi có chuẩn mới")
    legal_basis: LegalBasisOut
    income_lines: AreaAmountsOut = Field(description="Chuẩn nghèo về thu nhập, đồng/người/tháng")
    average_living_upper: AreaAmountsOut = Field(description="Mức trên của hộ có mức sống trung bình, đồng/người/tháng")
    poor_min_deprivations: int
    indicator_count: int


class AreaOut(BaseModel):
    id: Literal["rural", "urban"]
    label: str


class EligibilityQuestionOut(BaseModel):
    id: str
    service: str = Field(description="Dịch vụ xã hội cơ bản")
    name: str
    question: str = Field(description="Câu hỏi Có/Không")
    definition: str = Field(description="Thế nào là thiếu hụt (tóm tắt văn bản)")


class EligibilityQuestionsOut(BaseModel):
    period: StandardPeriodOut
    areas: list[AreaOut]
    questions: list[EligibilityQuestionOut]
    notice: str


class PeriodRefOut(BaseModel):
    id: str
    name: str


class DeprivedOut(BaseModel):
    id: str
    name: str
    service: str
    definition: str


class EligibilityOut(BaseModel):
    classification: Literal["poor", "near_poor", "average_living", "above_average_living"]
    label: str = Field(description="Hộ nghèo, Hộ cận nghèo…")
    period: PeriodRefOut
    checked_on: date
    area: Literal["rural", "urban"]
    members: int
    monthly_income: int
    per_person_income: float = Field(description="Thu nhập bình quân đồng/người/tháng (làm tròn 2 chữ số; so sánh dùng giá trị chính xác)")
    income_line: int
    average_living_upper: int
    deprived: list[DeprivedOut]
    deprivation_count: int
    indicator_count: int
    poor_min_deprivations: int
    reasoning: list[str]
    legal_basis: LegalBasisOut
    notice: str = Field(description="Kết quả chính thức do xã rà soát hằng năm; đi đâu")
    support: list[CitationOut] = Field(description="Các đoạn văn bản về hỗ trợ cho nhóm hộ này")


class SearchOut(BaseModel):
    query: str
    hits: list[HitOut]


class DocumentsOut(BaseModel):
    documents: list[DocumentOut]


class PassageOut(BaseModel):
    id: str
    location: str
    text: str
    searchable: bool


class DocumentDetailOut(BaseModel):
    document: DocumentOut
    passages: list[PassageOut]


class HealthOut(BaseModel):
    status: Literal["ok"]
    model: str
    documents: int
    passages: int
    built_at: str


class AdminEntryOut(BaseModel):
    """One document as recorded in corpus/documents.json (what the cadre can edit)."""

    id: str
    file: str
    title: str | None = None
    code: str | None = None
    issuer: str | None = None
    province: str | None = None
    date: str | None = None
    type: str | None = None
    url: str | None = None
    signer: str | None = None
    notes: str | None = None
    effective_from: str | None = None
    effective_to: str | None = None
    replaced_by: str | None = None
    indexed: bool = Field(description="Có trong chỉ mục đang phục vụ")


class BuildOut(BaseModel):
    state: Literal["idle", "running", "succeeded", "failed"]
    queued: bool
    started_at: str | None
    finished_at: str | None
    seconds: float | None
    build_id: str | None
    documents: int | None
    analysed: int | None
    embedded: int | None
    skipped: list[str]
    error: str | None
    pid: int | None


class AdminDocumentsOut(BaseModel):
    documents: list[AdminEntryOut]
    build: BuildOut


class AdminChangeOut(BaseModel):
    document: AdminEntryOut | None = None
    removed: str | None = None
    guessed: dict[str, str | None] = Field(default_factory=dict, description="Thông tin đọc được từ chính văn bản")
    build: BuildOut


class AdminBuildOut(BaseModel):
    build: BuildOut


def _error(description: str, **extra: Any) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description, **extra}


_RETRY_AFTER = {"Retry-After": {"description": "Số giây nên chờ trước khi gửi lại.", "schema": {"type": "integer"}}}
ERR_BAD_JSON = {400: _error("Dữ liệu gửi lên không phải JSON hợp lệ")}
ERR_TOO_LARGE = {413: _error("Dữ liệu gửi lên quá lớn")}
ERR_INVALID = {422: _error("Dữ liệu gửi lên không hợp lệ (thiếu trường, sai kiểu, câu hỏi trống hoặc quá dài, trường lạ)")}
ERR_RATE = {429: _error("Gửi quá nhiều yêu cầu; xem Retry-After", headers=_RETRY_AFTER)}
ERR_NOT_FOUND = {404: _error("Không tìm thấy")}
ERR_NO_STANDARD = {404: _error("Không có chuẩn nghèo nào áp dụng vào ngày đó")}
ERR_SERVER = {500: _error("Lỗi máy chủ"), 503: _error("Trợ lý chưa sẵn sàng")}
POST_ERRORS = {**ERR_BAD_JSON, **ERR_TOO_LARGE, **ERR_INVALID, **ERR_RATE, **ERR_SERVER}
_BEARER = {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}}
ERR_ADMIN = {401: _error("Thiếu hoặc sai mã quản trị (Authorization: Bearer …)", headers=_BEARER), **ERR_SERVER}


def _event(name: str, data_schema: dict) -> dict:
    return {
        "type": "object",
        "required": ["event", "data"],
        "properties": {
            "event": {"const": name},
            "data": {"type": "string", "contentMediaType": "application/json", "contentSchema": data_schema},
        },
    }


# One event of /api/ask/stream, in order: citations, answer, done (or a single error).
SSE_EVENT_SCHEMA = {
    "oneOf": [
        _event("citations", {"type": "array", "items": {"$ref": "#/components/schemas/CitationOut"}}),
        _event("answer", {"$ref": "#/components/schemas/AnswerOut"}),
        _event("done", {"type": "object"}),
        _event("error", {"$ref": "#/components/schemas/ErrorResponse"}),
    ]
}
# The stream's errors are JSON too, not events (a bare "model" would take the route's media type).
STREAM_ERRORS = {
    code: {**{k: v for k, v in spec.items() if k != "model"}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
    for code, spec in POST_ERRORS.items()
}


# --------------------------------------------------------------------------------------
# Vietnamese messages for bad input
# --------------------------------------------------------------------------------------
_LABELS = {
    "question": "Câu hỏi",
    "history": "Lịch sử hội thoại (history)",
    "query": "Nội dung tìm kiếm",
    "k": "Số kết quả (k)",
    "document_ids": "Danh sách mã văn bản (document_ids)",
    "types": "Danh sách loại văn bản (types)",
    "date_from": "Ngày bắt đầu (date_from)",
    "date_to": "Ngày kết thúc (date_to)",
    "area": "Khu vực (area)",
    "members": "Số người trong hộ (members)",
    "monthly_income": "Thu nhập của hộ mỗi tháng (monthly_income)",
    "answers": "Câu trả lời (answers)",
    "date": "Ngày áp dụng (date)",
}
MSG_BAD_JSON = "Dữ liệu gửi lên không đúng định dạng JSON."
MSG_NOT_OBJECT = "Dữ liệu gửi lên phải là một đối tượng JSON (Content-Type: application/json)."
MSG_TOO_LARGE = "Dữ liệu gửi lên quá lớn."


def _label(loc: tuple) -> str:
    field = loc[1] if len(loc) > 1 else None
    if not isinstance(field, str):
        return "Dữ liệu gửi lên"
    label = _LABELS.get(field, f"Trường '{field[:60]}'")
    if len(loc) > 2 and isinstance(loc[2], int):
        item = "Câu" if field == "history" else "Mục"
        return f"{item} thứ {loc[2] + 1} của {label[:1].lower()}{label[1:]}"
    return label


def describe_validation_error(errors: list[dict], max_chars: int) -> tuple[int, str]:
    """The HTTP status and one clear Vietnamese sentence for the first problem found."""
    if not errors:
        return 422, "Dữ liệu gửi lên không hợp lệ."
    err = errors[0]
    kind, loc, ctx = err.get("type", ""), tuple(err.get("loc", ())), err.get("ctx") or {}
    if kind == "json_invalid":
        return 400, MSG_BAD_JSON
    if loc and loc[0] not in ("body", "query"):
        return 422, "Địa chỉ yêu cầu không hợp lệ."
    if len(loc) <= 1:
        return 422, ("Thiếu dữ liệu gửi lên: hãy gửi một đối tượng JSON." if kind == "missing" else MSG_NOT_OBJECT)
    field, label = loc[1], _label(loc)
    if kind == "extra_forbidden":
        return 422, f"Trường '{str(field)[:60]}' không được hỗ trợ."
    # answers' keys are the sender's text: no message (and so no log line) repeats them
    if field == "answers" and kind != "missing":
        if kind == "dict_type":
            return 422, "Câu trả lời (answers) phải là một đối tượng JSON {mã câu hỏi: true/false}."
        if kind == "too_long":
            return 422, f"Câu trả lời (answers) có tối đa {MAX_ANSWERS} mục."
        if "[key]" in loc:
            return 422, f"Mã câu hỏi trong câu trả lời (answers) dài quá {MAX_ANSWER_ID_CHARS} ký tự."
        return 422, "Câu trả lời (answers) chỉ nhận true (Có) hoặc false (Không) cho mỗi câu hỏi."
    if kind == "missing":
        return 422, f"Thiếu {label[:1].lower()}{label[1:]}."
    if kind == "blank":
        return 422, f"{label} không được để trống."
    if kind == "invalid_text":
        return 422, f"{label} chứa ký tự không hợp lệ."
    if kind == "string_too_long":
        return 422, f"{label} dài quá {ctx.get('max_length', max_chars)} ký tự."
    if kind == "too_long":
        if field == "history":
            return 422, f"Lịch sử hội thoại có tối đa {ctx.get('max_length', MAX_HISTORY)} câu."
        return 422, f"{label} có tối đa {ctx.get('max_length')} mục."
    if field == "k":
        return 422, f"Số kết quả (k) phải là số nguyên từ 1 đến {MAX_K}."
    if field == "area":
        return 422, "Khu vực (area) phải là “rural” (nông thôn) hoặc “urban” (thành thị)."
    if field == "members":
        return 422, f"Số người trong hộ (members) phải là số nguyên từ 1 đến {MAX_MEMBERS}."
    if field == "monthly_income":
        if kind == "greater_than_equal":
            return 422, "Thu nhập của hộ mỗi tháng (monthly_income) không thể là số âm; hộ không có thu nhập thì gửi 0."
        return 422, f"Thu nhập của hộ mỗi tháng (monthly_income) phải là số nguyên từ 0 đến {MAX_MONTHLY_INCOME} (đồng)."
    if field in ("date_from", "date_to", "date"):
        return 422, f"{label} phải là ngày dạng YYYY-MM-DD."
    if kind == "string_type":
        return 422, f"{label} phải là một chuỗi văn bản."
    if kind == "list_type":
        return 422, f"{label} phải là một danh sách."
    return 422, f"{label} không hợp lệ."


def _too_long(loc: tuple, limit: int) -> RequestValidationError:
    return RequestValidationError([{"type": "string_too_long", "loc": loc, "msg": "too long", "input": None, "ctx": {"max_length": limit}}])


# --------------------------------------------------------------------------------------
# Rate limiting: an in-memory sliding window per client address
# --------------------------------------------------------------------------------------
class SlidingWindowLimiter:
    def __init__(self, window: float = RATE_WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.clock = clock
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._last_sweep = clock()

    def check(self, bucket: str, client: str, limit: int) -> int | None:
        """Record a request; None if allowed, else the seconds to wait."""
        now = self.clock()
        self._sweep(now)
        hits = self._hits.setdefault((bucket, client), deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= limit:
            return max(1, math.ceil(hits[0] + self.window - now))
        hits.append(now)
        return None

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep < self.window:
            return
        self._last_sweep = now
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[key]


def _log_path(path: str) -> str:
    """The path as logged: the bot's webhook path is a secret, so it is never written out."""
    if path.startswith(WEBHOOK_PREFIX):
        return WEBHOOK_PREFIX + "…"
    return path[:200]


def _client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def rate_limited(bucket: Literal["ask", "search"]) -> Callable:
    async def dependency(request: Request) -> None:
        server: ServerSettings = _server_settings(request.app)
        limit = server.ask_rate_per_minute if bucket == "ask" else server.search_rate_per_minute
        wait = request.app.state.limiter.check(bucket, _client_key(request), limit)
        if wait is not None:
            log.warning("429 %s %s: vượt giới hạn %d yêu cầu/phút", request.method, _log_path(request.url.path), limit)
            raise HTTPException(429, f"Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau {wait} giây.", headers={"Retry-After": str(wait)})

    return dependency


# --------------------------------------------------------------------------------------
# Middleware (pure ASGI, so streaming responses pass through untouched)
# --------------------------------------------------------------------------------------
class AccessLogMiddleware:
    """One log line per request: method, path, status, time. No query string, body or
    client address: questions and who asked them stay out of the logs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            log.info("%s %s %d %.0f ms", scope["method"], _log_path(scope["path"]), status, (time.perf_counter() - started) * 1000)


class BodyLimitMiddleware:
    """Refuse request bodies over ``limit`` bytes with a JSON 413 (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES, upload_limit: int = MAX_UPLOAD_BYTES) -> None:
        self.app = app
        self.default_limit = limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if scope["path"] == f"{ADMIN_PREFIX}/documents" else self.default_limit
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            response = JSONResponse({"detail": MSG_TOO_LARGE}, status_code=413)
            log.warning("413 %s %s: %s byte", scope["method"], _log_path(scope["path"]), declared.decode())
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, MSG_TOO_LARGE)
            return message

        await self.app(scope, limited_receive, send)


class ConfiguredCORSMiddleware:
    """CORS for the configured origins only. The origins are read when the first request
    arrives, because the configuration may only be loaded by the lifespan."""

    def __init__(self, app: ASGIApp, owner: FastAPI) -> None:
        self.app = app
        self.owner = owner
        self._cors: tuple[tuple[str, ...], CORSMiddleware] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origins = tuple(_server_settings(self.owner).allowed_origins)
        if self._cors is None or self._cors[0] != origins:
            cors = CORSMiddleware(self.app, allow_origins=list(origins), allow_methods=["GET", "POST"], allow_headers=["Content-Type"], max_age=600)
            self._cors = (origins, cors)
        await self._cors[1](scope, receive, send)


# --------------------------------------------------------------------------------------
# Application state and dependencies
# --------------------------------------------------------------------------------------
@dataclass
class _Config:
    settings: Settings | None  # None until the lifespan reads ``path``
    path: Path | None


def _server_settings(app: FastAPI) -> ServerSettings:
    settings = app.state.config.settings
    return settings.server if settings is not None else ServerSettings()


def get_assistant(request: Request) -> Assistant:
    assistant = getattr(request.app.state, "assistant", None)
    if assistant is None:
        raise HTTPException(503, "Trợ lý chưa sẵn sàng. Vui lòng thử lại sau ít phút.")
    return assistant


def get_server_settings(request: Request) -> ServerSettings:
    return _server_settings(request.app)


AssistantDep = Annotated[Assistant, Depends(get_assistant)]
ServerDep = Annotated[ServerSettings, Depends(get_server_settings)]
AskLimit = Depends(rate_limited("ask"))
SearchLimit = Depends(rate_limited("search"))


def _check_lengths(body: AskRequest | SearchRequest, server: ServerSettings) -> None:
    limit = server.max_question_chars
    if isinstance(body, AskRequest):
        if len(body.question) > limit:
            raise _too_long(("body", "question"), limit)
        for i, line in enumerate(body.history or []):
            if len(line) > limit:
                raise _too_long(("body", "history", i), limit)
    elif len(body.query) > limit:
        raise _too_long(("body", "query"), limit)


def _answer_json(answer: Any) -> dict:
    return AnswerOut.model_validate(answer.to_dict()).model_dump(mode="json")


def _sse(event: str, data: Any) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n".encode("utf-8")


class EventStreamResponse(StreamingResponse):
    media_type = "text/event-stream"


def _ensure_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


# --------------------------------------------------------------------------------------
# The application
# --------------------------------------------------------------------------------------
def create_app(
    settings: Settings | None = None,
    assistant: Assistant | None = None,
    *,
    config_path: Path | str | None = None,
    web_dir: Path = WEB_DIR,
    environ: Mapping[str, str] | None = None,
) -> FastAPI:
    """Build the app. Nothing is loaded here: the lifespan opens the Assistant (unless one is
    given) and, when no ``settings`` are given, reads the config file first.

    ``environ`` is where the secrets are read ($TELEGRAM_BOT_TOKEN at startup, $TRO_LY_ADMIN_TOKEN
    now): ``os.environ`` for the real service; None (the default, as in tests) means no bot and
    no admin API — its routes do not exist at all without a token."""
    admin_token = (environ or {}).get(ADMIN_TOKEN_ENV) or None
    if admin_token is not None and len(admin_token) < MIN_ADMIN_TOKEN_CHARS:
        raise ConfigError(f"{ADMIN_TOKEN_ENV} phải dài ít nhất {MIN_ADMIN_TOKEN_CHARS} ký tự (ví dụ: python -c 'import secrets; print(secrets.token_urlsafe(32))')")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _ensure_logging()
        config: _Config = app.state.config
        opened = False
        if app.state.assistant is None:
            try:
                if config.settings is None:
                    config.settings = load_settings(config.path)
                app.state.assistant = await run_in_threadpool(Assistant.open, config.settings)
                opened = True
            except RetrievalError as exc:
                log.error("Không khởi động được trợ lý: %s", exc)
                raise
        info = app.state.assistant.info()
        # main() knows the address; under `uvicorn server:app` only uvicorn does (it logs it next)
        address = getattr(app.state, "address", None)
        log.info("Sẵn sàng: %d văn bản, %d đoạn, mô hình %s%s", info.documents, info.passages, info.model, f" — {address}" if address else "")
        if admin_token is not None:
            app.state.rebuilder = Rebuilder(app.state.assistant, config.settings or app.state.assistant.settings)
            app.state.rebuilder.start()  # the build worker loads the encoder now, not at the first upload
            log.info("API quản trị bật tại %s/ (cần mã quản trị)", ADMIN_PREFIX)
        starter = await _start_bot(app, config.settings or app.state.assistant.settings)
        try:
            yield
        finally:
            await _stop_bot(app, starter)
            if app.state.rebuilder is not None:
                app.state.rebuilder.stop()
                app.state.rebuilder = None
            if opened:
                app.state.assistant = None

    app = FastAPI(
        title="Trợ lý Giảm nghèo",
        version="1.0",
        summary="Hỏi đáp và tìm kiếm trong văn bản chính sách giảm nghèo bền vững.",
        lifespan=lifespan,
    )
    app.state.config = _Config(settings, Path(config_path) if config_path else None)
    app.state.assistant = assistant
    app.state.limiter = SlidingWindowLimiter()
    app.state.environ = environ
    app.state.bot = None
    app.state.rebuilder = None

    # the last added runs first: log → CORS (so a 413 is readable cross-origin too) → body limit
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(ConfiguredCORSMiddleware, owner=app)
    app.add_middleware(AccessLogMiddleware)

    _install_error_handlers(app)
    _install_api(app)
    _install_telegram_webhook(app)
    if admin_token is not None:
        _install_admin(app, admin_token)
    _install_pages(app, web_dir)
    _install_openapi_limits(app)
    return app


# --------------------------------------------------------------------------------------
# The Telegram bot, hosted on the server's event loop
# --------------------------------------------------------------------------------------
async def _start_bot(app: FastAPI, settings: Settings) -> asyncio.Task | None:
    """Build the bot when a token is set and start it in the background (the web service does
    not wait for Telegram, and a webhook can only be set once the server accepts POSTs)."""
    environ = app.state.environ
    try:
        credentials = Credentials.from_env(environ) if environ is not None else None
    except ConfigError as exc:
        log.error("Không khởi động được bot Telegram: %s", exc)
        raise
    if credentials is None:
        log.info("Chưa đặt TELEGRAM_BOT_TOKEN: chỉ chạy dịch vụ web, không có bot Telegram.")
        return None
    app.state.bot = TelegramBot.create(settings, app.state.assistant, credentials)
    return asyncio.create_task(app.state.bot.start_with_retries(), name="telegram-bot-start")


async def _stop_bot(app: FastAPI, starter: asyncio.Task | None) -> None:
    bot: TelegramBot | None = app.state.bot
    if starter is not None:
        starter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await starter
    if bot is not None:
        app.state.bot = None
        await bot.stop()


def _install_telegram_webhook(app: FastAPI) -> None:
    """Telegram POSTs updates here in webhook mode. Not in the OpenAPI schema: the path is a
    secret, and the only client is Telegram."""

    @app.post(WEBHOOK_PREFIX + "{key}", include_in_schema=False)
    async def telegram_webhook(key: str, request: Request) -> Response:
        bot: TelegramBot | None = request.app.state.bot
        if bot is None or not bot.webhook or not hmac.compare_digest((WEBHOOK_PREFIX + key).encode(), bot.webhook_path.encode()):
            raise HTTPException(404)
        if not bot.credentials.secret_matches(request.headers.get(TELEGRAM_SECRET_HEADER)):
            raise HTTPException(403, "Sai mã bí mật của webhook Telegram.")
        if not bot.running:
            raise HTTPException(503, "Bot Telegram đang khởi động. Vui lòng thử lại sau.")  # Telegram retries
        try:
            data = await request.json()
        except ValueError:
            raise HTTPException(400, "Dữ liệu gửi lên không đúng định dạng JSON.") from None
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise HTTPException(400, "Dữ liệu gửi lên không phải một cập nhật Telegram.")
        # the reply goes out before Telegram gets its 200: an update is never lost in a queue
        await bot.process(data)
        return Response(status_code=200)


# --------------------------------------------------------------------------------------
# Corpus administration (only with $TRO_LY_ADMIN_TOKEN)
# --------------------------------------------------------------------------------------
def get_rebuilder(request: Request) -> Rebuilder:
    if request.app.state.rebuilder is None:
        raise HTTPException(503, "Trợ lý chưa sẵn sàng. Vui lòng thử lại sau ít phút.")
    return request.app.state.rebuilder


RebuilderDep = Annotated[Rebuilder, Depends(get_rebuilder)]


def _install_admin(app: FastAPI, token: str) -> None:
    expected = f"Bearer {token}".encode()

    def require_admin(request: Request) -> None:
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            raise HTTPException(401, "Thiếu hoặc sai mã quản trị.", headers={"WWW-Authenticate": "Bearer"})

    admin = {"dependencies": [Depends(require_admin)], "tags": ["quản trị"]}

    def entries_out(entries: list[dict], assistant: Assistant) -> list[dict]:
        indexed = {d.id for d in assistant.documents()}
        return [{**entry, "indexed": entry["id"] in indexed} for entry in entries]

    @app.get(f"{ADMIN_PREFIX}/documents", response_model=AdminDocumentsOut, responses=ERR_ADMIN, summary="Các văn bản trong kho và trạng thái chỉ mục", **admin)
    async def admin_documents(builder: RebuilderDep) -> dict:
        catalog = Catalog(builder.settings)
        entries = await run_in_threadpool(catalog.entries)
        return {"documents": entries_out(entries, builder.assistant), "build": builder.status().to_dict()}

    @app.post(
        f"{ADMIN_PREFIX}/documents", status_code=202, response_model=AdminChangeOut,
        responses={**ERR_ADMIN, **ERR_TOO_LARGE, 409: _error("Đã có văn bản cùng mã (gửi replace=true để thay)"), 422: _error("Tệp hoặc thông tin không dùng được; lý do trong detail")},
        summary="Thêm một văn bản (.txt .md .docx .pdf .html) rồi xây dựng lại chỉ mục", **admin,
    )
    async def admin_upload(
        builder: RebuilderDep,
        file: Annotated[UploadFile, File(description="Tệp văn bản")],
        title: Annotated[str | None, Form()] = None, code: Annotated[str | None, Form()] = None,
        issuer: Annotated[str | None, Form()] = None, province: Annotated[str | None, Form()] = None,
        date: Annotated[str | None, Form(description="YYYY-MM-DD hoặc DD/MM/YYYY")] = None,
        type: Annotated[str | None, Form()] = None, url: Annotated[str | None, Form()] = None,
        effective_from: Annotated[str | None, Form()] = None, effective_to: Annotated[str | None, Form()] = None,
        replaced_by: Annotated[str | None, Form()] = None, replace: Annotated[bool, Form()] = False,
    ) -> dict:
        values = {"title": title, "code": code, "issuer": issuer, "province": province, "date": date, "type": type, "url": url,
                  "effective_from": effective_from, "effective_to": effective_to, "replaced_by": replaced_by}
        name = Path(file.filename or "van-ban.txt").name
        with tempfile.TemporaryDirectory() as tmp:
            staged = Path(tmp) / f"upload{Path(name).suffix.lower()}"
            with staged.open("wb") as out:
                while chunk := await file.read(1 << 20):
                    out.write(chunk)
            try:
                added = await run_in_threadpool(Catalog(builder.settings).add, staged, {k: v for k, v in values.items() if v}, file_name=name, replace=replace)
            except CorpusError as exc:
                status = 409 if "--replace" in str(exc) else 422
                message = str(exc).replace("dùng --replace", "gửi replace=true")
                log.warning("%d %s/documents: %s", status, ADMIN_PREFIX, message)
                raise HTTPException(status, message) from None
        log.info("Đã thêm văn bản %s", added.document_id)
        return {"document": entries_out([{"id": added.document_id, **added.entry}], builder.assistant)[0], "guessed": added.guessed, "build": builder.request().to_dict()}

    @app.delete(f"{ADMIN_PREFIX}/documents/{{document_id}}", status_code=202, response_model=AdminChangeOut, responses={**ERR_ADMIN, **ERR_NOT_FOUND}, summary="Xóa một văn bản rồi xây dựng lại chỉ mục", **admin)
    async def admin_delete(document_id: str, builder: RebuilderDep) -> dict:
        try:
            removed = await run_in_threadpool(Catalog(builder.settings).remove, document_id)
        except CorpusError as exc:
            raise HTTPException(404, str(exc)) from None
        log.info("Đã xóa văn bản %s", document_id)
        return {"removed": removed, "build": builder.request().to_dict()}

    @app.post(f"{ADMIN_PREFIX}/rebuild", status_code=202, response_model=AdminBuildOut, responses=ERR_ADMIN, summary="Xây dựng lại chỉ mục (chạy nền; dịch vụ vẫn trả lời)", **admin)
    async def admin_rebuild(builder: RebuilderDep) -> dict:
        return {"build": builder.request().to_dict()}

    @app.get(f"{ADMIN_PREFIX}/build", response_model=AdminBuildOut, responses=ERR_ADMIN, summary="Trạng thái lần xây dựng chỉ mục gần nhất", **admin)
    async def admin_build(builder: RebuilderDep) -> dict:
        return {"build": builder.status().to_dict()}


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        status, message = describe_validation_error(errors, _server_settings(request.app).max_question_chars)
        first = errors[0] if errors else {}
        # what went wrong and where, never the value sent; a field name we do not know is
        # the sender's text, so it is not logged either
        where = ".".join(str(p) if isinstance(p, int) or p in _LABELS or p == "body" else "?" for p in first.get("loc", ()))
        logged = message if first.get("type") != "extra_forbidden" else "trường không được hỗ trợ"
        log.warning("%d %s %s: %s [%s %s]", status, request.method, _log_path(request.url.path), logged, first.get("type", "?"), where)
        return JSONResponse({"detail": message}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404 and exc.detail in (None, "Not Found"):
            message = "Không tìm thấy địa chỉ này."
        elif exc.status_code == 405:
            message = f"Phương thức {request.method[:20]} không được hỗ trợ ở địa chỉ này."
        elif exc.status_code == 413:
            message = MSG_TOO_LARGE
        elif isinstance(exc.detail, str) and exc.detail and not exc.detail.isascii():
            message = exc.detail  # our own Vietnamese messages
        else:
            message = "Yêu cầu không hợp lệ."
        if exc.status_code >= 400 and exc.status_code != 429:
            log.warning("%d %s %s: %s", exc.status_code, request.method, _log_path(request.url.path), message)
        return JSONResponse({"detail": message}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        log.error("500 %s %s: %s", request.method, _log_path(request.url.path), type(exc).__name__, exc_info=exc)
        return JSONResponse({"detail": "Máy chủ gặp lỗi khi xử lý yêu cầu. Vui lòng thử lại sau."}, status_code=500)


def _install_api(app: FastAPI) -> None:
    @app.post("/api/ask", response_model=AnswerOut, responses=POST_ERRORS, dependencies=[AskLimit], tags=["hỏi đáp"], summary="Trả lời một câu hỏi, trích dẫn văn bản")
    async def ask(body: AskRequest, assistant: AssistantDep, server: ServerDep) -> dict:
        _check_lengths(body, server)
        answer = await run_in_threadpool(assistant.ask, body.question, history=body.history or None)
        return _answer_json(answer)

    @app.post(
        "/api/ask/stream",
        response_class=EventStreamResponse,
        responses={
            200: {
                "description": "Luồng sự kiện: `citations` (danh sách trích dẫn), `answer` (câu trả lời), `done` ({}); khi lỗi: `error` ({detail}).",
                "content": {"text/event-stream": {"itemSchema": SSE_EVENT_SCHEMA}},
            },
            **STREAM_ERRORS,
        },
        dependencies=[AskLimit],
        tags=["hỏi đáp"],
        summary="Trả lời một câu hỏi qua Server-Sent Events",
    )
    async def ask_stream(body: AskRequest, assistant: AssistantDep, server: ServerDep) -> EventStreamResponse:
        _check_lengths(body, server)

        async def events() -> AsyncIterator[bytes]:
            try:
                answer = _answer_json(await run_in_threadpool(assistant.ask, body.question, history=body.history or None))
                chunks = [_sse("citations", answer["citations"]), _sse("answer", answer), _sse("done", {})]
            except Exception as exc:  # the status line has gone out: report in the stream
                log.error("Lỗi trong /api/ask/stream: %s", type(exc).__name__, exc_info=exc)
                yield _sse("error", {"detail": "Máy chủ gặp lỗi khi tìm câu trả lời. Vui lòng thử lại sau."})
                return
            for chunk in chunks:
                yield chunk

        return EventStreamResponse(events(), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @app.post("/api/search", response_model=SearchOut, responses=POST_ERRORS, dependencies=[SearchLimit], tags=["tìm kiếm"], summary="Tìm các đoạn văn bản liên quan")
    async def search(body: SearchRequest, assistant: AssistantDep, server: ServerDep) -> dict:
        _check_lengths(body, server)
        filters = SearchFilters(
            document_ids=frozenset(body.document_ids) if body.document_ids else None,
            types=frozenset(body.types) if body.types else None,
            date_from=body.date_from,
            date_to=body.date_to,
        )
        hits = await run_in_threadpool(assistant.search, body.query, body.k, filters)
        return {"query": body.query, "hits": [h.to_dict() for h in hits]}

    @app.get(
        "/api/eligibility/questions", response_model=EligibilityQuestionsOut,
        responses={**ERR_NO_STANDARD, 422: _error("Ngày không hợp lệ"), **ERR_SERVER},
        tags=["kiểm tra hộ nghèo"], summary="Chuẩn nghèo đang áp dụng và các câu hỏi của bài kiểm tra",
    )
    async def eligibility_questions(
        assistant: AssistantDep,
        on: Annotated[DateText, Query(alias="date", description="Ngày áp dụng (YYYY-MM-DD); mặc định hôm nay.")] = None,
    ) -> dict:
        try:
            period = assistant.eligibility_period(on)
        except NoStandardError as exc:
            raise HTTPException(404, str(exc)) from None
        return {
            "period": period.summary(),
            "areas": [{"id": area, "label": label} for area, label in AREA_LABELS.items()],
            "questions": [i.to_dict() for i in period.indicators],
            "notice": period.notice,
        }

    @app.post(
        "/api/eligibility", response_model=EligibilityOut, responses={**POST_ERRORS, **ERR_NO_STANDARD}, dependencies=[SearchLimit],
        tags=["kiểm tra hộ nghèo"], summary="Kiểm tra hộ nghèo, cận nghèo theo chuẩn đang áp dụng, kèm chính sách hỗ trợ trong văn bản",
    )
    async def eligibility(body: EligibilityRequest, assistant: AssistantDep) -> dict:
        household = Household(body.area, body.members, body.monthly_income, dict(body.answers))
        try:
            period = assistant.eligibility_period(body.date)
            known = [i.id for i in period.indicators]
            if any(key not in known for key in body.answers):  # said without repeating the sender's keys
                raise EligibilityInputError(f"Câu trả lời (answers) có mã câu hỏi không có trong {period.name}. Các mã: {', '.join(known)}.")
            result = assistant.check_eligibility(household, on=body.date)
        except NoStandardError as exc:
            raise HTTPException(404, str(exc)) from None
        except EligibilityInputError as exc:
            raise HTTPException(422, str(exc)) from None
        support = await run_in_threadpool(assistant.support_for, result.classification)
        return {**result.to_dict(), "support": [c.to_dict() for c in support]}

    @app.get("/api/documents", response_model=DocumentsOut, responses=ERR_SERVER, tags=["văn bản"], summary="Danh sách văn bản")
    async def documents(assistant: AssistantDep) -> dict:
        return {"documents": [d.to_dict() for d in assistant.documents()]}

    @app.get("/api/documents/{document_id}", response_model=DocumentDetailOut, responses={**ERR_NOT_FOUND, 422: _error("Mã văn bản không hợp lệ"), **ERR_SERVER}, tags=["văn bản"], summary="Một văn bản và các đoạn của nó")
    async def document(document_id: str, assistant: AssistantDep) -> dict:
        try:
            doc = assistant.document(document_id)
            passages = assistant.document_passages(document_id)
        except UnknownDocumentError:
            raise HTTPException(404, f"Không tìm thấy văn bản có mã “{document_id[:100]}”.") from None
        return {
            "document": doc.to_dict(),
            "passages": [{"id": p.id, "location": p.location_text, "text": p.text, "searchable": p.searchable} for p in passages],
        }

    @app.get("/healthz", response_model=HealthOut, responses=ERR_SERVER, tags=["vận hành"], summary="Tình trạng máy chủ")
    async def healthz(assistant: AssistantDep) -> dict:
        info = assistant.info()
        return {"status": "ok", "model": info.model, "documents": info.documents, "passages": info.passages, "built_at": info.built_at}


def _install_pages(app: FastAPI, web_dir: Path) -> None:
    def page(name: str, media_type: str | None = None, headers: dict[str, str] | None = None) -> FileResponse:
        path = web_dir / name
        if not path.is_file():
            raise HTTPException(404, "Không tìm thấy trang này.")
        return FileResponse(path, media_type=media_type, headers=headers)

    html_headers = {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"}

    @app.get("/", include_in_schema=False)
    async def index_page() -> FileResponse:
        return page("index.html", "text/html; charset=utf-8", html_headers)

    @app.get("/documents/{document_id}", include_in_schema=False)
    async def document_page(document_id: str) -> FileResponse:
        return page("document.html", "text/html; charset=utf-8", html_headers)

    @app.get("/widget.js", include_in_schema=False)
    async def widget() -> FileResponse:
        return page("widget.js", "application/javascript; charset=utf-8", {"Cache-Control": "public, max-age=300"})

    app.mount("/static", StaticFiles(directory=web_dir, check_dir=False), name="static")


def _answers_schema(app: FastAPI) -> dict | None:
    """`answers` of POST /api/eligibility as the standard in force defines it: one boolean per
    question, all required, no others (the ids come from the standards file, not from code)."""
    settings = app.state.config.settings or Settings()
    try:
        period = load_standards(settings.standards_path).period_on(date.today())
    except RetrievalError:
        return None
    return {
        "type": "object",
        "description": f"Câu trả lời cho từng câu hỏi của {period.name}: true (Có) / false (Không); đủ mọi câu.",
        "properties": {i.id: {"type": "boolean", "title": i.name, "description": i.question} for i in period.indicators},
        "required": [i.id for i in period.indicators],
        "additionalProperties": False,
    }


def _install_openapi_limits(app: FastAPI) -> None:
    """Finish the schema: the length limit comes from [server] (known once configured)."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = build()
            limit = _server_settings(app).max_question_chars
            components = schema.get("components", {}).get("schemas", {})
            for model, field in (("AskRequest", "question"), ("SearchRequest", "query")):
                prop = components.get(model, {}).get("properties", {}).get(field)
                if prop is not None:
                    prop["maxLength"] = limit
            history = components.get("AskRequest", {}).get("properties", {}).get("history", {})
            for option in history.get("anyOf", [history]):
                if option.get("type") == "array":
                    option.setdefault("items", {})["maxLength"] = limit
            # The stream is described event by event (itemSchema, as FastAPI's own SSE routes
            # do); the whole-body "schema" FastAPI adds for a non-JSON response class would say
            # the stream is one string.
            stream = schema["paths"]["/api/ask/stream"]["post"]["responses"]["200"]["content"]["text/event-stream"]
            stream.pop("schema", None)
            answers = _answers_schema(app)
            if answers is not None and "EligibilityRequest" in components:
                components["EligibilityRequest"]["properties"]["answers"] = answers
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# Loads nothing at import: `uvicorn server:app` reads $TRO_LY_CONFIG or ./config.toml, and the
# bot's secrets from the environment, at startup.
app = create_app(environ=os.environ)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Máy chủ web của Trợ lý Giảm nghèo.")
    parser.add_argument("--config", help="tệp cấu hình (mặc định: $TRO_LY_CONFIG hoặc config.toml)")
    parser.add_argument("--host", help="địa chỉ lắng nghe (mặc định: [server] host)")
    parser.add_argument("--port", type=int, help="cổng (mặc định: [server] port)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    import uvicorn

    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"Lỗi cấu hình: {exc}", file=sys.stderr)
        return 2
    host = args.host or settings.server.host
    port = settings.server.port if args.port is None else args.port
    settings = settings.with_overrides(server={"host": host, "port": port})
    application = create_app(settings, environ=os.environ)
    application.state.address = f"http://{host}:{port}"
    uvicorn.run(application, host=host, port=port, access_log=False, log_config=None, server_header=False, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
