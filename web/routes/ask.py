"""POST /api/ask: one question, its extractive answer with citations.

The answer is computed whole (tens of milliseconds) and returned as JSON; there is no stream
endpoint (docs/architecture.md says why). Every question is logged by the library, masked, with
the face it came from (``assistant.ask(face=…)``): the widget says it is the widget with the
``X-Tro-Ly-Face`` header; any other caller is the API."""

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.concurrency import run_in_threadpool

from retrieval.contract import AnswerOut

from ..deps import AskLimit, AssistantDep
from ..errors import POST_ERRORS
from ..schemas import RequestModels

# The header widget.js sends with its questions (allowed by the CORS preflight, web/app.py).
FACE_HEADER = "X-Tro-Ly-Face"


def face_of(header: str | None) -> str:
    """"widget" for the widget's own requests, "api" for everyone else. It only sorts the
    cadres' report by face: a caller that claims to be the widget gains nothing else."""
    return "widget" if (header or "").strip().lower() == "widget" else "api"


def build(requests: RequestModels) -> APIRouter:
    router = APIRouter(tags=["hỏi đáp"])
    AskRequest = requests.ask

    @router.post("/api/ask", response_model=AnswerOut, responses=POST_ERRORS, dependencies=[AskLimit], summary="Trả lời một câu hỏi, trích dẫn văn bản")
    async def ask(
        body: AskRequest,
        assistant: AssistantDep,
        face: Annotated[str | None, Header(alias=FACE_HEADER, description="“widget” khi câu hỏi đến từ widget.js; không có (hoặc khác): API. Chỉ để báo cáo theo kênh.")] = None,
    ) -> AnswerOut:
        answer = await run_in_threadpool(assistant.ask, body.question, history=body.history or None, face=face_of(face))
        return AnswerOut.from_domain(answer)

    return router
