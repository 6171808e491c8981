"""Shared fixtures: a deterministic fake embedder for fast unit tests, temp corpora and
settings, and (once per session) the real model for end-to-end tests."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from retrieval import load_settings
from retrieval.settings import Settings
from retrieval.text.core import syllables

REPO = Path(__file__).resolve().parent.parent
SEED_CORPUS = REPO / "corpus"


class FakeEmbedder:
    """Bag of hashed folded syllables: deterministic, instant, and similar texts get
    similar vectors, which is all the index and search plumbing needs."""

    name = identity = "fake-hash-embedder"
    dim = 64

    def _embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for s in syllables(text):
                out[row, int(hashlib.md5(s.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)

    embed_queries = _embed
    embed_passages = _embed


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


def make_settings(root: Path, **overrides: dict) -> Settings:
    """Settings whose corpus, index and state live under ``root`` (the model stays the repo's)."""
    base = load_settings(REPO / "config.toml")
    # the state (records, bot state) under root too: no test touches the repo's state/
    telegram = {"state_dir": str(root / "state"), **overrides.pop("telegram", {})}
    records = {"path": str(root / "state" / "records.sqlite3"), **overrides.pop("records", {})}
    return base.with_overrides(
        corpus={"dir": str(root / "corpus"), "metadata_file": str(root / "corpus" / "documents.json")},
        index={"dir": str(root / "index")},
        embedding={"model": str(base.resolve(Path(base.embedding.model)))},
        telegram=telegram,
        records=records,
        **overrides,
    )


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled corpus."""
    shutil.copytree(SEED_CORPUS, tmp_path / "corpus")
    return tmp_path


@pytest.fixture(scope="session")
def seed_index_template(tmp_path_factory):
    """The bundled corpus built once per session with the fake embedder: (root, build report).
    Tests take a copy (``seed_built``): a build costs seconds of segmentation, a copy milliseconds."""
    from retrieval import build

    root = tmp_path_factory.mktemp("seed-index")
    shutil.copytree(SEED_CORPUS, root / "corpus")
    return root, build(make_settings(root), FakeEmbedder())


@pytest.fixture
def seed_built(tmp_path: Path, seed_index_template) -> Path:
    """A private copy of the bundled corpus with its index already built (fake embedder)."""
    template, _ = seed_index_template
    for folder in ("corpus", "index"):
        shutil.copytree(template / folder, tmp_path / folder, symlinks=True)
    return tmp_path


@pytest.fixture(scope="session")
def real_embedder():
    from retrieval.index.embeddings import load_embedder
    from support.needs import require_model

    require_model()
    return load_embedder(load_settings(REPO / "config.toml"))
