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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

_CHUNK = 1 << 22


class BM25Builder:
    """Collects passages' terms one passage at a time, so a build never holds every passage's
    terms as Python lists (at 500,000 passages those alone took ~2.5 GB): per (passage, distinct
    term) it keeps 8 bytes, a term id and a count, in typed buffers."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self._indptr = array("q", [0])
        self._cols = array("i")
        self._tfs = array("f")
        self._lengths = array("q")

    def add(self, terms: list[str]) -> None:
        counts = Counter(terms)
        vocabulary = self.vocabulary
        for term in sorted(counts):
            self._cols.append(vocabulary.setdefault(term, len(vocabulary)))
            self._tfs.append(counts[term])
        self._indptr.append(len(self._cols))
        self._lengths.append(len(terms))

    def finish(self, k1: float, b: float) -> "BM25Index":
        """The index; the builder is empty afterwards. Weights are computed in float64 a chunk
        at a time, written over the counts, then the passage-major layout is turned
        term-major: at its peak ~16 bytes per (passage, term) pair."""
        n_docs, n_terms = len(self._lengths), len(self.vocabulary)
        indptr = np.frombuffer(self._indptr, dtype=np.int64)
        col_idx = np.frombuffer(self._cols, dtype=np.int32)
        values = np.frombuffer(self._tfs, dtype=np.float32)  # the counts, replaced by the weights
        lengths = np.frombuffer(self._lengths, dtype=np.int64).astype(np.float64)
        df = np.bincount(col_idx, minlength=n_terms).astype(np.float64)
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        avgdl = lengths.mean() if n_docs else 1.0
        doc_norm = k1 * (1 - b + b * lengths / max(avgdl, 1e-9))
        for start in range(0, len(values), _CHUNK):  # float64 arithmetic, a chunk at a time
            stop = min(start + _CHUNK, len(values))
            rows = np.searchsorted(indptr, np.arange(start, stop), side="right") - 1
            tf = values[start:stop].astype(np.float64)
            values[start:stop] = idf[col_idx[start:stop]] * tf * (k1 + 1) / (tf + doc_norm[rows])
        matrix = sparse.csr_matrix((values, col_idx, indptr), shape=(n_docs, n_terms)).tocsc()
        del values, col_idx, indptr
        self._indptr, self._cols, self._tfs, self._lengths = array("q", [0]), array("i"), array("f"), array("q")
        matrix.sort_indices()
        vocabulary, self.vocabulary = self.vocabulary, {}
        return BM25Index(vocabulary, matrix, idf.astype(np.float32))


@dataclass
class BM25Index:
    vocabulary: dict[str, int]
    weights: sparse.csc_matrix  # passages x terms, BM25 weight of each term in each passage
    idf: np.ndarray

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
        ids = list(counts)
        weights = np.array([counts[i] for i in ids], dtype=np.float32)
        return np.asarray(self.weights[:, ids] @ weights).ravel()

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
