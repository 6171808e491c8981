"""POST /api/ask: one question, its extractive answer with citations.

The answer is computed whole (tens of milliseconds) and returned as JSON; there is no stream
endpoint (docs/architecture.md says why)."""

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from retrieval.contract import AnswerOut

from ..deps import AskLimit, AssistantDep
from ..errors import POST_ERRORS
from ..schemas import RequestModels


def build(requests: RequestModels) -> APIRouter:
    router = APIRouter(tags=["hỏi đáp"])
    AskRequest = requests.ask

    @router.post("/api/ask", response_model=AnswerOut, responses=POST_ERRORS, dependencies=[AskLimit], summary="Trả lời một câu hỏi, trích dẫn văn bản")
    async def ask(body: AskRequest, assistant: AssistantDep) -> AnswerOut:
        answer = await run_in_threadpool(assistant.ask, body.question, history=body.history or None)
        return AnswerOut.from_domain(answer)

    return router
