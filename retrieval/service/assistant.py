"""The one object the bot, the web layer and the CLI use."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..answer.pipeline import Answerer
from ..domain import Answer, Citation, Document, Hit, Passage, SearchFilters
from ..eligibility.form import CheckForm
from ..eligibility.rule import (
    SUPPORT_TOPICS,
    Classification,
    EligibilityResult,
    Household,
    assess,
)
from ..eligibility.standards import PovertyStandards, StandardPeriod, load_standards
from ..errors import StaleIndexError, StandardsError, UnknownDocumentError
from ..index.build import BuildReport, build_index
from ..index.embeddings import Embedder, load_embedder
from ..index.load import LoadedIndex, load_index
from ..ingest.corpus import load_corpus
from ..records import FACES, Records, open_records
from ..report import Report, build_report, index_labels
from ..search.query import Query, QueryReader
from ..search.searcher import Searcher
from ..settings import SearchMode, Settings, load_settings
from ..text.chat import ChatReader
from ..text.core import fold
from ..text.places import PlaceIndex
from ..text.vocabulary import Vocabulary
from .coalesce import Coalescer

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
        places = PlaceIndex.for_documents({d.id: d.metadata for d in index.documents.values()}, (d.text for d in index.documents.values()))
        chat = ChatReader(index.accents.forms, index.accents.pairs, places.gazetteer.syllables())
        reader = QueryReader(chat, Vocabulary.load(settings.vocabulary_path), places, index.accents)
        searcher = Searcher(index, embedder, settings.search, reader)
        answerer = Answerer(index, searcher, settings.answer, standards, today=lambda: _today(settings), places=places)
        return cls(index, searcher, answerer, index.passage_by_id)


def _check_face(face: str | None) -> None:
    if face is not None and face not in FACES:
        raise ValueError(f"face must be one of {', '.join(FACES)}, not {face!r}")


def _today(settings: Settings) -> date:
    """The day whose poverty standard applies: ``[eligibility] as_of``, else today."""
    return settings.eligibility.as_of or date.today()


class Assistant:
    """Search and answer over one loaded index, which ``reload()`` replaces while serving."""

    def __init__(self, settings: Settings, index: LoadedIndex, embedder: Embedder | None) -> None:
        self.settings = settings
        self.embedder = embedder
        # the poverty standards: a bad data file stops the start, like a bad config.toml
        self.standards = load_standards(settings.standards_path)
        self._engine = _Engine.over(index, settings, embedder, self.standards)
        self._reload_lock = threading.Lock()
        # the question log and the feedback table; nothing is written until a face asks
        self.records: Records = open_records(settings)
        # every thread's questions and searches share batches, at most two computing at a time:
        # one encodes its questions (onnxruntime, no GIL) while the other builds its answers
        self._batches: Coalescer[tuple, Any] = Coalescer(self._run_batch, max_running=2)
        # told of every answer given to a face (the service's metrics count them by status)
        self._listeners: list[Callable[[str | None, Answer], None]] = []
        self._vectors_before_reload = (0, 0)  # question vectors of the builds served earlier

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
        assistant.start_records()
        return assistant

    def start_records(self) -> None:
        """Delete records past retention (and import the bot's old feedback file). A broken
        records database is said in the log; it never stops the assistant from answering."""
        try:
            self.records.start()
        except Exception as exc:  # noqa: BLE001
            log.error("Không mở được cơ sở dữ liệu ghi nhận %s: %s", self.records.database.describe(), type(exc).__name__)

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
            self._vectors_before_reload = self.question_vectors()
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

    def batch_search(
        self,
        queries: list[str],
        k: int | None = None,
        filters: SearchFilters | None = None,
        mode: SearchMode | None = None,
        histories: list[list[str]] | None = None,
    ) -> list[list[Hit]]:
        """``histories``: each query's earlier turns, for follow-ups ("còn Ninh Thuận thì sao?")."""
        return self._engine.searcher.batch_search(queries, k, filters, mode, histories)

    def read(self, questions: list[str], histories: list[list[str]] | None = None) -> list[Query]:
        """Each question as search reads it: chat words, diacritics, places, the documents'
        words for citizens' phrases, and what BM25 (``lexical``) and the model (``dense``) get."""
        return self._engine.searcher.read(questions, histories)

    def ask(self, question: str, history: list[str] | None = None, mode: SearchMode | None = None, *, face: str | None = None) -> Answer:
        """Safe to call from many threads at once: concurrent calls are computed in batches.

        ``face`` ("telegram", "widget", "api", "cli") says a citizen or a cadre asked it there:
        the question is then logged, masked (``[records]``). Without it (evaluation, tests,
        internal calls) nothing is logged."""
        _check_face(face)
        answer = self._batches.submit(("ask", mode), (question, history or []))
        self._log(face, [answer])
        return answer

    def batch_ask(self, questions: list[str], histories: list[list[str]] | None = None, mode: SearchMode | None = None, *, face: str | None = None) -> list[Answer]:
        _check_face(face)
        answers = self._engine.answerer.batch_answer(questions, histories, mode)
        self._log(face, answers)
        return answers

    def add_listener(self, listener: Callable[[str | None, Answer], None]) -> None:
        """Call ``listener(face, answer)`` for every answer ``ask``/``batch_ask`` give, as it
        comes back (``face`` None when the caller named none): how the service counts answers
        by status, whichever face asked."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[str | None, Answer], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _log(self, face: str | None, answers: list[Answer]) -> None:
        for listener in list(self._listeners):
            for answer in answers:
                try:
                    listener(face, answer)
                except Exception as exc:  # noqa: BLE001 - counting must never cost the answer
                    log.error("Không đếm được câu trả lời: %s", type(exc).__name__)
        if face is None:
            return
        for answer in answers:
            try:
                self.records.log_answer(face, answer)
            except Exception as exc:  # noqa: BLE001 - a full disk must not cost the citizen the answer
                log.error("Không ghi được câu hỏi vào nhật ký: %s", type(exc).__name__)

    def _run_batch(self, key: tuple, items: list) -> list:
        engine = self._engine
        if key[0] == "ask":
            return engine.answerer.batch_answer([q for q, _ in items], [h for _, h in items], key[1])
        _, k, filters, mode = key
        return engine.searcher.batch_search(items, k, filters, mode)

    # -- the cadres' report -------------------------------------------------------------
    def report(self, since: date | None = None, until: date | None = None, document_id: str | None = None) -> Report:
        """What citizens asked from ``since`` to ``until`` (both included; every day by
        default), for one document or all: the questions not covered and the answers voted 👎,
        grouped by similarity, coverage per week and face, the most-cited clauses, each clause
        with its label from the current index."""
        describe, owner = index_labels(self._engine.index)
        return build_report(self.records.questions(since, until), self.records.feedback(since, until), since=since, until=until, document_id=document_id, describe=describe, owner=owner)

    # -- eligibility self-check ------------------------------------------------------
    def today(self) -> date:
        """The day whose standard applies when a caller gives none (``[eligibility] as_of``)."""
        return _today(self.settings)

    def eligibility_period(self, on: date | None = None) -> StandardPeriod:
        """The poverty standard in force on that day (today by default), with its questions;
        NoStandardError when none is."""
        return self.standards.period_on(on or self.today())

    def eligibility_form(self, on: date | None = None) -> CheckForm:
        """The steps of the self-check on that day: the standard in force's questions and,
        within ``notice_days`` of a new standard, its extra ones. NoStandardError when none applies."""
        return CheckForm.build(self.standards, on or self.today(), self.settings.eligibility.notice_days)

    def check_eligibility(self, household: Household, on: date | None = None) -> EligibilityResult:
        """Classify a household under the standard in force on that day (today by default) and,
        within ``notice_days`` of a new standard, under it too (``result.coming``).
        EligibilityInputError for invalid input, NoStandardError when no standard applies."""
        return assess(household, self.standards, on or self.today(), self.settings.eligibility.notice_days)

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

    def question_vectors(self) -> tuple[int, int]:
        """Questions whose vector came from the table of recent ones, and questions encoded,
        since the assistant was opened (``[search] query_cache``): what the table spares."""
        table = self._engine.searcher.query_vectors
        before = self._vectors_before_reload
        return (before[0] + table.hits, before[1] + table.misses) if table is not None else before

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
