"""Running the real PTB Application from synchronous tests: an event loop in a thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from bot import Credentials, TelegramBot
from retrieval import Assistant, Settings
from support.fake_telegram import FakeTelegram
from support import MODEL_DIR, REPO

T = TypeVar("T")
PYTHON = REPO / ".venv" / "bin" / "python"
TOKEN = "123456789:AAH-fake-token-for-tests_0123456789"
# the long-answer settings: more, longer quotes than the default, so answers exceed 4,096
LONG_ANSWERS = {"max_quotes": 40, "quote_ratio": 0.05, "passages_considered": 10, "max_quote_chars": 2000}


class LoopThread:
    """An asyncio loop running in a background thread, like the server's loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="bot-loop", daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


def bot_settings(base: Settings, fake: FakeTelegram, state_dir: Path, **telegram: Any) -> Settings:
    return base.with_overrides(telegram={"api_base_url": fake.base_url, "file_base_url": fake.file_base_url, "state_dir": str(state_dir), **telegram})


class RunningBot:
    """A TelegramBot started in long polling against the fake, on its own loop thread."""

    def __init__(self, settings: Settings, assistant: Assistant, token: str = TOKEN) -> None:
        self.loop = LoopThread()
        self.settings = settings

        async def create() -> TelegramBot:
            return TelegramBot.create(settings, assistant, Credentials.from_token(token))

        self.bot = self.loop.run(create())

    def start(self) -> "RunningBot":
        self.loop.run(self.bot.start())
        return self

    def stop(self) -> None:
        try:
            self.loop.run(self.bot.stop())
        finally:
            self.loop.close()


def write_config(root: Path, port: int, index: Settings, fake: FakeTelegram, mode: str, search: str, answer: dict) -> Path:
    """A config.toml for a real server.py / python -m bot process over ``index``'s corpus and
    index, talking to ``fake``, its state under ``root``."""
    answer_lines = "\n".join(f"{k} = {v!r}" for k, v in answer.items())
    config = root / "config.toml"
    config.write_text(
        f"""
[corpus]
dir = "{index.corpus_dir.as_posix()}"
metadata_file = "{index.metadata_path.as_posix()}"

[index]
dir = "{index.index_dir.as_posix()}"

[embedding]
model = "{MODEL_DIR.as_posix()}"
prepare_from = "none"

[search]
mode = "{search}"

[answer]
{answer_lines}

[server]
host = "127.0.0.1"
port = {port}

[telegram]
mode = "{mode}"
api_base_url = "{fake.base_url}"
file_base_url = "{fake.file_base_url}"
webhook_url = "http://127.0.0.1:{port}"
state_dir = "{(root / "state").as_posix()}"
questions_per_minute = 1000

[eligibility]
as_of = "2026-06-01"
""",
        encoding="utf-8",
    )
    return config
