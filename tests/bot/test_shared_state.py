"""Two replicas of the bot in webhook mode sharing one real Redis ([state] redis_url): a
follow-up, a "📄 Xem nguồn" button, a vote and the next /kiemtra step work on the replica that
did not see the first turn; an update delivered twice is handled once; one chat's updates are
handled one at a time, in order; what is kept in Redis is JSON, masked.

Each replica is a real PTB Application (``TelegramBot``) with its own state folder, answering
the fake Bot API over HTTP; updates are handed to ``TelegramBot.process`` as the webhook route
does (the route itself, with nginx in front, is tested end to end in tests/test_replicas_e2e.py).
"""

from __future__ import annotations

import asyncio
import json

import pytest

from bot import Credentials, TelegramBot, Verdict, texts
from bot.gate import MemoryGate, RedisGate
from retrieval import Assistant
from support.bot import TOKEN, LoopThread, bot_settings
from support.fake_telegram import Chat, FakeTelegram, Sent
from support.redis import redis_server

QUESTION = "hộ nghèo được vay vốn ở đâu?"
FOLLOW_UP = "còn hộ cận nghèo thì sao?"


class Replica:
    """One bot, webhook mode, on the shared loop thread."""

    def __init__(self, loop: LoopThread, settings, assistant: Assistant) -> None:
        self.loop = loop

        async def create() -> TelegramBot:
            return TelegramBot.create(settings, assistant, Credentials.from_token(TOKEN))

        self.bot = loop.run(create())
        loop.run(self.bot.start())

    def deliver(self, update: dict) -> Verdict:
        return self.loop.run(self.bot.process(update))

    def stop(self) -> None:
        self.loop.run(self.bot.stop())


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="module")
def replicas(bot_index_settings, bot_assistant, fake, redis_url, tmp_path_factory):
    loop = LoopThread()
    made = []
    for name in ("a", "b"):
        settings = bot_settings(bot_index_settings, fake, tmp_path_factory.mktemp(f"replica-{name}") / "state", mode="webhook", webhook_url="https://tro-ly.example", questions_per_minute=1000)
        made.append(Replica(loop, settings.with_overrides(state={"redis_url": redis_url}), bot_assistant))
    fake.webhook = None  # updates are handed to a replica by the test, not POSTed
    yield made
    for replica in made:
        replica.stop()
    loop.close()


def ask(fake: FakeTelegram, replica: Replica, chat: Chat, text: str) -> list[Sent]:
    after = fake.last_message_id(chat)
    assert replica.deliver(fake.send_text(chat, text)) is Verdict.NEW
    return fake.wait_for_reply(chat, after=after, timeout=10)


def press(fake: FakeTelegram, replica: Replica, message: Sent, label: str) -> Verdict:
    return replica.deliver(fake.press(message, message.button(label)["callback_data"]))


def test_a_follow_up_a_source_and_a_vote_on_the_other_replica(replicas, fake, bot_assistant, redis_url):
    a, b = replicas
    chat = fake.new_chat()
    first = ask(fake, a, chat, QUESTION)
    expected = bot_assistant.ask(FOLLOW_UP, history=[QUESTION])
    follow_up = ask(fake, b, chat, FOLLOW_UP)  # b never saw the first turn
    assert f"“{expected.quotes[0].text}”" in "\n".join(p.text for p in follow_up)

    answer = first[-1]  # a's answer, its buttons pressed on b
    after = fake.last_message_id(chat)
    assert press(fake, b, answer, "📄 Xem nguồn [1]") is Verdict.NEW
    [source] = fake.wait_for_messages(chat, 1, after=after, timeout=10)
    assert bot_assistant.ask(QUESTION).citations[0].hit.passage.text in source.text
    assert press(fake, b, answer, "👎") is Verdict.NEW
    fake.wait_for(lambda: answer.buttons[-1]["text"] == "✅ 👎", timeout=10, what="the 👎 to be ticked")
    assert press(fake, a, answer, "👍") is Verdict.NEW  # and a sees b's vote: it ticks 👍 instead
    fake.wait_for(lambda: answer.buttons[-2]["text"] == "✅ 👍", timeout=10, what="the 👍 to be ticked")
    assert fake.unanswered_callbacks() == []
    assert texts.EXPIRED not in [c.params.get("text") for c in fake.calls_of("answerCallbackQuery")]

    import redis

    stored = redis.Redis.from_url(redis_url).get(f"tro_ly:tg:chat:{chat.id}")
    data = json.loads(stored)  # JSON, not a pickle
    assert data["history"] == [QUESTION, FOLLOW_UP] and data["references"][0][1]["vote"] == 1


