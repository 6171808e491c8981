"""POST /api/search: the clauses that match, with filters (documents, types, dates)."""

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from retrieval import SearchFilters
from retrieval.contract import SearchOut

from ..deps import AssistantDep, SearchLimit
from ..errors import POST_ERRORS
from ..schemas import RequestModels


def build(requests: RequestModels) -> APIRouter:
    router = APIRouter(tags=["tìm kiếm"])
    SearchRequest = requests.search

    @router.post("/api/search", response_model=SearchOut, responses=POST_ERRORS, dependencies=[SearchLimit], summary="Tìm các đoạn văn bản liên quan")
    async def search(body: SearchRequest, assistant: AssistantDep) -> SearchOut:
        filters = SearchFilters(
            document_ids=frozenset(body.document_ids) if body.document_ids else None,  # an empty list filters nothing
            types=frozenset(body.types) if body.types else None,
            date_from=body.date_from,
            date_to=body.date_to,
        )
        hits = await run_in_threadpool(assistant.search, body.query, body.k, filters)
        return SearchOut.from_domain(body.query, hits)

    return router
