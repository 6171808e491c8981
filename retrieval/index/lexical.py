"""BM25 over folded syllables and underthesea words, as a sparse matrix.

Weights are precomputed per (passage, term) at build time, so a query is a sum of a few
sparse columns: fast, and the same layout serves hundreds of thousands of passages.
"""

from __future__ import annotations

import json
import math
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse

_CHUNK = 1 << 20  # pairs per step of the build: its temporaries stay ~50 MB
# Below this many postings in a question's terms, every passage is scored: pruning would only
# add steps (the seed corpus: a few thousand postings per question).
_PRUNE_ABOVE = 200_000
# relative slack on the bounds, so float rounding can never prune a passage that belongs
_BOUND_SLACK = 1e-6


class BM25Builder:
    """Collects passages' terms one passage at a time, so a build never holds every passage's
    terms as Python lists (at 500,000 passages those alone took ~2.5 GB): per (passage, distinct
    term) it keeps 5 bytes, a term id and a count, in typed buffers."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self._indptr = array("q", [0])
        self._cols = array("i")
        # a count above 255 in one passage weighs as 255: BM25 has long saturated there
        self._tfs = array("B")
        self._lengths = array("q")

    def add(self, terms: list[str]) -> None:
        counts = Counter(terms)
        vocabulary = self.vocabulary
        for term in sorted(counts):
            self._cols.append(vocabulary.setdefault(term, len(vocabulary)))
            self._tfs.append(min(counts[term], 255))
        self._indptr.append(len(self._cols))
        self._lengths.append(len(terms))

    def finish(self, k1: float, b: float) -> "BM25Index":
        """The index; the builder is empty afterwards. The term-major matrix is written straight
        from the passage-major buffers, a chunk of pairs at a time (weights in float64, each
        chunk's pairs sorted by term, placed after the term's earlier ones): at its peak the
        buffers (5 bytes per (passage, term) pair) and the matrix (8 bytes), not a second copy
        of either (scipy's conversion held 16 bytes per pair: 4.6 GB at 500,000 passages once
        syllable pairs became terms)."""
        n_docs, n_terms = len(self._lengths), len(self.vocabulary)
        indptr = np.frombuffer(self._indptr, dtype=np.int64)
        col_idx = np.frombuffer(self._cols, dtype=np.int32)
        counts = np.frombuffer(self._tfs, dtype=np.uint8)
        lengths = np.frombuffer(self._lengths, dtype=np.int64).astype(np.float64)
        df = np.bincount(col_idx, minlength=n_terms)
        idf = np.log(1.0 + (n_docs - df.astype(np.float64) + 0.5) / (df + 0.5))
        avgdl = lengths.mean() if n_docs else 1.0
        doc_norm = k1 * (1 - b + b * lengths / max(avgdl, 1e-9))
        index_dtype = np.int32 if len(col_idx) < 2**31 else np.int64
        term_start = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df, out=term_start[1:])
        filled = term_start[:-1].copy()  # where each term's next pair goes
        rows_out = np.empty(len(col_idx), dtype=index_dtype)
        weights_out = np.empty(len(col_idx), dtype=np.float32)
        for start in range(0, len(col_idx), _CHUNK):
            stop = min(start + _CHUNK, len(col_idx))
            rows = np.searchsorted(indptr, np.arange(start, stop), side="right") - 1
            tf = counts[start:stop].astype(np.float64)
            terms = col_idx[start:stop]
            weight = idf[terms] * tf * (k1 + 1) / (tf + doc_norm[rows])
            order = np.argsort(terms, kind="stable")  # rows stay increasing within a term
            terms = terms[order]
            first = np.flatnonzero(np.r_[True, terms[1:] != terms[:-1]])
            run = np.diff(np.r_[first, len(terms)])
            offset = np.arange(len(terms)) - np.repeat(first, run)
            target = filled[terms] + offset
            rows_out[target] = rows[order]
            weights_out[target] = weight[order]
            filled[terms[first]] += run
        matrix = sparse.csc_matrix((weights_out, rows_out, term_start.astype(index_dtype)), shape=(n_docs, n_terms))
        matrix.has_sorted_indices = True
        del col_idx, counts, indptr
        self._indptr, self._cols, self._tfs, self._lengths = array("q", [0]), array("i"), array("B"), array("q")
        vocabulary, self.vocabulary = self.vocabulary, {}
        return BM25Index(vocabulary, matrix, idf.astype(np.float32))


@dataclass
class BM25Index:
    vocabulary: dict[str, int]
    weights: sparse.csc_matrix  # passages x terms, BM25 weight of each term in each passage
    idf: np.ndarray
    # each term's largest weight in any passage: what it can add to a score at most (``top``);
    # found when the index is made or loaded, not on a citizen's first question (0.1 s at 500,000)
    max_weight: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        data, indptr = self.weights.data, self.weights.indptr
        self.max_weight = np.zeros(self.weights.shape[1], dtype=np.float32)
        filled = np.flatnonzero(np.diff(indptr) > 0)
        if len(filled):
            self.max_weight[filled] = np.maximum.reduceat(data, indptr[filled])

    @classmethod
    def build(cls, documents: Iterable[list[str]], k1: float, b: float) -> "BM25Index":
        """From each passage's terms, in row order; ``documents`` may be a generator."""
        builder = BM25Builder()
        for terms in documents:
            builder.add(terms)
        return builder.finish(k1, b)

    @property
    def size(self) -> int:
        return self.weights.shape[0]

    def term_ids(self, terms: list[str]) -> list[int]:
        return [self.vocabulary[t] for t in terms if t in self.vocabulary]

    def scores(self, terms: list[str]) -> np.ndarray:
        """BM25 score of every passage for the query terms (repeated terms count again)."""
        counts = Counter(self.term_ids(terms))
        if not counts:
            return np.zeros(self.size, dtype=np.float32)
        # the query's columns gathered and summed per passage in one bincount: slicing the
        # sparse matrix by column cost ~1.5 ms for a question's ~60 terms on the seed corpus
        data, indices, indptr = self.weights.data, self.weights.indices, self.weights.indptr
        spans = [(indptr[i], indptr[i + 1], n) for i, n in counts.items()]
        rows = np.concatenate([indices[a:b] for a, b, _ in spans])
        weights = np.concatenate([data[a:b] * n if n != 1 else data[a:b] for a, b, n in spans])
        return np.bincount(rows, weights=weights, minlength=self.size).astype(np.float32)

    def top(self, terms: list[str], k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best passages for the query terms (rows, scores; best first, equal scores
        by row), among ``allowed`` and with a score above zero: exactly what sorting
        ``scores(terms)`` gives, without adding up every passage that shares a common word.

        At 500,000 passages a question's syllables "hộ", "được", "giảm" each occur in a large
        part of the corpus, and adding up all their postings took most of the search. This is
        MaxScore (Turtle & Flood 1995) in array form: the terms are taken by what they can add
        at most, largest first, keeping each passage's partial score; the k-th best partial
        score is a floor under the k-th final one. Once what the terms not yet taken can add
        together is below the floor, no passage untouched so far can enter, nor one whose
        partial score plus that sum stays below it: the few left are scored exactly, term by
        term in the question's order as ``scores`` adds them, so scores and order are the full
        sum's bit for bit."""
        counts = Counter(self.term_ids(terms))
        ids = list(counts)
        if k <= 0 or not ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        indptr = self.weights.indptr
        if sum(int(indptr[i + 1] - indptr[i]) for i in ids) <= _PRUNE_ABOVE or k * 4 >= self.size:
            return self._best(self.scores(terms), k, allowed)
        data, indices = self.weights.data, self.weights.indices
        bound = np.array([counts[i] for i in ids], dtype=np.float64) * self.max_weight[ids]
        order = np.argsort(-bound, kind="stable")
        rest = np.append(bound[order][::-1].cumsum()[::-1], 0.0)[1:]  # what the terms after each can add
        partial = np.zeros(self.size, dtype=np.float64)
        touched: list[np.ndarray] = []  # the rows with a partial score (allowed ones only)
        reached = counted = 0
        floor = 0.0  # the k-th best partial score, found over ``counted`` rows
        for step, j in enumerate(order):
            a, b = indptr[ids[j]], indptr[ids[j] + 1]
            rows = indices[a:b].astype(np.intp)  # indexing by intp spares numpy a conversion per use
            before = partial[rows]
            partial[rows] = before + data[a:b] * counts[ids[j]]  # a term's rows are distinct
            new = rows[before == 0]  # weights are positive: zero means not touched yet
            touched.append(new[allowed[new]] if allowed is not None else new)
            reached += len(touched[-1])
            if reached >= k and reached >= counted * 1.25:  # the floor only rises: refreshed as rows come
                touched = [np.concatenate(touched)] if len(touched) > 1 else touched
                floor = float(np.partition(partial[touched[0]], reached - k)[reached - k]) * (1 - _BOUND_SLACK)
                counted = reached
            if rest[step] < floor:
                rows = np.sort(np.concatenate(touched))
                rows = rows[partial[rows] + rest[step] * (1 + _BOUND_SLACK) >= floor]
                return self._best_of(self._narrow(rows, partial, [ids[i] for i in order[step + 1 :]], rest[step + 1 :], floor, counts, k), ids, counts, k)
        return self._best_of(np.sort(np.concatenate(touched)), ids, counts, k)  # fewer than k passages

    def _narrow(self, rows: np.ndarray, partial: np.ndarray, later: list[int], rest: np.ndarray, floor: float, counts: Counter, k: int) -> np.ndarray:
        """The rows (increasing) that can still be among the k best, the terms not yet taken
        (``later``, with what each and those after it can add: ``rest``) added to ``partial``
        (every passage's partial score) for those rows alone; each term raises the floor and
        drops the rows that fall behind it."""
        data, indices, indptr = self.weights.data, self.weights.indices, self.weights.indptr
        for term, after in zip(later, rest):
            if len(rows) <= k:
                break
            a, b = indptr[term], indptr[term + 1]
            if len(rows) * 8 > b - a:  # many rows left: adding the whole column is cheaper than finding them in it
                partial[indices[a:b]] += data[a:b] * counts[term]
            else:
                at = np.minimum(np.searchsorted(indices[a:b], rows), b - a - 1)
                found = indices[a + at] == rows
                partial[rows[found]] += data[a + at[found]] * counts[term]
            scores = partial[rows]
            floor = max(floor, float(np.partition(scores, len(rows) - k)[len(rows) - k]) * (1 - _BOUND_SLACK))
            rows = rows[scores + after * (1 + _BOUND_SLACK) >= floor]
        return rows

    def _best_of(self, rows: np.ndarray, ids: list[int], counts: Counter, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k best of ``rows`` (increasing), scored exactly as ``scores`` scores them."""
        data, indices, indptr = self.weights.data, self.weights.indices, self.weights.indptr
        total = np.zeros(len(rows), dtype=np.float64)
        for i in ids:  # the question's order: float sums then equal the full sum's bit for bit
            a, b = indptr[i], indptr[i + 1]
            column = indices[a:b]
            at = np.minimum(np.searchsorted(column, rows), b - a - 1)
            found = column[at] == rows
            n = counts[i]
            total[found] += data[a + at[found]] * n if n != 1 else data[a + at[found]]
        scores = total.astype(np.float32)
        best = np.lexsort((rows, -scores))[:k]
        return rows[best], scores[best]

    @staticmethod
    def _best(scores: np.ndarray, k: int, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        positive = np.flatnonzero(scores > 0)
        best = positive[np.argsort(-scores[positive], kind="stable")[:k]]
        return best, scores[best]

    def max_idf(self) -> float:
        return float(math.log(1.0 + (self.size + 0.5) / 0.5))

    def idf_of(self, term: str) -> float:
        """IDF of a term; a term the corpus never uses weighs as much as the rarest."""
        i = self.vocabulary.get(term)
        return float(self.idf[i]) if i is not None else self.max_idf()

    def save(self, directory: Path) -> None:
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        (directory / "bm25_vocabulary.json").write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
        np.savez(
            directory / "bm25.npz",
            data=self.weights.data,
            indices=self.weights.indices,
            indptr=self.weights.indptr,
            shape=np.array(self.weights.shape),
            idf=self.idf,
        )

    @classmethod
    def load(cls, directory: Path) -> "BM25Index":
        terms = json.loads((directory / "bm25_vocabulary.json").read_text(encoding="utf-8"))
        with np.load(directory / "bm25.npz") as arrays:
            matrix = sparse.csc_matrix((arrays["data"], arrays["indices"], arrays["indptr"]), shape=tuple(arrays["shape"]))
            idf = arrays["idf"]
        return cls({t: i for i, t in enumerate(terms)}, matrix, idf)

    def digest_parts(self) -> list[bytes]:
        return [self.weights.data.tobytes(), self.weights.indices.tobytes(), self.weights.indptr.tobytes(), self.idf.tobytes()]
