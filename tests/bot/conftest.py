"""Fixtures of the bot tests: one index over a small test corpus (the bundled documents plus
one whose title and text carry HTML), one Assistant on the session's model, a fake Bot API per test module."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import Assistant, Settings, build
from support.fake_telegram import FakeTelegram
from support.bot import TOKEN
from tests.conftest import make_settings
from support import MODEL_DIR, make_corpus, seed_embedding_cache


@pytest.fixture(scope="session")
def bot_index_settings(tmp_path_factory, real_embedder) -> Settings:
    """Settings over the test corpus, its index built once per session."""
    if not MODEL_DIR.is_dir():
        pytest.skip("the embedding model is not prepared (python scripts/prepare_model.py)")
    root = tmp_path_factory.mktemp("bot-index")
    make_corpus(root)
    # the poverty standard is chosen by date: fixed, so no test depends on the clock
    settings = make_settings(root, eligibility={"as_of": "2026-06-01"})
    seed_embedding_cache(settings.index_dir)
    build(settings, real_embedder)
    return settings


@pytest.fixture(scope="session")
def bot_assistant(bot_index_settings, real_embedder) -> Assistant:
    return Assistant.open(bot_index_settings, embedder=real_embedder)


@pytest.fixture(scope="module")
def fake() -> FakeTelegram:
    with FakeTelegram(TOKEN) as server:
        yield server


@pytest.fixture
def state_dir(tmp_path) -> Path:
    return tmp_path / "state"
