"""Dense search in FAISS over passage windows; a passage scores by its best window."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np


@dataclass
class DenseIndex:
    index: faiss.Index
    window_passage: np.ndarray  # window row -> passage row

    @classmethod
    def build(cls, vectors: np.ndarray, window_passage: np.ndarray) -> "DenseIndex":
        # Exact inner product on L2-normalized vectors = cosine similarity.
        index = faiss.IndexFlatIP(vectors.shape[1])
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, window_passage.astype(np.int32))

    @property
    def dim(self) -> int:
        return self.index.d

    def search_windows(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` windows per query: (scores, window rows), -1 where there are fewer."""
        k = max(1, min(k, self.index.ntotal))
        if self.index.ntotal == 0:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        return self.index.search(np.ascontiguousarray(queries, dtype=np.float32), k)

    def save(self, directory: Path) -> None:
        faiss.write_index(self.index, str(directory / "dense.faiss"))
        np.save(directory / "window_passage.npy", self.window_passage)

    @classmethod
    def load(cls, directory: Path) -> "DenseIndex":
        return cls(faiss.read_index(str(directory / "dense.faiss")), np.load(directory / "window_passage.npy"))
