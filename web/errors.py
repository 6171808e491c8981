"""Errors in Vietnamese: every 4xx/5xx is ``{"detail": "one sentence"}``, declared in the
OpenAPI schema, logged with what went wrong and where, never with the text that was sent."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from retrieval.text.amounts import MAX_MEMBERS, MAX_MONTHLY_INCOME

from .middleware import log_path
from .schemas import MAX_ANSWER_ID_CHARS, MAX_ANSWERS, MAX_HISTORY, MAX_K, ErrorResponse

log = logging.getLogger("tro_ly.server")

MSG_BAD_JSON = "Dữ liệu gửi lên không đúng định dạng JSON."
MSG_NOT_OBJECT = "Dữ liệu gửi lên phải là một đối tượng JSON (Content-Type: application/json)."
MSG_TOO_LARGE = "Dữ liệu gửi lên quá lớn."
MSG_NOT_READY = "Trợ lý chưa sẵn sàng. Vui lòng thử lại sau ít phút."
MSG_SERVER = "Máy chủ gặp lỗi khi xử lý yêu cầu. Vui lòng thử lại sau."


def rate_limited_message(seconds: int) -> str:
    return f"Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau {seconds} giây."


# -- the errors each route declares in the OpenAPI schema --------------------------------------
def declared(description: str, **extra: Any) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description, **extra}


_RETRY_AFTER = {"Retry-After": {"description": "Số giây nên chờ trước khi gửi lại.", "schema": {"type": "integer"}}}
_BEARER = {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}}
ERR_BAD_JSON = {400: declared("Dữ liệu gửi lên không phải JSON hợp lệ")}
ERR_TOO_LARGE = {413: declared("Dữ liệu gửi lên quá lớn")}
ERR_INVALID = {422: declared("Dữ liệu gửi lên không hợp lệ (thiếu trường, sai kiểu, câu hỏi trống hoặc quá dài, trường lạ)")}
ERR_RATE = {429: declared("Gửi quá nhiều yêu cầu; xem Retry-After", headers=_RETRY_AFTER)}
ERR_NOT_FOUND = {404: declared("Không tìm thấy")}
ERR_NO_STANDARD = {404: declared("Không có chuẩn nghèo nào áp dụng vào ngày đó")}
ERR_SERVER = {500: declared("Lỗi máy chủ"), 503: declared("Trợ lý chưa sẵn sàng")}
POST_ERRORS = {**ERR_BAD_JSON, **ERR_TOO_LARGE, **ERR_INVALID, **ERR_RATE, **ERR_SERVER}
ERR_ADMIN = {401: declared("Thiếu hoặc sai mã quản trị (Authorization: Bearer …)", headers=_BEARER), **ERR_SERVER}


# -- a validation error as one sentence --------------------------------------------------------
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
    "step": "Mã câu hỏi (step)",
    "text": "Câu trả lời (text)",
}


def _lower_first(text: str) -> str:
    return f"{text[:1].lower()}{text[1:]}"


def _label(loc: tuple) -> str:
    field = loc[1] if len(loc) > 1 else None
    if not isinstance(field, str):
        return "Dữ liệu gửi lên"
    label = _LABELS.get(field, f"Trường '{field[:60]}'")
    if len(loc) > 2 and isinstance(loc[2], int):
        item = "Câu" if field == "history" else "Mục"
        return f"{item} thứ {loc[2] + 1} của {_lower_first(label)}"
    return label


def _answers_message(kind: str, loc: tuple) -> str:
    # answers' keys are the sender's text: no message (and so no log line) repeats them
    if kind == "dict_type":
        return "Câu trả lời (answers) phải là một đối tượng JSON {mã câu hỏi: true/false}."
    if kind == "too_long":
        return f"Câu trả lời (answers) có tối đa {MAX_ANSWERS} mục."
    if "[key]" in loc:
        return f"Mã câu hỏi trong câu trả lời (answers) dài quá {MAX_ANSWER_ID_CHARS} ký tự."
    return "Câu trả lời (answers) chỉ nhận true (Có) hoặc false (Không) cho mỗi câu hỏi."


def _field_message(field: str, kind: str, label: str) -> str | None:
    """What a field's own rule says, whatever the kind of error."""
    if field == "k":
        return f"Số kết quả (k) phải là số nguyên từ 1 đến {MAX_K}."
    if field == "area":
        return "Khu vực (area) phải là “rural” (nông thôn) hoặc “urban” (thành thị)."
    if field == "members":
        return f"Số người trong hộ (members) phải là số nguyên từ 1 đến {MAX_MEMBERS}, hoặc câu trả lời như người dân gõ (“4”, “bốn người”)."
    if field == "monthly_income":
        if kind == "greater_than_equal":
            return "Thu nhập của hộ mỗi tháng (monthly_income) không thể là số âm; hộ không có thu nhập thì gửi 0."
        return (f"Thu nhập của hộ mỗi tháng (monthly_income) phải là số nguyên từ 0 đến {MAX_MONTHLY_INCOME} (đồng), "
                "hoặc câu trả lời như người dân gõ (“6 triệu”, “1tr5”).")
    if field in ("date_from", "date_to", "date"):
        return f"{label} phải là ngày dạng YYYY-MM-DD."
    return None