def test_a_check_started_on_one_replica_goes_on_on_the_other(replicas, fake):
    a, b = replicas
    chat = fake.new_chat()
    intro, area = ask(fake, a, chat, "/kiemtra")
    assert area.text.startswith("Bước 1/")
    after = fake.last_message_id(chat)
    assert press(fake, b, area, "Nông thôn") is Verdict.NEW
    [members] = fake.wait_for_messages(chat, 1, after=after, timeout=10)
    assert members.text.startswith("Bước 2/")
    # typed on a: the conversation (started on a, moved on by b) reads it as the step's answer
    [income] = ask(fake, a, chat, "4")
    assert members.text.endswith("✔️ 4 người") and income.text.startswith("Bước 3/")
    after = fake.last_message_id(chat)
    assert press(fake, b, income, texts.CHECK_CANCEL_BUTTON) is Verdict.NEW
    [cancelled] = fake.wait_for_messages(chat, 1, after=after, timeout=10)
    assert cancelled.text == texts.CHECK_CANCELLED
    # over on both: a plain question on a is answered as one, not read as an amount
    answer = ask(fake, a, chat, QUESTION)
    assert "Nguồn:" in "\n".join(p.text for p in answer)


def test_an_update_delivered_twice_is_handled_once(replicas, fake):
    a, b = replicas
    chat = fake.new_chat()
    update = fake.send_text(chat, QUESTION)
    assert a.deliver(update) is Verdict.NEW
    assert b.deliver(update) is Verdict.DONE  # Telegram's retry, on the other replica
    assert a.deliver(update) is Verdict.DONE
    fake.wait_for_reply(chat, timeout=10)
    assert len([m for m in fake.messages(chat) if m.reply_markup]) == 1


def test_one_chats_updates_are_handled_one_at_a_time_in_order(replicas, fake):
    """Three questions of one chat reach the two replicas at once: each is answered after the
    one before it (its history holds the earlier ones), never side by side."""
    a, b = replicas
    chat = fake.new_chat()
    updates = [fake.send_text(chat, text) for text in (QUESTION, FOLLOW_UP, "còn người khuyết tật thì sao?")]

    async def together() -> list[Verdict]:
        return await asyncio.gather(a.bot.process(updates[0]), b.bot.process(updates[1]), a.bot.process(updates[2]))

    assert a.loop.run(together()) == [Verdict.NEW] * 3
    answers = fake.wait_for(lambda: (lambda found: found if len(found) == 3 else None)([m for m in fake.messages(chat) if m.reply_markup]), timeout=20, what="three answers")
    # in order: each was read with the ones before it as its history, so each saw the last one's state
    history = json.loads(a.loop.run(a.bot.redis.get(f"tro_ly:tg:chat:{chat.id}")))["history"]
    assert history == [QUESTION, FOLLOW_UP, "còn người khuyết tật thì sao?"]
    assert [m.message_id for m in answers] == sorted(m.message_id for m in answers)


# -- the gate alone ---------------------------------------------------------------------------------
def _gate_order(gate_a, gate_b) -> list[str]:
    return asyncio.run(_gate_order_on(gate_a, gate_b))


async def _gate_order_on(gate_a, gate_b) -> list[str]:
    """Updates 1, 2, 3 of one chat arrive at once, 2 first: handled 1, 2, 3, one at a time."""
    events: list[str] = []

    async def handle(gate, update_id: int, delay: float) -> Verdict:
        await asyncio.sleep(delay)
        async with gate.handle(update_id, 42) as verdict:
            if verdict is Verdict.NEW:
                events.append(f"start {update_id}")
                await asyncio.sleep(0.05)
                events.append(f"end {update_id}")
            return verdict

    async def run() -> list[Verdict]:
        return await asyncio.gather(handle(gate_a, 1, 0.01), handle(gate_b, 2, 0.0), handle(gate_a, 3, 0.02), handle(gate_b, 1, 0.2))

    verdicts = await asyncio.wait_for(run(), 60)
    assert verdicts == [Verdict.NEW, Verdict.NEW, Verdict.NEW, Verdict.DONE]
    return events


