"""The app's ASGI middlewares, pure ASGI (no body buffering): what observes each request (the
access log here; web/metrics.py counts requests on the same base) and the Vietnamese wording
of FastAPI's own 413. Also how a path is written in the logs and how a request is named in the
metrics (its route template)."""

from __future__ import annotations

import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import WEBHOOK_PREFIX

log = logging.getLogger("tro_ly.server")


def log_path(path: str) -> str:
    """The path as logged: the bot's webhook path is a secret, so it is never written out."""
    if path.startswith(WEBHOOK_PREFIX):
        return WEBHOOK_PREFIX + "…"
    return path[:200]


UNMATCHED = "(không có)"


def route_label(scope: Scope) -> str:
    """The route template a request matched (``/api/documents/{document_id}``; ``/static`` for
    the files), set in the scope by the router once the app has run; ``(không có)`` for a path
    no route has, so that no unknown path ever becomes a metric series of its own."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED
    return log_path(path) if path.startswith(WEBHOOK_PREFIX) else path


class _HttpMiddleware:
    """Passes everything but HTTP requests through untouched (lifespan, websockets)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.handle(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class RequestObserver(_HttpMiddleware):
    """Times each request and catches its status, then tells ``observe`` (the access log, the
    metrics). ``extra_headers`` go on every response."""

    extra_headers: tuple[tuple[bytes, bytes], ...] = ()

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500  # what the client gets when the app fails before answering

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if self.extra_headers:
                    message = {**message, "headers": [*message.get("headers", []), *self.extra_headers]}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            self.observe(scope, status, time.perf_counter() - started)

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        raise NotImplementedError


class AccessLogMiddleware(RequestObserver):
    """One log line per request: method, path, status, time. No query string, body or client
    address: questions and who asked them stay out of the logs. Marks every response
    ``nosniff`` too."""

    extra_headers = ((b"x-content-type-options", b"nosniff"),)

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        ms = seconds * 1000
        # the fields again for JSON logs (web/logs.py): what the line says, nothing more
        fields = {"method": scope["method"], "path": log_path(scope["path"]), "route": route_label(scope), "status": status, "duration_ms": round(ms, 1)}
        log.info("%s %s %d %.0f ms", scope["method"], log_path(scope["path"]), status, ms, extra={"request": fields})


class TooLargeInVietnamese(_HttpMiddleware):
    """FastAPI's body limit (``max_body_size``) answers a request whose Content-Length
    announces too much itself, whatever the app says, in English plain text; this rewords
    that one answer as ``{"detail": detail}``, like every other error. A body found too large
    while it is read reaches the app's error handler instead. Added inside CORS, so the
    answer stays readable cross-origin."""

    def __init__(self, app: ASGIApp, detail: str) -> None:
        super().__init__(app)
        self.body = json.dumps({"detail": detail}, ensure_ascii=False).encode()

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        reworded = False

        async def send_reworded(message: Message) -> None:
            nonlocal reworded
            if message["type"] == "http.response.start" and message["status"] == 413:
                headers = message.get("headers", [])
                if dict(headers).get(b"content-type", b"").startswith(b"text/plain"):
                    reworded = True
                    kept = [(k, v) for k, v in headers if k not in (b"content-type", b"content-length")]
                    json_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(self.body)).encode())]
                    await send({**message, "headers": [*kept, *json_headers]})
                    await send({"type": "http.response.body", "body": self.body})
                    return
            if not reworded:  # the English body of a reworded answer is dropped
                await send(message)

        await self.app(scope, receive, send_reworded)
