"""The real PTB Application in long polling, over HTTP, against the fake Bot API.

One bot for the module (one Assistant for the session); every test talks in its own chat, so
per-chat state and limits never leak between tests.
"""

from __future__ import annotations

import logging
import time
from datetime import date

import pytest
from telegram.error import InvalidToken

from bot import texts
from bot.render import MAX_MESSAGE, utf16_len
from retrieval import Assistant, QuestionStatus
from support.fake_telegram import ApiError, Chat, FakeTelegram, Sent
from support.bot import LONG_ANSWERS, TOKEN, RunningBot, bot_settings
from support.telegram_html import entity_text
from support import HTML_ATTACK, SCRIPT_ATTACK, XSS_ID, XSS_TITLE

LIMIT = 5
QUESTION = "hộ nghèo được vay vốn ở đâu?"
FOLLOW_UP = "còn hộ cận nghèo thì sao?"


@pytest.fixture(scope="module")
def settings(bot_index_settings, fake, tmp_path_factory):
    return bot_settings(bot_index_settings, fake, tmp_path_factory.mktemp("polling") / "state", questions_per_minute=LIMIT)


@pytest.fixture(scope="module")
def running(settings, bot_assistant, fake):
    bot = RunningBot(settings, bot_assistant).start()
    yield bot
    bot.stop()


def ask(fake: FakeTelegram, chat: Chat, text: str, reply_to: Sent | None = None) -> list[Sent]:
    """Send ``text`` and return every part of the bot's reply (the last one has the buttons)."""
    after = fake.last_message_id(chat)
    fake.send_text(chat, text, reply_to=reply_to)
    return fake.wait_for_reply(chat, after=after)


def press(fake: FakeTelegram, message: Sent, label: str, count: int = 1) -> list[Sent]:
    after = fake.last_message_id(Chat(message.chat_id))
    fake.press(message, message.button(label)["callback_data"])
    return fake.wait_for_messages(Chat(message.chat_id), count, after=after)


def full_text(parts: list[Sent]) -> str:
    return "\n".join(p.text for p in parts)


# -- start-up --------------------------------------------------------------------------------
def test_startup_registers_commands_and_polls(running, fake):
    assert [(c["command"], c["description"]) for c in fake.commands] == list(texts.COMMANDS)
    fake.wait_for(lambda: fake.calls_of("getUpdates"), what="the first long poll")
    methods = [c.method for c in fake.calls]
    assert methods[:4] == ["getMe", "setMyCommands", "deleteWebhook", "getUpdates"]  # no 409: webhook removed first
    assert all(c.status in (0, 200) for c in fake.calls_of("getUpdates"))


def test_wrong_token_is_refused_and_said_in_the_log(settings, bot_assistant, fake, caplog):
    bot = RunningBot(settings, bot_assistant, token="999:not-the-token")
    try:
        with pytest.raises(InvalidToken):
            bot.loop.run(bot.bot.start())
        assert fake.calls_of("getMe")[-1].status == 401
        with caplog.at_level(logging.ERROR, logger="tro_ly.bot"):
            bot.loop.run(bot.bot.start_with_retries())  # gives up at once on a refused token
        assert "Telegram từ chối TELEGRAM_BOT_TOKEN (401)" in caplog.text
        assert "not-the-token" not in caplog.text
    finally:
        bot.stop()


# -- commands --------------------------------------------------------------------------------
def test_start_offers_three_example_questions_that_answer(running, fake, settings):
    chat = fake.new_chat()
    [intro] = ask(fake, chat, "/start")
    assert "Trợ lý Giảm nghèo" in intro.text and "/help" in intro.text
    assert [b["text"] for b in intro.buttons] == settings.telegram.example_questions
    parts = press(fake, intro, settings.telegram.example_questions[0])
    reply = fake.wait_for_reply(chat, after=intro.message_id)
    assert parts[0].text.startswith(f"❓ {settings.telegram.example_questions[0]}")
    assert "Nguồn:" in full_text(reply) and reply[-1].button("📄 Xem nguồn [1]")
    assert fake.unanswered_callbacks() == []


