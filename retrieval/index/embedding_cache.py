"""Window embeddings cached by (model, text) so a rebuild re-embeds only what changed."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    def __init__(self, directory: Path, model_name: str, dim: int) -> None:
        model_key = hashlib.sha1(f"{model_name}|{dim}".encode()).hexdigest()[:16]
        self.path = directory / f"{model_key}.npz"
        self.dim = dim
        self._vectors: dict[str, np.ndarray] = {}
        if self.path.exists():
            try:
                with np.load(self.path) as data:
                    self._vectors = dict(zip(data["keys"].tolist(), data["vectors"]))
            except (OSError, ValueError, KeyError):
                self._vectors = {}  # a damaged cache only costs time

    def embed(self, texts: list[str], compute) -> np.ndarray:
        """Vectors for ``texts``, computing (in one batch) only those not cached."""
        keys = [_key(t) for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in self._vectors]
        if missing:
            fresh = compute([texts[i] for i in missing])
            for i, vector in zip(missing, fresh):
                self._vectors[keys[i]] = vector
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self._vectors[k] for k in keys]).astype(np.float32)

    def save(self, keep: set[str] | None = None) -> None:
        items = sorted(self._vectors.items()) if keep is None else sorted((k, v) for k, v in self._vectors.items() if k in keep)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
        os.close(fd)
        keys = np.array([k for k, _ in items], dtype="U40")
        vectors = np.stack([v for _, v in items]) if items else np.zeros((0, self.dim), np.float32)
        np.savez(tmp, keys=keys, vectors=vectors)
        os.replace(tmp, self.path)
