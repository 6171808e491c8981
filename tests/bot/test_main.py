"""``python -m bot``: the bot alone, in long polling, as a real process."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from support.fake_telegram import FakeTelegram
from support.bot import PYTHON, TOKEN, write_config
from support import REPO, free_port

pytestmark = pytest.mark.slow  # a real process, browser or engine: the full suite only


def run(config, token: str | None, log_path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    if token:
        env["TELEGRAM_BOT_TOKEN"] = token
    return subprocess.Popen([str(PYTHON), "-m", "bot", "--config", str(config)], cwd=REPO, env=env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT)


def test_runs_alone_in_long_polling_and_stops_on_sigterm(bot_index_settings, tmp_path):
    with FakeTelegram(TOKEN) as fake:
        config = write_config(tmp_path, free_port(), bot_index_settings, fake, "polling", "bm25", {})
        process = run(config, TOKEN, tmp_path / "bot.log")
        try:
            chat = fake.new_chat()
            fake.wait_for(lambda: fake.calls_of("getUpdates"), timeout=120, what="the bot to poll")
            fake.send_text(chat, "/vanban")
            [reply] = fake.wait_for_messages(chat, 1, timeout=30)
            assert "Các văn bản tôi đang có" in reply.text
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
    log = (tmp_path / "bot.log").read_text(encoding="utf-8")
    assert "đang chạy (long polling)" in log and "Traceback" not in log and TOKEN not in log


@pytest.mark.parametrize(
    ("token", "mode", "message"),
    [(None, "polling", "Chưa đặt TELEGRAM_BOT_TOKEN"), (TOKEN, "webhook", "python -m bot chỉ chạy long polling")],
)
def test_refuses_without_a_token_or_in_webhook_mode(bot_index_settings, tmp_path, token, mode, message):
    with FakeTelegram(TOKEN) as fake:
        config = write_config(tmp_path, free_port(), bot_index_settings, fake, mode, "bm25", {})
        process = run(config, token, tmp_path / "bot.log")
        assert process.wait(timeout=60) == 2
        assert message in (tmp_path / "bot.log").read_text(encoding="utf-8")
        assert fake.calls == []
