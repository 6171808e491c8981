"""Clause labels for the report, from a loaded index: "Chỉ thị 19-CT/TU — 6. Tiếp tục…"."""

from __future__ import annotations

from collections.abc import Callable

from ..index.load import LoadedIndex


def index_labels(index: LoadedIndex) -> tuple[Callable[[str], str | None], Callable[[str], str | None]]:
    """``describe(passage_id)`` (None for a passage the index no longer has) and
    ``owner(passage_id)`` (its document id)."""
    passages = index.passage_by_id

    def describe(passage_id: str) -> str | None:
        passage = passages.get(passage_id)
        if passage is None:
            return None
        document = index.documents.get(passage.document_id)
        return f"{document.metadata.short_name} — {passage.location_text}" if document else passage.location_text

    def owner(passage_id: str) -> str | None:
        passage = passages.get(passage_id)
        return passage.document_id if passage is not None else passage_id.rsplit("-", 1)[0]

    return describe, owner
