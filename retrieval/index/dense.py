"""Dense search in FAISS over passage windows; a passage scores by its best window.

The index type follows the corpus size (``[index] dense_index``): exact inner product below
``exact_below`` windows, where it costs a few milliseconds and is never wrong; above it an
approximate index: IVF by default (at 500,000 windows it reached recall@10 0.966 against exact
search at 4 ms, built in 3 minutes; HNSW reached 0.927 at 3 ms after 4.5 minutes: see
docs/benchmarks.md), or HNSW if configured. Vectors are L2-normalized, so inner product is cosine.

Filters (document, type, date) are applied inside FAISS with an ID selector, so a filtered
search costs what an unfiltered one does; when a filter leaves only a few windows, they are
scored exactly, because a graph search restricted to a tiny subset can miss them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import faiss
import numpy as np

from ..settings import IndexSettings

DenseKind = Literal["flat", "hnsw", "ivf"]

# A filter leaving at most this many windows is scored exactly over those windows.
EXACT_SUBSET_MAX = 20_000


def choose_kind(windows: int, settings: IndexSettings) -> DenseKind:
    if settings.dense_index != "auto":
        return settings.dense_index
    return "flat" if windows < settings.exact_below else "ivf"


@dataclass
class DenseIndex:
    index: faiss.Index
    window_passage: np.ndarray  # window row -> passage row
    kind: DenseKind = "flat"

    @classmethod
    def build(cls, vectors: np.ndarray, window_passage: np.ndarray, settings: IndexSettings | None = None) -> "DenseIndex":
        settings = settings or IndexSettings()
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n, dim = vectors.shape
        kind = choose_kind(n, settings)
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = settings.hnsw_ef_construction
        elif kind == "ivf":
            nlist = settings.ivf_nlist or max(1, min(n // 39, int(4 * math.sqrt(n))))
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
            if n:
                # k-means on a sample: as good for the centroids, and bounded in time and memory
                sample = vectors[np.random.default_rng(0).choice(n, size=min(n, nlist * 64), replace=False)]
                index.train(sample)
        else:
            index = faiss.IndexFlatIP(dim)
        if n:
            index.add(vectors)
        dense = cls(index, window_passage.astype(np.int32), kind)
        dense._prepare()
        dense.tune(settings)
        return dense

    def _prepare(self) -> None:
        if self.kind == "ivf":
            # lets an IVF index give back stored vectors by id (exact scoring of a small
            # filtered subset); built once here, not on every filtered search
            faiss.downcast_index(self.index).make_direct_map()

    def tune(self, settings: IndexSettings) -> None:
        """Search-time parameters: read from the settings at every load, so changing them
        needs no rebuild."""
        if self.kind == "hnsw":
            faiss.downcast_index(self.index).hnsw.efSearch = settings.hnsw_ef_search
        elif self.kind == "ivf":
            faiss.downcast_index(self.index).nprobe = settings.ivf_nprobe

    @property
    def dim(self) -> int:
        return self.index.d

    def search_windows(self, queries: np.ndarray, k: int, allowed_windows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` windows per query: (scores, window rows), -1 where there are fewer.
        ``allowed_windows`` (a boolean mask over windows) restricts the search."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        total = self.index.ntotal
        if total == 0:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        if allowed_windows is None:
            return self.index.search(queries, max(1, min(k, total)))
        ids = np.flatnonzero(allowed_windows)
        k = max(1, min(k, len(ids)))
        if len(ids) == 0:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        if len(ids) <= EXACT_SUBSET_MAX or (self.kind == "flat" and len(ids) < total // 4):
            return self._exact_over(queries, ids, k)
        bitmap = np.packbits(allowed_windows.astype(np.uint8), bitorder="little")  # must outlive the search
        selector = faiss.IDSelectorBitmap(total, faiss.swig_ptr(bitmap))
        if self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(faiss.downcast_index(self.index).hnsw.efSearch, k))
        elif self.kind == "ivf":
            params = faiss.SearchParametersIVF(sel=selector, nprobe=faiss.downcast_index(self.index).nprobe)
        else:
            params = faiss.SearchParameters(sel=selector)
        return self.index.search(queries, k, params=params)

    def _exact_over(self, queries: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        vectors = self.index.reconstruct_batch(ids.astype(np.int64))
        scores = queries @ vectors.T
        top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(scores, top, axis=1).astype(np.float32), ids[top].astype(np.int64)

    def save(self, directory: Path) -> None:
        faiss.write_index(self.index, str(directory / "dense.faiss"))
        np.save(directory / "window_passage.npy", self.window_passage)
        (directory / "dense.json").write_text(json.dumps({"kind": self.kind}), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, settings: IndexSettings | None = None) -> "DenseIndex":
        kind_file = directory / "dense.json"
        kind = json.loads(kind_file.read_text(encoding="utf-8"))["kind"] if kind_file.exists() else "flat"
        dense = cls(faiss.read_index(str(directory / "dense.faiss")), np.load(directory / "window_passage.npy"), kind)
        dense._prepare()
        dense.tune(settings or IndexSettings())
        return dense