def test_help(running, fake):
    chat = fake.new_chat()
    after = fake.last_message_id(chat)
    fake.send_text(chat, "/help")
    [message] = fake.wait_for_messages(chat, 1, after=after)
    for expected in ("/tim", "/vanban", "Xem nguồn", "👍", "không dấu"):
        assert expected in message.text


def test_vanban_lists_documents_with_codes_and_dates(running, fake, bot_assistant):
    chat = fake.new_chat()
    after = fake.last_message_id(chat)
    fake.send_text(chat, "/vanban")
    text = full_text(fake.wait_for_messages(chat, 1, after=after))
    documents = bot_assistant.documents()
    assert f"({len(documents)})" in text
    for document in documents:
        assert document.metadata.title in text
        if document.metadata.code:
            assert f"Số hiệu: {document.metadata.code}" in text
        if document.metadata.date:
            assert document.metadata.date.strftime("%d/%m/%Y") in text
    assert SCRIPT_ATTACK in text  # a title with HTML is shown as text, not markup


def test_tim_gives_top_five_clauses_with_locations(running, fake, bot_assistant):
    chat = fake.new_chat()
    parts = ask(fake, chat, "/tim rà soát hộ nghèo")
    text = full_text(parts)
    hits = bot_assistant.search("rà soát hộ nghèo", 5)
    assert len(hits) == 5 and "5 điều khoản" in text
    for i, hit in enumerate(hits, start=1):
        assert f"{i}. {hit.document.metadata.short_name}" in text
        assert hit.passage.location_text in text
    [source] = press(fake, parts[-1], "📄 3")
    assert hits[2].passage.text in source.text

    after = fake.last_message_id(chat)
    fake.send_text(chat, "/tim")
    [usage] = fake.wait_for_messages(chat, 1, after=after)
    assert "/tim rà soát hộ nghèo" in usage.text


# -- questions -------------------------------------------------------------------------------
def test_question_gets_the_extractive_answer_with_numbered_citations(running, fake, bot_assistant):
    chat = fake.new_chat()
    started = len(fake.calls)
    parts = ask(fake, chat, QUESTION)
    expected = bot_assistant.ask(QUESTION)
    assert expected.found and expected.citations
    text = full_text(parts)
    for quote in expected.quotes:
        assert f"“{quote.text}” [{quote.citation_number}]" in text
    for citation in expected.citations:
        meta = citation.hit.document.metadata
        line = f"[{citation.number}] {meta.short_name}" + (f" ({meta.date:%d/%m/%Y})" if meta.date else "") + f" — {citation.hit.passage.location_text}"
        assert line in text
    labels = [b["text"] for b in parts[-1].buttons]
    assert labels == [f"📄 Xem nguồn [{c.number}]" for c in expected.citations] + ["👍", "👎"]
    # a typing indicator went out before the answer
    methods = [(c.method, c.params.get("chat_id"), c.params.get("action")) for c in fake.calls[started:]]
    assert methods.index(("sendChatAction", str(chat.id), "typing")) < methods.index(("sendMessage", str(chat.id), None))
    assert all(utf16_len(p.text) <= MAX_MESSAGE for p in parts)


def test_source_button_shows_the_whole_passage_with_title_code_and_date(running, fake, bot_assistant):
    chat = fake.new_chat()
    parts = ask(fake, chat, QUESTION)
    citation = bot_assistant.ask(QUESTION).citations[0]
    [source] = press(fake, parts[-1], "📄 Xem nguồn [1]")
    meta = citation.hit.document.metadata
    assert source.text.startswith(f"📄 [1] {meta.title}")
    if meta.code:
        assert f"Số hiệu: {meta.code}" in source.text
    if meta.date:
        assert f"Ngày ban hành: {meta.date:%d/%m/%Y}" in source.text
    assert f"Vị trí: {citation.hit.passage.location_text}" in source.text
    [quote] = [e for e in source.entities if e.type == "blockquote"]
    assert entity_text(source.text, quote) == citation.hit.passage.text
    assert source.reply_to == parts[-1].message_id
    assert fake.unanswered_callbacks() == []


