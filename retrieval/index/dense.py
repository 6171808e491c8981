"""Dense search in FAISS over passage windows; a passage scores by its best window.

The index type follows the corpus size (``[index] dense_index``): exact inner product below
``exact_below`` windows (50,000: ~10 ms there), where it is never wrong; above it an
approximate index: IVF by default (at 50,000 windows it keeps 98.2 % of the exact top 10 at
1.9 ms, at 500,000 96.6 % at 4 ms, built in 3 minutes; HNSW reached 0.927 at 3 ms after 4.5
minutes: see docs/benchmarks.md), or HNSW if configured. Vectors are L2-normalized, so inner product is cosine.

Filters (document, type, date) are applied inside FAISS with an ID selector, so a filtered
search costs what an unfiltered one does; when a filter leaves only a few windows, they are
scored exactly, because a graph search restricted to a tiny subset can miss them.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import faiss
import numpy as np

from ..settings import IndexSettings

DenseKind = Literal["flat", "hnsw", "ivf"]

# A filter leaving at most this many windows is scored exactly over those windows.
EXACT_SUBSET_MAX = 20_000
# The vectors of the latest filtered subsets kept, in bytes (20,000 windows of 384: 29 MB).
SUBSET_CACHE_BYTES = 64 * 2**20


def _best_first(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest scores, highest first, equal scores by position (as a
    stable sort of every score gives them), without sorting every score."""
    if k >= len(scores):
        return np.argsort(-scores, kind="stable")
    kth = np.partition(scores, len(scores) - k)[len(scores) - k]
    above = np.flatnonzero(scores >= kth)  # the k best and any equal to the k-th
    return above[np.argsort(-scores[above], kind="stable")][:k]


def choose_kind(windows: int, settings: IndexSettings) -> DenseKind:
    if settings.dense_index != "auto":
        return settings.dense_index
    return "flat" if windows < settings.exact_below else "ivf"


@dataclass
class DenseIndex:
    index: faiss.Index
    window_passage: np.ndarray  # window row -> passage row
    kind: DenseKind = "flat"
    _subsets: OrderedDict[bytes, np.ndarray] = field(default_factory=OrderedDict, init=False, repr=False, compare=False)
    _subsets_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

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
        scores = queries @ self._subset(ids).T
        top = np.stack([_best_first(row, k) for row in scores])
        return np.take_along_axis(scores, top, axis=1).astype(np.float32), ids[top].astype(np.int64)

    def _subset(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids`` (increasing window rows). A question naming a place
        is searched in that place's documents: the same subset comes back question after
        question, so the latest ones are kept (``SUBSET_CACHE_BYTES``) rather than copied out
        of FAISS every time (12,500 windows: ~9 ms of ``reconstruct_batch``)."""
        key = ids.tobytes()
        with self._subsets_lock:
            vectors = self._subsets.get(key)
            if vectors is not None:
                self._subsets.move_to_end(key)
                return vectors
        if self.kind == "flat":  # the flat index's own array, read in place
            stored = faiss.rev_swig_ptr(self.index.get_xb(), self.index.ntotal * self.index.d).reshape(self.index.ntotal, self.index.d)
            vectors = stored[ids]
        else:
            vectors = self.index.reconstruct_batch(ids.astype(np.int64))
        if vectors.nbytes <= SUBSET_CACHE_BYTES:
            with self._subsets_lock:
                self._subsets[key] = vectors
                while sum(v.nbytes for v in self._subsets.values()) > SUBSET_CACHE_BYTES:
                    self._subsets.popitem(last=False)
        return vectors

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