def describe_validation_error(errors: list[dict]) -> tuple[int, str]:
    """The HTTP status and one clear Vietnamese sentence for the first problem found."""
    if not errors:
        return 422, "Dữ liệu gửi lên không hợp lệ."
    # a field that takes a number or typed text (members, monthly_income) fails on both
    # branches: the text branch's length says more than "not a number"
    err = next((e for e in errors if e.get("type") == "string_too_long"), errors[0])
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
    if kind == "missing":
        return 422, f"Thiếu {_lower_first(label)}."
    if field == "answers":
        return 422, _answers_message(kind, loc)
    if kind in ("blank", "string_too_short"):
        return 422, f"{label} không được để trống."
    if kind in ("invalid_text", "string_unicode"):  # a lone surrogate ("\\ud800")
        return 422, f"{label} chứa ký tự không hợp lệ."
    if kind == "string_too_long":
        return 422, f"{label} dài quá {ctx.get('max_length')} ký tự."
    if kind == "too_long":
        if field == "history":
            return 422, f"Lịch sử hội thoại có tối đa {ctx.get('max_length', MAX_HISTORY)} câu."
        return 422, f"{label} có tối đa {ctx.get('max_length')} mục."
    own = _field_message(str(field), kind, label)
    if own is not None:
        return 422, own
    if kind == "string_type":
        return 422, f"{label} phải là một chuỗi văn bản."
    if kind == "list_type":
        return 422, f"{label} phải là một danh sách."
    return 422, f"{label} không hợp lệ."


def _http_message(request: Request, exc: StarletteHTTPException) -> str:
    if exc.status_code == 404 and exc.detail in (None, "Not Found"):
        return "Không tìm thấy địa chỉ này."
    if exc.status_code == 405:
        return f"Phương thức {request.method[:20]} không được hỗ trợ ở địa chỉ này."
    if exc.status_code == 413:  # FastAPI's own body limit says it in English
        return MSG_TOO_LARGE
    if isinstance(exc.detail, str) and exc.detail and not exc.detail.isascii():
        return exc.detail  # our own Vietnamese messages
    return "Yêu cầu không hợp lệ."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        status, message = describe_validation_error(errors)
        first = errors[0] if errors else {}
        # what went wrong and where, never the value sent; a field name we do not know is
        # the sender's text, so it is not logged either
        where = ".".join(str(p) if isinstance(p, int) or p in _LABELS or p == "body" else "?" for p in first.get("loc", ()))
        logged = message if first.get("type") != "extra_forbidden" else "trường không được hỗ trợ"
        log.warning("%d %s %s: %s [%s %s]", status, request.method, log_path(request.url.path), logged, first.get("type", "?"), where)
        return JSONResponse({"detail": message}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = _http_message(request, exc)
        if exc.status_code != 429:  # a flood of 429s would flood the log; the limiter says it once
            log.warning("%d %s %s: %s", exc.status_code, request.method, log_path(request.url.path), message)
        return JSONResponse({"detail": message}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        log.error("500 %s %s: %s", request.method, log_path(request.url.path), type(exc).__name__, exc_info=exc)
        return JSONResponse({"detail": MSG_SERVER}, status_code=500)