# the documents speak of policy credit for poor households, but state no interest rate
NOT_STATED_Q = "Hộ nghèo vay vốn chính sách thì lãi suất bao nhiêu phần trăm một năm?"


def test_a_detail_not_stated_offers_the_nearest_clauses_as_buttons_not_as_an_answer(running, fake, bot_assistant):
    chat = fake.new_chat()
    parts = ask(fake, chat, NOT_STATED_Q)
    expected = bot_assistant.ask(NOT_STATED_Q)
    assert expected.status.value == "not_stated" and expected.related and not expected.citations
    text = "\n".join(p.text for p in parts)
    assert expected.text in text and "Có thể liên quan (không phải câu trả lời):" in text
    for n, hit in enumerate(expected.related, start=1):
        assert f"[{n}] {hit.label}" in text
    buttons = [b["text"] for b in parts[-1].buttons]
    assert buttons[: len(expected.related)] == [f"🔎 Liên quan [{n}]" for n in range(1, len(expected.related) + 1)]
    assert not any(b.startswith("📄 Xem nguồn") for b in buttons)
    [source] = press(fake, parts[-1], "🔎 Liên quan [1]")  # the whole nearest clause, as a source shows
    assert source.text.startswith("📄 [1] ") and expected.related[0].passage.text[:100] in source.text
    fake.press(parts[-1], parts[-1].button("👎")["callback_data"])  # a vote keeps the related buttons
    fake.wait_for(lambda: parts[-1].edits, what="the ticked vote")
    assert [b["text"] for b in parts[-1].buttons][0] == "🔎 Liên quan [1]"


# a question no other test asks, with a name in it: the rows it leaves are told apart by it (more
# personal data would lower the evidence below the threshold: the answer would be "not covered")
PERSONAL = "Tôi là Nguyễn Văn An. Chính sách tín dụng cho hộ nghèo được thực hiện qua ngân hàng nào?"
PERSONAL_MASKED = "Tôi là <TÊN>. Chính sách tín dụng cho hộ nghèo được thực hiện qua ngân hàng nào?"


def test_the_question_is_logged_masked_and_the_vote_stored_masked(running, fake, bot_assistant, settings):
    records = bot_assistant.records  # the library's store: one for every face
    chat = fake.new_chat()
    parts = ask(fake, chat, PERSONAL)
    expected = bot_assistant.ask(PERSONAL)
    assert expected.found  # precondition: an answer with buttons
    [logged] = [r for r in records.questions() if r.question == PERSONAL_MASKED]
    assert (logged.face, logged.status, logged.day) == ("telegram", QuestionStatus.ANSWERED, date.today())
    assert logged.passage_ids == tuple(c.hit.passage.id for c in expected.citations)

    answer_message = parts[-1]
    fake.press(answer_message, answer_message.button("👍")["callback_data"])
    fake.wait_for(lambda: answer_message.buttons[-2]["text"] == "✅ 👍", what="the 👍 to be ticked")
    [row] = [r for r in records.feedback() if r.question == PERSONAL_MASKED]
    assert (row.face, row.answer, row.vote, row.day) == ("telegram", expected.text, 1, date.today())
    assert row.passage_ids == tuple(c.hit.passage.id for c in expected.citations)
    assert fake.calls_of("answerCallbackQuery")[-1].params.get("text") == texts.THANKS

    fake.press(answer_message, answer_message.button("👎")["callback_data"])  # changing one's mind
    fake.wait_for(lambda: answer_message.buttons[-1]["text"] == "✅ 👎", what="the 👎 to be ticked")
    [row] = [r for r in records.feedback() if r.question == PERSONAL_MASKED]
    assert row.vote == -1
    assert fake.unanswered_callbacks() == []
    # nothing of it unmasked on disk: neither the records nor the bot's own state, and no chat id
    running.loop.run(running.bot.application.update_persistence())
    for path in (bot_assistant.settings.records_path, settings.resolve(settings.telegram.state_dir) / "bot-state.pickle"):
        stored = path.read_bytes()
        for private in ("Nguyễn Văn An",):
            assert private.encode() not in stored, (path, private)
    assert str(chat.id).encode() not in bot_assistant.settings.records_path.read_bytes()


