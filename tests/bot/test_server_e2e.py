"""End to end: the real ``python server.py`` process hosting the bot, against the fake Bot API.

Webhook mode: the fake POSTs updates to the server's secret path with the secret header, as
Telegram does, and the server's answers come back to the fake. This server's answers are
long (more quotes than the default), so every answer is split. Polling mode: the same
command with the default mode, on BM25 alone so no model is loaded.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot import WEBHOOK_PREFIX, texts
from bot.render import MAX_MESSAGE, utf16_len
from retrieval import Assistant, QuestionStatus
from retrieval.records import RecordStore, SQLiteDatabase
from support.fake_telegram import Chat, FakeTelegram, Sent
from support.bot import LONG_ANSWERS, PYTHON, TOKEN, write_config
from support import REPO, free_port

pytestmark = pytest.mark.slow  # a real process, browser or engine: the full suite only

STARTUP_SECONDS = 180
QUESTION = "hộ nghèo được vay vốn ở đâu?"
FOLLOW_UP = "còn hộ cận nghèo thì sao?"
SECRET_TEXT = "Trần Thị Riêng Tư hỏi"


@dataclass
class Live:
    fake: FakeTelegram
    process: subprocess.Popen
    base_url: str
    root: Path
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.process.returncode


def start(root: Path, config: Path, port: int, fake: FakeTelegram, env_token: str | None, ready_line: str) -> Live:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    if env_token:
        env["TELEGRAM_BOT_TOKEN"] = env_token
    log_path = root / "server.log"
    process = subprocess.Popen(
        [str(PYTHON), str(REPO / "server.py"), "--config", str(config), "--port", str(port)],
        cwd=REPO, env=env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT,
    )
    live = Live(fake, process, f"http://127.0.0.1:{port}", root, log_path)
    deadline = time.monotonic() + STARTUP_SECONDS
    while ready_line not in live.log:
        if process.poll() is not None or time.monotonic() > deadline:
            live.stop()
            pytest.fail(f"the server did not get the bot running:\n{live.log}")
        time.sleep(0.2)
    return live


@pytest.fixture(scope="module")
def long_assistant(bot_index_settings, real_embedder) -> Assistant:
    """What the webhook server answers, computed here to compare with."""
    return Assistant.open(bot_index_settings.with_overrides(answer=LONG_ANSWERS), embedder=real_embedder)


@pytest.fixture(scope="module")
def hook(bot_index_settings, long_assistant, tmp_path_factory):
    root = tmp_path_factory.mktemp("webhook")
    port = free_port()
    with FakeTelegram(TOKEN) as fake:
        config = write_config(root, port, bot_index_settings, fake, "webhook", "hybrid", LONG_ANSWERS)
        live = start(root, config, port, fake, TOKEN, "đang chạy (webhook)")
        try:
            yield live
        finally:
            live.stop()


def ask(fake: FakeTelegram, chat: Chat, text: str) -> list[Sent]:
    after = fake.last_message_id(chat)
    fake.send_text(chat, text)  # returns once the server has answered the POST
    return fake.wait_for_reply(chat, after=after, timeout=5)


def full_text(parts: list[Sent]) -> str:
    return "\n".join(p.text for p in parts)


def test_startup_sets_a_secret_webhook_and_commands(hook):
    fake = hook.fake
    assert fake.webhook["url"].startswith(f"{hook.base_url}{WEBHOOK_PREFIX}")
    assert len(fake.webhook["url"].rsplit("/", 1)[1]) == 32
    assert len(fake.webhook["secret_token"]) == 64
    assert set(fake.webhook["allowed_updates"]) == {"message", "callback_query"}
    assert [c["command"] for c in fake.commands] == [name for name, _ in texts.COMMANDS]
    assert fake.calls_of("getUpdates") == []


def test_start_and_help(hook):
    fake = hook.fake
    chat = fake.new_chat()
    [intro] = ask(fake, chat, "/start")
    assert len(intro.buttons) == 3 and "Trợ lý Giảm nghèo" in intro.text
    after = fake.last_message_id(chat)
    fake.send_text(chat, "/help")
    [help_message] = fake.wait_for_messages(chat, 1, after=after, timeout=5)
    assert "/tim" in help_message.text
    assert {status for _, status in fake.webhook_deliveries} == {200}


def test_long_answer_with_citations_is_split_and_its_buttons_work(hook, long_assistant):
    fake = hook.fake
    chat = fake.new_chat()
    parts = ask(fake, chat, QUESTION)
    expected = long_assistant.ask(QUESTION)
    assert len(parts) >= 2 and all(utf16_len(p.text) <= MAX_MESSAGE for p in parts)
    assert all(not p.buttons for p in parts[:-1])
    for quote in expected.quotes:
        assert sum(f"“{quote.text}” [{quote.citation_number}]" in p.text for p in parts) == 1
    assert "Nguồn:" in full_text(parts)

    answer_message = parts[-1]
    after = fake.last_message_id(chat)
    fake.press(answer_message, answer_message.button("📄 Xem nguồn [2]")["callback_data"])
    [source] = fake.wait_for_messages(chat, 1, after=after, timeout=5)
    assert expected.citations[1].hit.passage.text in source.text

    fake.press(answer_message, answer_message.button("👎")["callback_data"])
    fake.wait_for(lambda: answer_message.buttons[-1]["text"] == "✅ 👎", timeout=5, what="the 👎 to be ticked")
    # the vote and the question are in the library's records, beside the bot's state
    records = RecordStore(SQLiteDatabase(hook.root / "state" / "records.sqlite3"))
    [row] = [r for r in records.feedback() if r.question == QUESTION]
    assert (row.face, row.vote, row.passage_ids) == ("telegram", -1, tuple(c.hit.passage.id for c in expected.citations))
    logged = [r for r in records.questions() if r.question == QUESTION]
    assert logged and all((r.face, r.status) == ("telegram", QuestionStatus.ANSWERED) for r in logged)
    assert fake.unanswered_callbacks() == []


def test_follow_up_no_diacritics_and_html(hook, long_assistant):
    fake = hook.fake
    chat = fake.new_chat()
    ask(fake, chat, QUESTION)
    expected = long_assistant.ask(FOLLOW_UP, history=[QUESTION])
    assert f"“{expected.quotes[0].text}”" in full_text(ask(fake, chat, FOLLOW_UP))

    plain = long_assistant.ask("ho ngheo duoc vay von o dau")
    assert plain.found and f"“{plain.quotes[0].text}”" in full_text(ask(fake, fake.new_chat(), "ho ngheo duoc vay von o dau"))

    parts = ask(fake, chat, "Hộ nghèo được <b>vay vốn</b> ưu đãi ở đâu & thế nào?")
    assert "Nguồn:" in full_text(parts) and texts.ERROR not in full_text(parts)
    parts = ask(fake, chat, "/tim <b>vay vốn</b> & tín dụng")
    assert "“<b>vay vốn</b> & tín dụng”" in full_text(parts)


def test_a_429_is_waited_out_and_retried(hook):
    fake = hook.fake
    chat = fake.new_chat()
    fake.fail_next("sendMessage", retry_after=1)
    started = time.monotonic()
    parts = ask(fake, chat, QUESTION)
    assert parts[-1].buttons
    sends = [c for c in fake.calls_of("sendMessage") if c.at >= started]
    assert [c.status for c in sends[:2]] == [429, 200] and sends[1].at - sends[0].at >= 1.0


def test_a_wrong_secret_or_path_gets_no_reply(hook):
    fake = hook.fake
    chat = fake.new_chat()
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": chat.to_dict(), "from": {"id": 5, "is_bot": False, "first_name": "X"}, "text": "/start"}}
    sent_before = len(fake.calls_of("sendMessage"))
    assert fake.deliver_raw(update, "wrong-secret") == 403
    assert fake.deliver_raw(update, None) == 403
    assert httpx.post(f"{hook.base_url}{WEBHOOK_PREFIX}{'0' * 32}", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": fake.webhook["secret_token"]}).status_code == 404
    assert fake.deliver_raw({"not": "an update"}, fake.webhook["secret_token"]) == 400
    time.sleep(0.3)
    assert len(fake.calls_of("sendMessage")) == sent_before and fake.messages(chat) == []


def test_the_webhook_is_not_in_the_openapi_schema(hook):
    paths = httpx.get(f"{hook.base_url}/openapi.json").json()["paths"]
    assert paths and not any(p.startswith(WEBHOOK_PREFIX) for p in paths)


def test_log_keeps_no_token_secret_or_question(hook):
    fake = hook.fake
    chat = fake.new_chat()
    ask(fake, chat, SECRET_TEXT + " về hộ nghèo vay vốn")
    time.sleep(0.3)
    log = hook.log
    key = fake.webhook["url"].rsplit("/", 1)[1]
    assert "POST /telegram/… 200" in log  # the path is logged without its secret part
    for private in (TOKEN, TOKEN.split(":")[1], fake.webhook["secret_token"], key, "Riêng Tư", str(chat.id)):
        assert private not in log, private


def test_stops_cleanly_and_keeps_its_state(hook):
    assert hook.stop() in (0, -signal.SIGTERM)
    log = hook.log
    assert "Application shutdown complete" in log and "Traceback" not in log, log
    assert (hook.root / "state" / "bot-state.pickle").is_file()
    with sqlite3.connect(hook.root / "state" / "records.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM feedback").fetchone()[0] >= 1
        assert db.execute("SELECT count(*) FROM questions").fetchone()[0] >= 1


# -- long polling through server.py, and no token ----------------------------------------------
def test_polling_beside_the_web_service(bot_index_settings, tmp_path):
    port = free_port()
    with FakeTelegram(TOKEN) as fake:
        config = write_config(tmp_path, port, bot_index_settings, fake, "polling", "bm25", {})
        live = start(tmp_path, config, port, fake, TOKEN, "đang chạy (long polling)")
        try:
            assert httpx.get(f"{live.base_url}/healthz").status_code == 200  # the web service too
            chat = fake.new_chat()
            [intro] = ask_polling(fake, chat, "/start")
            assert "Trợ lý Giảm nghèo" in intro.text
            parts = ask_polling(fake, chat, QUESTION)
            assert "Nguồn:" in full_text(parts)
        finally:
            assert live.stop() in (0, -signal.SIGTERM)
        log = live.log
        assert "Traceback" not in log and TOKEN not in log, log
        # the updater stopped before the server exited: the last poll confirmed the updates
        assert fake.calls_of("getUpdates")[-1].params.get("timeout") in ("0", 0)


def ask_polling(fake: FakeTelegram, chat: Chat, text: str) -> list[Sent]:
    after = fake.last_message_id(chat)
    fake.send_text(chat, text)
    return fake.wait_for_reply(chat, after=after, timeout=30)


def test_without_a_token_the_service_is_web_only_and_says_so_once(bot_index_settings, tmp_path):
    port = free_port()
    with FakeTelegram(TOKEN) as fake:
        config = write_config(tmp_path, port, bot_index_settings, fake, "polling", "bm25", {})
        live = start(tmp_path, config, port, fake, None, "Sẵn sàng:")
        try:
            deadline = time.monotonic() + 30
            while "Uvicorn running" not in live.log and "Application startup complete" not in live.log and time.monotonic() < deadline:
                time.sleep(0.2)
            assert httpx.get(f"{live.base_url}/healthz").status_code == 200
        finally:
            live.stop()
        assert live.log.count("Chưa đặt TELEGRAM_BOT_TOKEN: chỉ chạy dịch vụ web") == 1
        assert fake.calls == []