def test_the_memory_gate_keeps_one_process_in_order():
    gate = MemoryGate()
    events = _gate_order(gate, gate)
    assert [e for e in events if e.startswith("start")] == ["start 2", "start 1", "start 3"] or events[:2] == ["start 2", "end 2"]
    assert all(events[i].split()[1] == events[i + 1].split()[1] for i in range(0, len(events), 2))  # never side by side


def test_the_redis_gate_orders_a_chat_across_replicas_and_frees_what_a_dead_one_held(tmp_path):
    import redis.asyncio

    with redis_server(tmp_path) as url:
        # clients as the bot opens them (bot.app.open_redis: a reply that never comes is an
        # error, not a wait), each made and closed on the loop that uses it
        def client() -> redis.asyncio.Redis:
            return redis.asyncio.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)

        async def order() -> list[str]:
            a, b = client(), client()
            try:
                return await _gate_order_on(RedisGate(a), RedisGate(b))
            finally:
                await a.aclose()
                await b.aclose()

        events = asyncio.run(order())
        assert all(events[i].split()[1] == events[i + 1].split()[1] for i in range(0, len(events), 2))  # never side by side
        # whichever arrived first took the chat (2 is sent first, but on a loaded machine 1 may
        # reach Redis before it); the ones that waited went lowest first
        starts = [e for e in events if e.startswith("start")]
        assert starts in (["start 2", "start 1", "start 3"], ["start 1", "start 2", "start 3"])

        async def dead_replica() -> tuple[Verdict, Verdict, Verdict]:
            shared = client()
            try:
                gate = RedisGate(shared, hold_seconds=0.5)
                # a replica took update 7 of chat 9 and died: its claim and lock are left behind
                await shared.set("tro_ly:tg:update:7", "x", px=500)
                await shared.set("tro_ly:tg:chat:9:lock", "x", px=500)
                await shared.zadd("tro_ly:tg:chat:9:queue", {"7": 7})
                async with gate.handle(7, 9) as retried_at_once:  # Telegram's retry, too soon
                    pass
                async with gate.handle(8, 9) as next_update:  # the next update waits for the lock to lapse
                    pass
                await asyncio.sleep(0.6)
                async with gate.handle(7, 9) as retried_later:
                    pass
                return retried_at_once, next_update, retried_later
            finally:
                await shared.aclose()

        assert asyncio.run(asyncio.wait_for(dead_replica(), 60)) == (Verdict.BUSY, Verdict.NEW, Verdict.NEW)


def test_a_chat_s_budget_is_one_across_replicas(bot_index_settings, bot_assistant, fake, redis_url, tmp_path):
    """Two questions a minute: one on each replica, and the third, wherever it lands, is refused
    with one polite message; the budget is counted in Redis by the limits package."""
    loop = LoopThread()
    pair = []
    try:
        for name in ("a", "b"):
            settings = bot_settings(bot_index_settings, fake, tmp_path / name / "state", mode="webhook", webhook_url="https://tro-ly.example", questions_per_minute=2)
            pair.append(Replica(loop, settings.with_overrides(state={"redis_url": redis_url}), bot_assistant))
        fake.webhook = None
        a, b = pair
        chat = fake.new_chat()
        ask(fake, a, chat, QUESTION)
        ask(fake, b, chat, FOLLOW_UP)
        after = fake.last_message_id(chat)
        assert a.deliver(fake.send_text(chat, QUESTION)) is Verdict.NEW
        [polite] = fake.wait_for_messages(chat, 1, after=after, timeout=10)
        assert "tối đa 2 câu hỏi" in polite.text
        after = fake.last_message_id(chat)
        assert b.deliver(fake.send_text(chat, QUESTION)) is Verdict.NEW  # told once: nothing more
        assert a.deliver(fake.send_text(chat, "/vanban")) is Verdict.NEW  # commands are not questions
        [documents] = fake.wait_for_messages(chat, 1, after=after, timeout=10)
        assert "Các văn bản tôi đang có" in documents.text
    finally:
        for replica in pair:
            replica.stop()
        loop.close()