def test_follow_up_uses_the_previous_question_of_that_chat(running, fake, bot_assistant):
    with_context = bot_assistant.ask(FOLLOW_UP, history=[QUESTION])
    alone = bot_assistant.ask(FOLLOW_UP)
    assert with_context.quotes[0].text not in alone.text  # precondition: the context changes the answer

    chat = fake.new_chat()
    ask(fake, chat, QUESTION)
    assert f"“{with_context.quotes[0].text}”" in full_text(ask(fake, chat, FOLLOW_UP))
    # another chat has no previous question: it gets the answer to the follow-up alone
    other = fake.new_chat()
    assert f"“{with_context.quotes[0].text}”" not in full_text(ask(fake, other, FOLLOW_UP))


def test_question_without_diacritics(running, fake, bot_assistant):
    chat = fake.new_chat()
    parts = ask(fake, chat, "ho ngheo duoc vay von o dau")
    accented = bot_assistant.ask(QUESTION)
    assert f"“{accented.quotes[0].text}”" in full_text(parts)
    assert parts[-1].button("📄 Xem nguồn [1]")


def test_html_in_questions_and_documents_is_shown_as_text(running, fake, bot_assistant):
    chat = fake.new_chat()
    parts = ask(fake, chat, "Hộ nghèo được <b>vay vốn</b> ưu đãi ở đâu & thế nào?")
    assert "Nguồn:" in full_text(parts) and texts.ERROR not in full_text(parts)

    query = "<b>hiển thị</b> & nguyên văn mã trang web"
    assert bot_assistant.search(query, 5)[0].document.id == XSS_ID  # precondition
    parts = ask(fake, chat, f"/tim {query}")
    text = full_text(parts)
    assert f"“{query}”" in text  # the query comes back literally
    assert HTML_ATTACK in text and SCRIPT_ATTACK in text  # so does the document's text
    [source] = press(fake, parts[-1], "📄 1")
    assert source.text.startswith(f"📄 [1] {XSS_TITLE}")  # a title carrying <script>
    assert HTML_ATTACK in source.text


def test_long_answer_is_split_at_passage_boundaries(bot_index_settings, real_embedder, tmp_path):
    long = bot_index_settings.with_overrides(answer=LONG_ANSWERS)
    assistant = Assistant.open(long, embedder=real_embedder)
    expected = assistant.ask(QUESTION)
    with FakeTelegram(TOKEN) as own:  # one poller per token, as Telegram insists (409 otherwise)
        bot = RunningBot(bot_settings(long, own, tmp_path / "state"), assistant).start()
        try:
            parts = ask(own, own.new_chat(), QUESTION)
        finally:
            bot.stop()
    assert len(parts) >= 2
    assert all(utf16_len(p.text) <= MAX_MESSAGE for p in parts)  # and the fake accepted every part
    assert all(not p.buttons for p in parts[:-1]) and parts[-1].buttons
    for quote in expected.quotes:  # every quote whole in one message
        assert sum(f"“{quote.text}” [{quote.citation_number}]" in p.text for p in parts) == 1
    assert "Nguồn:" in full_text(parts) and len(expected.citations) >= 5


def test_a_429_from_telegram_is_waited_out_and_retried(running, fake):
    chat = fake.new_chat()
    fake.fail_next("sendMessage", retry_after=1)
    started = time.monotonic()
    parts = ask(fake, chat, QUESTION)
    assert parts[-1].buttons
    sends = [c for c in fake.calls_of("sendMessage") if c.at >= started]
    assert [c.status for c in sends[:2]] == [429, 200]
    assert sends[1].at - sends[0].at >= 1.0  # it waited what Telegram asked


