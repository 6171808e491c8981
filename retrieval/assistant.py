"""The one object the bot, the web layer and the CLI use."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from .answer import Answerer
from .coalesce import Coalescer
from .corpus import load_corpus
from .domain import Answer, Citation, Document, Hit, Passage, SearchFilters
from .eligibility import SUPPORT_TOPICS, Classification, EligibilityResult, Household, check
from .embeddings import Embedder, load_embedder
from .errors import StaleIndexError, StandardsError, UnknownDocumentError
from .index import BuildReport, LoadedIndex, build_index, load_index
from .search import Searcher
from .settings import SearchMode, Settings, load_settings
from .standards import PovertyStandards, StandardPeriod, load_standards
from .text import fold

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexInfo:
    model: str
    documents: int
    passages: int
    searchable_passages: int
    built_at: str
    build_id: str


def _check_encoder(embedder: Embedder | None, index: LoadedIndex) -> None:
    """Questions must be embedded by the encoder that embedded the passages: another model, or
    the same one run another way (sentence-transformers, ONNX float32, ONNX int8), is refused."""
    if embedder is None:
        return
    if embedder.dim != index.dense.dim:
        raise StaleIndexError(f"Mô hình có {embedder.dim} chiều nhưng chỉ mục có {index.dense.dim}. Hãy chạy: python -m retrieval build")
    built_by = index.manifest.get("model", {}).get("identity")
    if built_by != embedder.identity:
        raise StaleIndexError(f"Chỉ mục được nhúng bằng '{built_by}', nhưng bộ mã hóa đang dùng là '{embedder.identity}'. Hãy chạy: python -m retrieval build")


def build(settings: Settings | None = None, embedder: Embedder | None = None) -> BuildReport:
    """Segment, embed and index the corpus; the new build becomes current when complete."""
    settings = settings or load_settings()
    corpus = load_corpus(settings.corpus_dir, settings.metadata_path)
    return build_index(settings, embedder or load_embedder(settings), corpus)


@dataclass(frozen=True)
class _Engine:
    """Everything that answers from one index build. Swapped whole, so a call that took it
    keeps answering from one build even if a newer one arrives meanwhile."""

    index: LoadedIndex
    searcher: Searcher
    answerer: Answerer
    passages: dict[str, Passage]

    @classmethod
    def over(cls, index: LoadedIndex, settings: Settings, embedder: Embedder | None, standards: PovertyStandards | None) -> "_Engine":
        searcher = Searcher(index, embedder, settings.search)
        return cls(index, searcher, Answerer(index, searcher, settings.answer, standards), index.passage_by_id)


class Assistant:
    """Search and answer over one loaded index, which ``reload()`` replaces while serving."""

    def __init__(self, settings: Settings, index: LoadedIndex, embedder: Embedder | None) -> None:
        self.settings = settings
        self.embedder = embedder
        # the poverty standards: a bad data file stops the start, like a bad config.toml
        self.standards = load_standards(settings.standards_path)
        self._engine = _Engine.over(index, settings, embedder, self.standards)
        self._reload_lock = threading.Lock()
        # every thread's questions and searches share batches, at most two computing at a time:
        # one encodes its questions (onnxruntime, no GIL) while the other builds its answers
        self._batches: Coalescer[tuple, Any] = Coalescer(self._run_batch, max_running=2)

    @classmethod
    def open(cls, settings: Settings | None = None, embedder: Embedder | None = None, check_fresh: bool = True) -> "Assistant":
        """Load the current index (refusing a stale one) and, unless search is BM25-only, the model."""
        settings = settings or load_settings()
        index = load_index(settings, check_fresh=check_fresh)
        if embedder is None and settings.search.mode != "bm25":
            embedder = load_embedder(settings)
        _check_encoder(embedder, index)
        assistant = cls(settings, index, embedder)
        assistant.search("hộ nghèo", k=1)  # loads the word segmenter now, not on a citizen's first question
        return assistant

    def reload(self) -> IndexInfo:
        """Move to the index build that is current on disk now, atomically: calls already
        running finish on the old one, later calls use the new one. The model stays loaded.
        Raises (and keeps the old index) if the new build cannot be loaded."""
        with self._reload_lock:
            index = load_index(self.settings, check_fresh=False)  # the corpus may change again meanwhile
            _check_encoder(self.embedder, index)
            try:  # a cadre may have edited the standards file meanwhile
                self.standards = load_standards(self.settings.standards_path)
            except StandardsError as exc:  # never block a new index on it: keep the standards in use
                log.error("Giữ chuẩn nghèo đang dùng: %s", exc)
            self._engine = _Engine.over(index, self.settings, self.embedder, self.standards)
        log.info("Đã chuyển sang chỉ mục %s", index.manifest["build_id"])
        return self.info()

    @property
    def index(self) -> LoadedIndex:
        return self._engine.index

    # -- search and answers ---------------------------------------------------------
    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None, mode: SearchMode | None = None) -> list[Hit]:
        """Safe to call from many threads at once: concurrent calls are computed in batches."""
        return self._batches.submit(("search", k, filters, mode), query)

    def batch_search(self, queries: list[str], k: int | None = None, filters: SearchFilters | None = None, mode: SearchMode | None = None) -> list[list[Hit]]:
        return self._engine.searcher.batch_search(queries, k, filters, mode)

    def ask(self, question: str, history: list[str] | None = None, mode: SearchMode | None = None) -> Answer:
        """Safe to call from many threads at once: concurrent calls are computed in batches."""
        return self._batches.submit(("ask", mode), (question, history or []))

    def batch_ask(self, questions: list[str], histories: list[list[str]] | None = None, mode: SearchMode | None = None) -> list[Answer]:
        return self._engine.answerer.batch_answer(questions, histories, mode)

    def _run_batch(self, key: tuple, items: list) -> list:
        engine = self._engine
        if key[0] == "ask":
            return engine.answerer.batch_answer([q for q, _ in items], [h for _, h in items], key[1])
        _, k, filters, mode = key
        return engine.searcher.batch_search(items, k, filters, mode)

    # -- eligibility self-check ------------------------------------------------------
    def eligibility_period(self, on: date | None = None) -> StandardPeriod:
        """The poverty standard in force on that day (today by default), with its questions;
        NoStandardError when none is."""
        return self.standards.period_on(on or date.today())

    def check_eligibility(self, household: Household, on: date | None = None) -> EligibilityResult:
        """Classify a household under the standard in force on that day (today by default).
        EligibilityInputError for invalid input, NoStandardError when no standard applies."""
        on = on or date.today()
        return check(household, self.standards.period_on(on), checked_on=on)

    def support_for(self, classification: Classification | str, k: int | None = None) -> list[Citation]:
        """Passages of the corpus about support for that group ("hỗ trợ hộ cận nghèo"), with
        citations; only passages that name the group count. Empty for a group with none."""
        topic = SUPPORT_TOPICS.get(Classification(classification))
        wanted = self.settings.eligibility.support_passages if k is None else k
        if topic is None or wanted <= 0:
            return []
        mentions = [fold(m) for m in topic.mentions]
        hits = self.search(topic.query, k=max(10, 4 * wanted))
        chosen = [h for h in hits if any(m in fold(h.passage.text) for m in mentions)][:wanted]
        return [Citation(n, hit) for n, hit in enumerate(chosen, start=1)]

    # -- documents ------------------------------------------------------------------
    def documents(self) -> list[Document]:
        return list(self._engine.index.documents.values())

    def document(self, document_id: str) -> Document:
        try:
            return self._engine.index.documents[document_id]
        except KeyError:
            raise UnknownDocumentError(f"Không có văn bản mã '{document_id}'") from None

    def document_passages(self, document_id: str) -> list[Passage]:
        index = self._engine.index
        if document_id not in index.documents:
            raise UnknownDocumentError(f"Không có văn bản mã '{document_id}'")
        return list(index.all_passages[document_id])

    def passage(self, passage_id: str) -> Passage | None:
        return self._engine.passages.get(passage_id)

    def info(self) -> IndexInfo:
        m = self._engine.index.manifest
        return IndexInfo(
            model=m["model"]["name"],
            documents=m["counts"]["documents"],
            passages=m["counts"]["passages"],
            searchable_passages=m["counts"]["searchable_passages"],
            built_at=m["built_at"],
            build_id=m["build_id"],
        )
