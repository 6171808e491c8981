"""Fixtures of the bot tests: one index over a small test corpus (the bundled documents plus
one whose title and text carry HTML), one Assistant on the session's model, a fake Bot API per test module."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import Assistant, Settings, build
from support import make_corpus, seed_embedding_cache
from support.bot import TOKEN
from support.fake_telegram import FakeTelegram
from support.needs import require_model
from tests.conftest import make_settings


@pytest.fixture(scope="session")
def bot_index_settings(tmp_path_factory, real_embedder) -> Settings:
    """Settings over the test corpus, its index built once per session."""
    require_model()
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
