"""Fixtures of the in-process web tests: one index over the test corpus, built once per
session, one Assistant on it, and a client per module."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import Assistant, Settings, build, load_settings
from support import REPO, make_corpus, seed_embedding_cache
from tests.web.support import make_client


@pytest.fixture(scope="session")
def web_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("web")
    make_corpus(root)
    return root


@pytest.fixture(scope="session")
def settings(web_root) -> Settings:
    base = load_settings(REPO / "config.toml")
    built = base.with_overrides(
        corpus={"dir": str(web_root / "corpus"), "metadata_file": str(web_root / "corpus" / "documents.json")},
        index={"dir": str(web_root / "index")},
        # the poverty standard is chosen by date: a December 2026 day, in the notice window
        # before Nghị định 351/2025/NĐ-CP's new lines (nothing here depends on the clock)
        eligibility={"as_of": "2026-12-15"},
        # the question log of these tests, not the repository's state/ folder
        records={"path": str(web_root / "state" / "records.sqlite3")},
    )
    seed_embedding_cache(built.index_dir)
    build(built)
    return built


@pytest.fixture(scope="session")
def assistant(settings) -> Assistant:
    return Assistant.open(settings)


@pytest.fixture(scope="module")
def client(settings, assistant):
    with make_client(settings, assistant) as c:
        yield c
