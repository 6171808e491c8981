"""Hybrid search: BM25 and dense candidates, fused by reciprocal rank.

``search`` delegates to ``batch_search`` so one code path serves a single question and an
evaluation run of hundreds (queries are embedded in one batch).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from ..domain import Hit, SearchFilters, Signals
from ..index.embeddings import Embedder
from ..index.load import LoadedIndex
from ..settings import SearchMode, SearchSettings
from ..text.core import normalize, strip_markup, syllables
from .fusion import reciprocal_rank_fusion
from .query import Query, QueryReader
from .query_vectors import QueryVectors

_FILTER_CACHE_SIZE = 64


@dataclass
class DenseResult:
    passage_scores: dict[int, float]  # passage row -> best window cosine
    best_window: dict[int, int]  # passage row -> that window's row
    window_scores: dict[int, float]  # window row -> cosine, for the windows returned


class Searcher:
    def __init__(self, index: LoadedIndex, embedder: Embedder | None, settings: SearchSettings, reader: QueryReader | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        # reads chat language, the documents' words and places; without one, the question is
        # searched as typed (diacritics restored for the dense side)
        self.reader = reader
        self.query_vectors = QueryVectors(embedder, settings.query_cache) if embedder is not None else None
        self._allowed_cache: dict[SearchFilters, np.ndarray] = {}
        # each passage's document as a row of ``_documents``: a filter is decided once per
        # document, not once per passage (500,000 passages: 0.4 s for every new filter)
        self._documents = list(index.documents.values())
        document_row = {d.id: i for i, d in enumerate(self._documents)}
        self._passage_document = np.fromiter((document_row[p.document_id] for p in index.passages), dtype=np.int32, count=len(index.passages))
        self._out_of_force: tuple[date | None, frozenset[str]] = (None, frozenset())

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None, mode: SearchMode | None = None) -> list[Hit]:
        return self.batch_search([query], k, filters, mode)[0]

    def batch_search(
        self,
        queries: list[str],
        k: int | None = None,
        filters: SearchFilters | None = None,
        mode: SearchMode | None = None,
        histories: list[list[str]] | None = None,
    ) -> list[list[Hit]]:
        read = self.read(queries, histories)
        return [hits for hits, _ in self.batch_search_with_dense(read, k, filters, mode)]

    def read(self, questions: list[str], histories: list[list[str]] | None = None) -> list[Query]:
        """Each question as read (chat language, vocabulary, places, earlier turns)."""
        histories = histories or [[] for _ in questions]
        if self.reader is not None:
            return [self.reader.read(q, h) for q, h in zip(questions, histories)]
        plain = []
        for q in questions:
            text = strip_markup(normalize(q)).replace("\n", " ")
            plain.append(Query(text, text, self.index.accents.restore(text)))
        return plain

    def batch_search_with_dense(
        self, queries: list[Query], k: int | None = None, filters: SearchFilters | None = None, mode: SearchMode | None = None
    ) -> list[tuple[list[Hit], DenseResult | None]]:
        """Hits per query, plus the dense evidence the answer step reuses. A query that names a
        place the documents cover is searched in that place's documents (and national ones)."""
        k = k or self.settings.default_k
        mode = mode or self.settings.mode
        if mode != "bm25" and self.embedder is None:
            mode = "bm25"
        if not any(syllables(q.text) for q in queries):
            return [([], None) for _ in queries]
        depth = max(self.settings.candidates, k)
        per_query_filters = [self._with_place(filters, q) for q in queries]
        dense_results: list[DenseResult | None] = [None] * len(queries)
        if mode != "bm25":
            # one embedding batch; the FAISS search per distinct filter
            vectors = self.query_vectors.embed([q.dense for q in queries])
            for f in dict.fromkeys(per_query_filters):
                rows = [i for i, qf in enumerate(per_query_filters) if qf == f]
                for i, result in zip(rows, self._dense(vectors[rows], depth, self._allowed(f))):
                    dense_results[i] = result
        results = []
        for query, dense, f in zip(queries, dense_results, per_query_filters):
            if not syllables(query.text):  # nothing to look for: the dense side would return noise
                results.append(([], None))
                continue
            lexical = self._bm25(query.lexical, depth, self._allowed(f)) if mode != "dense" else []
            results.append((self._combine(lexical, dense, mode, k), dense))
        return results

    @staticmethod
    def _with_place(filters: SearchFilters | None, query: Query) -> SearchFilters | None:
        documents = query.places.documents
        if not documents:
            return filters
        if filters is None or filters.empty:
            return SearchFilters(document_ids=frozenset(documents))
        ids = documents if filters.document_ids is None else filters.document_ids & documents
        if not ids:  # the caller's own filter wins over the place named in the query
            return filters
        return SearchFilters(frozenset(ids), filters.types, filters.date_from, filters.date_to)

    def _allowed(self, filters: SearchFilters | None) -> np.ndarray | None:
        if filters is None or filters.empty:
            return None
        if filters not in self._allowed_cache:
            if len(self._allowed_cache) >= _FILTER_CACHE_SIZE:
                self._allowed_cache.pop(next(iter(self._allowed_cache)))  # oldest first
            accepted = np.array([filters.accepts(d) for d in self._documents], dtype=bool)
            self._allowed_cache[filters] = accepted[self._passage_document]
        return self._allowed_cache[filters]

    def _bm25(self, terms: list[str], depth: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        rows, scores = self.index.bm25.top(terms, depth, allowed)
        return [(int(row), float(score)) for row, score in zip(rows, scores)]

    def _dense(self, vectors: np.ndarray, depth: int, allowed: np.ndarray | None) -> list[DenseResult]:
        # the dense model reads unaccented Vietnamese poorly: queries carry the accented reading
        owner = self.index.dense.window_passage
        # several windows per passage: fetch deeper than the passages needed
        allowed_windows = allowed[owner] if allowed is not None else None
        scores, rows = self.index.dense.search_windows(vectors, depth * 4, allowed_windows)
        results = []
        for q_scores, q_rows in zip(scores, rows):
            passage_scores: dict[int, float] = {}
            best_window: dict[int, int] = {}
            window_scores: dict[int, float] = {}
            for score, window in zip(q_scores, q_rows):
                if window < 0:
                    continue
                window_scores[int(window)] = float(score)
                row = int(owner[window])
                if allowed is not None and not allowed[row]:
                    continue
                if row not in passage_scores:  # windows come best first
                    passage_scores[row] = float(score)
                    best_window[row] = int(window)
            results.append(DenseResult(passage_scores, best_window, window_scores))
        return results

    def _prefer_documents_in_force(self, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        weight = self.settings.not_in_force_weight
        today = date.today()
        if self._out_of_force[0] != today:  # validity changes with the date, so once a day
            self._out_of_force = (today, frozenset(d.id for d in self.index.documents.values() if not d.metadata.in_force(today)))
        out_of_force = self._out_of_force[1]
        if weight == 1 or not out_of_force:
            return ranked
        passages = self.index.passages
        weighed = [(row, score * weight if passages[row].document_id in out_of_force else score) for row, score in ranked]
        return sorted(weighed, key=lambda item: -item[1])  # stable: equal scores keep their order

    def _combine(self, lexical: list[tuple[int, float]], dense: DenseResult | None, mode: SearchMode, k: int) -> list[Hit]:
        dense_ranked = list(dense.passage_scores.items())[: self.settings.candidates] if dense else []
        lexical = lexical[: self.settings.candidates]
        bm25_rank = {row: i for i, (row, _) in enumerate(lexical, start=1)}
        bm25_score = dict(lexical)
        dense_rank = {row: i for i, (row, _) in enumerate(dense_ranked, start=1)}
        if mode == "bm25":
            ranked = lexical
        elif mode == "dense":
            ranked = dense_ranked
        else:
            ranked = reciprocal_rank_fusion(
                [[r for r, _ in lexical], [r for r, _ in dense_ranked]], self.settings.rrf_k, weights=(1.0, self.settings.dense_weight)
            )
        ranked = self._prefer_documents_in_force(ranked)
        hits = []
        for row, score in ranked[:k]:
            passage = self.index.passages[row]
            signals = Signals(
                bm25=bm25_score.get(row),
                bm25_rank=bm25_rank.get(row),
                dense=dense.passage_scores.get(row) if dense else None,
                dense_rank=dense_rank.get(row),
                best_window=dense.best_window.get(row) if dense else None,
            )
            hits.append(Hit(passage, self.index.documents[passage.document_id], float(score), signals))
        return hits
