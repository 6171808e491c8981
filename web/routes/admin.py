"""/api/admin/…: add, remove and re-index documents over HTTP. Mounted only when
$TRO_LY_ADMIN_TOKEN is set; every call needs ``Authorization: Bearer <token>``. Builds run in
a child process (``Rebuilder``); the service keeps answering from the index it has."""

import logging
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, UploadFile
from fastapi.concurrency import run_in_threadpool

from retrieval import Assistant, Catalog, CorpusError
from retrieval.contract import AdminBuildOut, AdminChangeOut, AdminDocumentsOut, AdminEntryOut, BuildOut

from ..auth import require_admin
from ..deps import RebuilderDep
from ..errors import ERR_ADMIN, ERR_NOT_FOUND, ERR_TOO_LARGE, declared

log = logging.getLogger("tro_ly.server")

PREFIX = "/api/admin"
TOKEN_ENV = "TRO_LY_ADMIN_TOKEN"
MIN_TOKEN_CHARS = 24
# Word files with pictures and scanned annexes are large; nothing else needs more than the
# app's default body limit.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
CHUNK_BYTES = 1 << 20


def _entries(entries: list[dict], assistant: Assistant) -> list[AdminEntryOut]:
    return AdminEntryOut.from_entries(entries, {d.id for d in assistant.documents()})


def build(token: str) -> APIRouter:
    # Bearer only: these routes change the corpus, and a browser never adds Bearer by itself (web/auth.py)
    router = APIRouter(prefix=PREFIX, dependencies=[Depends(require_admin(token))], tags=["quản trị"])

    @router.get("/documents", response_model=AdminDocumentsOut, responses=ERR_ADMIN, summary="Các văn bản trong kho và trạng thái chỉ mục")
    async def admin_documents(builder: RebuilderDep) -> AdminDocumentsOut:
        entries = await run_in_threadpool(Catalog(builder.settings).entries)
        return AdminDocumentsOut(documents=_entries(entries, builder.assistant), build=BuildOut.from_domain(builder.status()))

    @router.post(
        "/documents", status_code=202, response_model=AdminChangeOut, max_body_size=MAX_UPLOAD_BYTES,
        responses={**ERR_ADMIN, **ERR_TOO_LARGE, 409: declared("Đã có văn bản cùng mã (gửi replace=true để thay)"), 422: declared("Tệp hoặc thông tin không dùng được; lý do trong detail")},
        summary="Thêm một văn bản (.txt .md .docx .pdf .html) rồi xây dựng lại chỉ mục",
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
    ) -> AdminChangeOut:
        values = {"title": title, "code": code, "issuer": issuer, "province": province, "date": date, "type": type, "url": url,
                  "effective_from": effective_from, "effective_to": effective_to, "replaced_by": replaced_by}
        name = Path(file.filename or "van-ban.txt").name
        with tempfile.TemporaryDirectory() as tmp:
            staged = Path(tmp) / f"upload{Path(name).suffix.lower()}"
            with staged.open("wb") as out:
                while chunk := await file.read(CHUNK_BYTES):
                    out.write(chunk)
            try:
                added = await run_in_threadpool(Catalog(builder.settings).add, staged, {k: v for k, v in values.items() if v}, file_name=name, replace=replace)
            except CorpusError as exc:
                status = 409 if "--replace" in str(exc) else 422
                message = str(exc).replace("dùng --replace", "gửi replace=true")
                log.warning("%d %s/documents: %s", status, PREFIX, message)
                raise HTTPException(status, message) from None
        log.info("Đã thêm văn bản %s", added.document_id)
        [entry] = _entries([{"id": added.document_id, **added.entry}], builder.assistant)
        return AdminChangeOut(document=entry, guessed=added.guessed, build=BuildOut.from_domain(builder.request()))

    @router.delete("/documents/{document_id}", status_code=202, response_model=AdminChangeOut, responses={**ERR_ADMIN, **ERR_NOT_FOUND}, summary="Xóa một văn bản rồi xây dựng lại chỉ mục")
    async def admin_delete(document_id: str, builder: RebuilderDep) -> AdminChangeOut:
        try:
            removed = await run_in_threadpool(Catalog(builder.settings).remove, document_id)
        except CorpusError as exc:
            raise HTTPException(404, str(exc)) from None
        log.info("Đã xóa văn bản %s", document_id)
        return AdminChangeOut(removed=removed, build=BuildOut.from_domain(builder.request()))

    @router.post("/rebuild", status_code=202, response_model=AdminBuildOut, responses=ERR_ADMIN, summary="Xây dựng lại chỉ mục (chạy nền; dịch vụ vẫn trả lời)")
    async def admin_rebuild(builder: RebuilderDep) -> AdminBuildOut:
        return AdminBuildOut(build=BuildOut.from_domain(builder.request()))

    @router.get("/build", response_model=AdminBuildOut, responses=ERR_ADMIN, summary="Trạng thái lần xây dựng chỉ mục gần nhất")
    async def admin_build(builder: RebuilderDep) -> AdminBuildOut:
        return AdminBuildOut(build=BuildOut.from_domain(builder.status()))

    return router
