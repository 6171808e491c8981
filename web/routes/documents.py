"""GET /api/documents and /api/documents/{id}: what the assistant knows, and one document's
full text with its passages (the document page's anchors)."""

from fastapi import APIRouter, HTTPException

from retrieval import UnknownDocumentError
from retrieval.contract import DocumentDetailOut, DocumentsOut

from ..deps import AssistantDep
from ..errors import ERR_NOT_FOUND, ERR_SERVER, declared

router = APIRouter(tags=["văn bản"])


@router.get("/api/documents", response_model=DocumentsOut, responses=ERR_SERVER, summary="Danh sách văn bản")
async def documents(assistant: AssistantDep) -> DocumentsOut:
    return DocumentsOut.from_domain(assistant.documents())


@router.get(
    "/api/documents/{document_id}", response_model=DocumentDetailOut,
    responses={**ERR_NOT_FOUND, 422: declared("Mã văn bản không hợp lệ"), **ERR_SERVER}, summary="Một văn bản và các đoạn của nó",
)
async def document(document_id: str, assistant: AssistantDep) -> DocumentDetailOut:
    try:
        return DocumentDetailOut.from_domain(assistant.document(document_id), assistant.document_passages(document_id))
    except UnknownDocumentError:
        raise HTTPException(404, f"Không tìm thấy văn bản có mã “{document_id[:100]}”.") from None
