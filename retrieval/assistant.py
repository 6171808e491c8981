"""The one object the bot, the web layer and the CLI use."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from .answer import Answerer
from .coalesce import Coalescer
from .corpus import load_corpus
from .domain import Answer, Document, Hit, Passage, SearchFilters
from .embeddings import Embedder, load_embedder
from .errors import UnknownDocumentError
from .index import BuildReport, LoadedIndex, build_index, load_index
from .search import Searcher
from .settings import SearchMode, Settings, load_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexInfo:
    model: str
    documents: int
    passages: int
    searchable_passages: int
    built_at: str
    build_id: str


def build(settings: Settings | None = None, embedder: Embedder | None = None) -> BuildReport:
    """Segment, embed and index the corpus; the new build becomes current when complete."""
    settings = settings or load_settings()
    corpus = load_corpus(settings.corpus_dir, settings.metadata_path)
    return build_index(settings, embedder or load_embedder(settings), corpus)


class Assistant:
    """Search and answer over one loaded index."""

    def __init__(self, settings: Settings, index: LoadedIndex, embedder: Embedder | None) -> None:
        self.settings = settings
        self.index = index
        self.embedder = embedder
        self._searcher = Searcher(index, embedder, settings.search)
        self._answerer = Answerer(index, self._searcher, settings.answer)
        self._passages = index.passage_by_id
        # every thread's questions and searches share batches, one batch computing at a time
        self._batches: Coalescer[tuple, Any] = Coalescer(self._run_batch)

    @classmethod
    def open(cls, settings: Settings | None = None, embedder: Embedder | None = None, check_fresh: bool = True) -> "Assistant":
        """Load the current index (refusing a stale one) and, unless search is BM25-only, the model."""
        settings = settings or load_settings()
        index = load_index(settings, check_fresh=check_fresh)
        if embedder is None and settings.search.mode != "bm25":
            embedder = load_embedder(settings)
        if embedder is not None and embedder.dim != index.dense.dim:
            from .errors import StaleIndexError

            raise StaleIndexError(f"Mô hình có {embedder.dim} chiều nhưng chỉ mục có {index.dense.dim}. Hãy chạy: python -m retrieval build")
        return cls(settings, index, embedder)

    # -- search and answers ---------------------------------------------------------
    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None, mode: SearchMode | None = None) -> list[Hit]:
        """Safe to call from many threads at once: concurrent calls are computed in batches."""
        return self._batches.submit(("search", k, filters, mode), query)

    def batch_search(self, queries: list[str], k: int | None = None, filters: SearchFilters | None = None, mode: SearchMode | None = None) -> list[list[Hit]]:
        return self._searcher.batch_search(queries, k, filters, mode)

    def ask(self, question: str, history: list[str] | None = None, mode: SearchMode | None = None) -> Answer:
        """Safe to call from many threads at once: concurrent calls are computed in batches."""
        return self._batches.submit(("ask", mode), (question, history or []))

    def batch_ask(self, questions: list[str], histories: list[list[str]] | None = None, mode: SearchMode | None = None) -> list[Answer]:
        return self._answerer.batch_answer(questions, histories, mode)

    def _run_batch(self, key: tuple, items: list) -> list:
        if key[0] == "ask":
            return self._answerer.batch_answer([q for q, _ in items], [h for _, h in items], key[1])
        _, k, filters, mode = key
        return self._searcher.batch_search(items, k, filters, mode)

    # -- documents ------------------------------------------------------------------
    def documents(self) -> list[Document]:
        return list(self.index.documents.values())

    def document(self, document_id: str) -> Document:
        try:
            return self.index.documents[document_id]
        except KeyError:
            raise UnknownDocumentError(f"Không có văn bản mã '{document_id}'") from None

    def document_passages(self, document_id: str) -> list[Passage]:
        self.document(document_id)
        return list(self.index.all_passages[document_id])

    def passage(self, passage_id: str) -> Passage | None:
        return self._passages.get(passage_id)

    def info(self) -> IndexInfo:
        m = self.index.manifest
        return IndexInfo(
            model=m["model"]["name"],
            documents=m["counts"]["documents"],
            passages=m["counts"]["passages"],
            searchable_passages=m["counts"]["searchable_passages"],
            built_at=m["built_at"],
            build_id=m["build_id"],
        )