def test_per_chat_limit_says_so_once_politely(running, fake):
    chat, other = fake.new_chat(), fake.new_chat()
    for _ in range(LIMIT):
        ask(fake, chat, QUESTION)
    after = fake.last_message_id(chat)
    fake.send_text(chat, QUESTION)
    [polite] = fake.wait_for_messages(chat, 1, after=after)
    assert f"tối đa {LIMIT} câu hỏi" in polite.text and "chờ khoảng" in polite.text
    fake.send_text(chat, QUESTION)  # told already: nothing more
    ask(fake, other, QUESTION)  # updates are handled in order: the extra question is done by now
    assert fake.messages(chat)[-1].message_id == polite.message_id


def test_groups_answer_only_when_mentioned_or_replied_to(running, fake):
    group = fake.new_chat("group")
    fake.send_text(group, QUESTION)  # chatter: ignored
    mention = f"@{fake.username} {QUESTION}"
    parts = ask(fake, group, mention)
    assert fake.messages(group)[0].message_id == parts[0].message_id  # nothing for the chatter
    assert parts[0].reply_to == fake.messages(group, from_bot=False)[-1].message_id  # replies to the asker
    parts = ask(fake, group, FOLLOW_UP, reply_to=parts[-1])  # a reply to the bot
    assert "Nguồn:" in full_text(parts)
    after = fake.last_message_id(group)
    fake.send_text(group, "/help@" + fake.username)
    assert "/tim" in fake.wait_for_messages(group, 1, after=after)[0].text


def test_failures_get_a_short_polite_message_and_a_log_without_personal_data(running, fake, caplog):
    chat = fake.new_chat()
    secret = "Trần Thị Riêng Tư hỏi về hộ nghèo vay vốn"
    fake.fail_next_with("sendMessage", ApiError(400, "Bad Request: message is too long"))
    after = fake.last_message_id(chat)
    with caplog.at_level(logging.INFO):
        fake.send_text(chat, secret)
        [message] = fake.wait_for_messages(chat, 1, after=after)
        time.sleep(0.2)
    assert message.text == texts.ERROR
    assert "Lỗi khi xử lý tin nhắn: BadRequest “Message is too long”" in caplog.text
    assert "Riêng Tư" not in caplog.text and str(chat.id) not in caplog.text and TOKEN not in caplog.text


def test_other_messages_in_private_chats(running, fake):
    chat = fake.new_chat()
    after = fake.last_message_id(chat)
    fake.send_sticker(chat)
    fake.send_text(chat, "/khongco")
    first, second = fake.wait_for_messages(chat, 2, after=after)
    assert (first.text, second.text) == (texts.TEXT_ONLY, texts.UNKNOWN_COMMAND)


# -- restart ---------------------------------------------------------------------------------
def test_state_survives_a_restart(bot_index_settings, bot_assistant, tmp_path):
    """Source buttons, the previous question and the per-chat limit, across two Applications."""
    with FakeTelegram(TOKEN) as fake:  # its own: one poller per token
        settings = bot_settings(bot_index_settings, fake, tmp_path / "state", questions_per_minute=2)
        chat = fake.new_chat()
        first = RunningBot(settings, bot_assistant).start()
        try:
            before = ask(fake, chat, QUESTION)
        finally:
            first.stop()

        second = RunningBot(settings, bot_assistant).start()
        try:
            [source] = press(fake, before[-1], "📄 Xem nguồn [1]")  # a button from before the restart
            assert bot_assistant.ask(QUESTION).citations[0].hit.passage.text in source.text
            expected = bot_assistant.ask(FOLLOW_UP, history=[QUESTION])
            assert f"“{expected.quotes[0].text}”" in full_text(ask(fake, chat, FOLLOW_UP))
            after = fake.last_message_id(chat)
            fake.send_text(chat, QUESTION)  # the third question within a minute, across the restart
            [polite] = fake.wait_for_messages(chat, 1, after=after)
            assert "tối đa 2 câu hỏi" in polite.text
        finally:
            second.stop()
