"""GET /healthz: the index being served (for monitors and the start-up check of the tests)."""

from fastapi import APIRouter

from retrieval.contract import HealthOut

from ..deps import AssistantDep
from ..errors import ERR_SERVER

router = APIRouter(tags=["vận hành"])


@router.get("/healthz", response_model=HealthOut, responses=ERR_SERVER, summary="Tình trạng máy chủ")
async def healthz(assistant: AssistantDep) -> HealthOut:
    return HealthOut.from_domain(assistant.info())
