"""GET /healthz: the index being served (liveness: the process answers; for monitors and the
start-up check of the tests). GET /readyz: whether this replica should be sent requests now —
index loaded, records database and shared Redis reachable — 503 otherwise, for the balancer and
for upgrades one replica at a time (docs/deploy.md). /readyz is an operations probe, not part of
the API: it is not in the schema."""

import asyncio

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from retrieval.contract import HealthOut

from ..deps import AssistantDep
from ..errors import ERR_SERVER

router = APIRouter(tags=["vận hành"])

PROBE_SECONDS = 3.0  # a check that takes longer fails: a balancer's probe must not hang
OK = "ok"


@router.get("/healthz", response_model=HealthOut, responses=ERR_SERVER, summary="Tình trạng máy chủ")
async def healthz(assistant: AssistantDep) -> HealthOut:
    return HealthOut.from_domain(assistant.info())


async def _probe(check, *args) -> str:
    """``OK``, or what went wrong in a few words (the type of the error: never a URL, which may
    hold a password)."""
    try:
        result = await asyncio.wait_for(run_in_threadpool(check, *args), PROBE_SECONDS)
    except TimeoutError:
        return f"không trả lời trong {PROBE_SECONDS:.0f} giây"
    except Exception as exc:  # noqa: BLE001
        return f"lỗi {type(exc).__name__}"
    return OK if result is not False else "không kết nối được"


@router.get("/readyz", include_in_schema=False)
async def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    checks: dict[str, str] = {}
    assistant = state.assistant
    build_id = None
    if assistant is None:
        checks["index"] = "chưa nạp"
    else:
        checks["index"] = OK
        build_id = assistant.info().build_id
        checks["records"] = await _probe(assistant.records.ping)
    if state.limiter.shared:
        checks["rate_limits"] = await _probe(state.limiter.ping)
    bot = state.bot
    if bot is not None and bot.redis is not None:
        try:
            await asyncio.wait_for(bot.redis.ping(), PROBE_SECONDS)
            checks["telegram_state"] = OK
        except Exception as exc:  # noqa: BLE001
            checks["telegram_state"] = f"lỗi {type(exc).__name__}"
    ready = all(value == OK for value in checks.values())
    body = {"ready": ready, "build_id": build_id, "checks": checks}
    if bot is not None:  # said, not required: Telegram retries what a replica cannot take yet
        body["telegram"] = "đang chạy" if bot.running else "đang khởi động"
    return JSONResponse(body, status_code=200 if ready else 503)
