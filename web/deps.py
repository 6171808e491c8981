"""What routes depend on, as ``Annotated`` aliases: the Assistant opened by the lifespan, the
builder of the admin API, and the per-client rate limits (budgets from ``[server]``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request

from retrieval import Assistant, Rebuilder

from .middleware import log_path
from .errors import MSG_NOT_READY, rate_limited_message
from .settings import ServerSettings

log = logging.getLogger("tro_ly.server")


def get_assistant(request: Request) -> Assistant:
    assistant = request.app.state.assistant
    if assistant is None:
        raise HTTPException(503, MSG_NOT_READY)
    return assistant


def get_rebuilder(request: Request) -> Rebuilder:
    if request.app.state.rebuilder is None:
        raise HTTPException(503, MSG_NOT_READY)
    return request.app.state.rebuilder


AssistantDep = Annotated[Assistant, Depends(get_assistant)]
RebuilderDep = Annotated[Rebuilder, Depends(get_rebuilder)]

Bucket = Literal["ask", "search"]


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def rate_limit(bucket: Bucket) -> Callable[[Request], None]:
    """A dependency counting the request in the client's ``bucket`` (429 + Retry-After past it).
    Synchronous: FastAPI runs it in a worker thread, so a Redis round trip does not hold up
    the event loop."""

    def dependency(request: Request) -> None:
        server: ServerSettings = request.app.state.server
        per_minute = server.ask_rate_per_minute if bucket == "ask" else server.search_rate_per_minute
        allowed, wait = request.app.state.limiter.hit(f"{bucket}:{_client(request)}", per_minute)
        if not allowed:
            request.app.state.metrics.rate_limited.labels(bucket).inc()
            log.warning("429 %s %s: vượt giới hạn %d yêu cầu/phút", request.method, log_path(request.url.path), per_minute)
            raise HTTPException(429, rate_limited_message(wait), headers={"Retry-After": str(wait)})

    return dependency


AskLimit = Depends(rate_limit("ask"))
SearchLimit = Depends(rate_limit("search"))
