"""The question vectors of recent questions, kept so the same question asked again does not
pay the encoder again.

Citizens ask the same few things ("hộ nghèo được hỗ trợ gì"), retry, tap "Gõ lại câu hỏi",
and the widget and the bot ask what the other already asked. Encoding is most of a question's
time (docs/benchmarks.md), while a vector is 1.5 KB: a bounded least-recently-used table keyed
by the exact text the model reads. The searcher is rebuilt on every reload, so vectors never
outlive the encoder that made them. Safe for the service's two batches computing at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from ..index.embeddings import Embedder


class QueryVectors:
    def __init__(self, embedder: Embedder, size: int) -> None:
        self.embedder = embedder
        self.size = size  # 0: every question is encoded
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        if self.size <= 0:
            return self.embedder.embed_queries(texts)
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                vector = self._vectors.get(text)
                if vector is not None:
                    self._vectors.move_to_end(text)
                    found[text] = vector
            self.hits += sum(t in found for t in texts)
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:  # encoded outside the lock: the other batch may use the table meanwhile
            found.update(zip(missing, self.embedder.embed_queries(missing)))
            with self._lock:
                self.misses += len(missing)
                for text in missing:
                    self._vectors[text] = found[text]
                    self._vectors.move_to_end(text)
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        return np.stack([found[t] for t in texts])
