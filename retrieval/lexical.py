"""BM25 over folded syllables and underthesea words, as a sparse matrix.

Weights are precomputed per (passage, term) at build time, so a query is a sum of a few
sparse columns: fast, and the same layout serves hundreds of thousands of passages.
"""

from __future__ import annotations

import json
import math
from array import array
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse


_CHUNK = 1 << 22


@dataclass
class BM25Index:
    vocabulary: dict[str, int]
    weights: sparse.csc_matrix  # passages x terms, BM25 weight of each term in each passage
    idf: np.ndarray

    @classmethod
    def build(cls, documents: list[list[str]], k1: float, b: float) -> "BM25Index":
        # Typed buffers, not lists of Python ints: 12 bytes per (passage, term) instead of ~100,
        # which is what lets 500,000 passages build in a few GB (docs/benchmarks.md).
        vocabulary: dict[str, int] = {}
        indptr = array("q", [0])
        cols = array("i")
        tfs = array("f")
        for terms in documents:
            counts = Counter(terms)
            for term in sorted(counts):
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
                tfs.append(counts[term])
            indptr.append(len(cols))
        n_docs, n_terms = len(documents), len(vocabulary)
        indptr_arr = np.frombuffer(indptr, dtype=np.int64)
        col_idx = np.frombuffer(cols, dtype=np.int32)
        tf_all = np.frombuffer(tfs, dtype=np.float32)
        lengths = np.array([len(d) for d in documents], dtype=np.float64)
        df = np.bincount(col_idx, minlength=n_terms).astype(np.float64)
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        avgdl = lengths.mean() if n_docs else 1.0
        doc_norm = k1 * (1 - b + b * lengths / max(avgdl, 1e-9))
        values = np.empty(len(col_idx), dtype=np.float32)
        row_of = np.repeat(np.arange(n_docs, dtype=np.int32), np.diff(indptr_arr))
        for start in range(0, len(values), _CHUNK):  # float64 arithmetic, a chunk at a time
            part = slice(start, start + _CHUNK)
            tf = tf_all[part].astype(np.float64)
            values[part] = idf[col_idx[part]] * tf * (k1 + 1) / (tf + doc_norm[row_of[part]])
        del row_of
        matrix = sparse.csr_matrix((values, col_idx, indptr_arr), shape=(n_docs, n_terms)).tocsc()
        matrix.sort_indices()
        return cls(vocabulary, matrix, idf.astype(np.float32))

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
