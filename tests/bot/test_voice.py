"""Voice notes through the real PTB Application over HTTP against the fake Bot API, heard by
the real recogniser (viet-asr) from recordings of real speakers (tests/speech_support.py).

No question about poverty policy can be recorded offline here (no natural Vietnamese
text-to-speech ships its weights on PyPI), so this module's corpus adds one document that
answers what one of the speakers says ("nuôi con … tốt cho đứa trẻ … các bậc cha mẹ"): the
voice note then goes getFile → download → recogniser → the answer path of a typed question →
quotes with citations, as a citizen's would.
"""

from __future__ import annotations

import json
import logging
import time

import pytest

from bot import texts
from retrieval import Assistant, build, spoken_to_digits
from support import make_corpus, seed_embedding_cache
from support.bot import TOKEN, RunningBot, bot_settings
from support.fake_telegram import Chat, FakeTelegram, Sent
from support.needs import require_model
from tests.conftest import make_settings
from tests.speech_support import clip, encode, silence, voice_note

pytestmark = pytest.mark.slow  # a real process, browser or engine: the full suite only

LIMIT = 4
PARENTING_FILE = "095_nuoi_day_con.txt"
PARENTING_TEXT = """KẾ HOẠCH
Nâng cao năng lực nuôi dạy con cho hộ nghèo, hộ cận nghèo

I. MỤC ĐÍCH, YÊU CẦU
1. Giúp các bậc cha mẹ thuộc hộ nghèo, hộ cận nghèo nuôi con khỏe mạnh, chăm sóc đứa trẻ từ khi mới sinh.

II. NHIỆM VỤ, GIẢI PHÁP
1. Tổ chức lớp tập huấn nuôi con theo phong cách khoa học, không chỉ tốt cho đứa trẻ mà còn tốt cho cả các bậc cha mẹ và gia đình.
2. Hội Liên hiệp Phụ nữ xã thăm hỏi, hướng dẫn từng hộ có trẻ dưới 6 tuổi.
"""
PARENTING_ENTRY = {
    "file": PARENTING_FILE, "title": "Kế hoạch nâng cao năng lực nuôi dạy con cho hộ nghèo", "code": "95-KH/TN",
    "issuer": "Ban thử nghiệm", "province": None, "date": "2024-03-01", "type": "kế hoạch", "url": None,
}
SPEAKER = "Đoan"  # "Nuôi con theo phong cách Do Thái, không chỉ tốt cho đứa trẻ, mà còn tốt cho cả các bậc cha mẹ."


@pytest.fixture(scope="module")
def voice_index(tmp_path_factory, real_embedder):
    require_model()
    root = tmp_path_factory.mktemp("voice-index")
    corpus = make_corpus(root, files=["004_b366543ccdd4efef.txt"], with_attack=False)
    (corpus / PARENTING_FILE).write_text(PARENTING_TEXT, encoding="utf-8")
    entries = json.loads((corpus / "documents.json").read_text(encoding="utf-8")) + [PARENTING_ENTRY]
    (corpus / "documents.json").write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    settings = make_settings(root, eligibility={"as_of": "2026-06-01"})
    seed_embedding_cache(settings.index_dir)
    build(settings, real_embedder)
    return settings


@pytest.fixture(scope="module")
def assistant(voice_index, real_embedder) -> Assistant:
    return Assistant.open(voice_index, embedder=real_embedder)


@pytest.fixture(scope="module")
def settings(voice_index, fake, tmp_path_factory):
    return bot_settings(voice_index, fake, tmp_path_factory.mktemp("voice") / "state", questions_per_minute=LIMIT)


@pytest.fixture(scope="module")
def running(settings, assistant, fake):
    bot = RunningBot(settings, assistant).start()
    yield bot
    bot.stop()


def send_voice(fake: FakeTelegram, chat: Chat, data: bytes, seconds: float, **kwargs) -> list[Sent]:
    """Send a voice note; every part of the bot's reply (the last one carries the buttons)."""
    after = fake.last_message_id(chat)
    fake.send_voice(chat, data, round(seconds), **kwargs)
    return fake.wait_for_reply(chat, after=after, timeout=90)


def full_text(parts: list[Sent]) -> str:
    return "\n".join(p.text for p in parts)


def test_a_voice_note_is_downloaded_heard_and_answered_like_a_typed_question(running, fake, assistant, caplog):
    chat = fake.new_chat()
    speaker = clip(SPEAKER)
    calls_before = len(fake.calls_of("getFile"))
    with caplog.at_level(logging.INFO):
        parts = send_voice(fake, chat, voice_note(speaker), speaker.seconds)
    heard = "nuôi con theo phong cách do thái không chỉ tốt cho đứa trẻ mà còn tốt cho cả các bậc cha mẹ"
    # getFile, then the file from the file base URL
    [get_file] = fake.calls_of("getFile")[calls_before:]
    assert get_file.status == 200 and get_file.params["file_id"].startswith("AwACAgIAAx")
    assert fake.downloads[-1][1] == 200 and fake.downloads[-1][0].startswith("voice/")
    # what was heard first, then the answer to it, as a typed question gets it
    assert parts[0].text.startswith(f"🎙️ Tôi nghe được: “{heard}”")
    assert parts[0].entity_texts("italic")[0] == heard
    expected = assistant.ask(heard)
    assert expected.found and expected.citations[0].hit.document.id == "095_nuoi_day_con"
    text = full_text(parts)
    for quote in expected.quotes:
        assert f"“{quote.text}” [{quote.citation_number}]" in text
    assert "Nguồn:" in text and f"[1] {expected.citations[0].hit.document.metadata.short_name}" in text
    labels = [b["text"] for b in parts[-1].buttons]
    assert labels == [f"📄 Xem nguồn [{c.number}]" for c in expected.citations] + ["👍", "👎", texts.TYPE_AGAIN_BUTTON]
    # the sources and the "type it instead" button work
    after = fake.last_message_id(chat)
    fake.press(parts[-1], parts[-1].button("📄 Xem nguồn [1]")["callback_data"])
    [source] = fake.wait_for_messages(chat, 1, after=after)
    assert expected.citations[0].hit.passage.text in source.text
    after = fake.last_message_id(chat)
    fake.press(parts[-1], parts[-1].button(texts.TYPE_AGAIN_BUTTON)["callback_data"])
    [prompt] = fake.wait_for_messages(chat, 1, after=after)
    assert prompt.text == texts.TYPE_AGAIN
    assert prompt.reply_markup == {"force_reply": True, "input_field_placeholder": texts.TYPE_AGAIN_PLACEHOLDER}
    assert fake.unanswered_callbacks() == []
    # the log says how long, never what was said or by whom
    assert "Tin nhắn thoại:" in caplog.text
    assert "nuôi con" not in caplog.text and "cha mẹ" not in caplog.text and str(chat.id) not in caplog.text


def test_spoken_numbers_are_asked_in_digits_and_shown_as_heard(running, fake, settings):
    chat = fake.new_chat()
    speaker = clip("Vĩnh")  # "Đến cuối thế kỷ 19, …": the recogniser writes "mười chín"
    parts = send_voice(fake, chat, voice_note(speaker), speaker.seconds)
    heard = parts[0].entity_texts("italic")[0]
    assert "mười chín" in heard and parts[0].text.startswith(f"🎙️ Tôi nghe được: “{heard}”")
    # what is kept (and was asked) has the digits: the vote stores the question asked
    answer_message = parts[-1]
    fake.press(answer_message, answer_message.button("👍")["callback_data"])
    fake.wait_for(lambda: answer_message.buttons[-3]["text"] == "✅ 👍", what="the 👍 to be ticked")
    assert answer_message.buttons[-1]["text"] == texts.TYPE_AGAIN_BUTTON  # kept under the ticked vote
    records = running.bot.application.bot_data["assistant"].records  # the library's store, masked, no chat id
    [row] = [r for r in records.feedback() if r.question == spoken_to_digits(heard)]
    assert row.face == "telegram" and "19" in row.question and "mười chín" not in row.question


def test_an_audio_file_is_answered_too(running, fake):
    chat = fake.new_chat()
    speaker = clip("Ly")
    mp3 = encode(speaker.samples, speaker.rate, format="MP3", subtype="MPEG_LAYER_III")
    parts = send_voice(fake, chat, mp3, speaker.seconds, kind="audio")
    assert parts[0].text.startswith("🎙️ Tôi nghe được: “chúng ta có thể áp dụng logic tương tự với người khác”")
    assert fake.downloads[-1][0].startswith("music/")


@pytest.mark.parametrize(
    "recording, seconds, says",
    [
        (lambda: voice_note(clip("Bình"), repeat=22), 67, "tối đa 60 giây"),
        (lambda: silence(3), 3, "không có tiếng"),
        (lambda: voice_note(clip("Ly"), gain=0.01), 3, "Tiếng nhỏ quá"),
        (lambda: b"OggS" + bytes(range(256)) * 20, 2, "không mở được tệp âm thanh"),
        (lambda: b"", 0, "không có tiếng"),
    ],
    ids=["too long", "silent", "too quiet", "corrupt", "empty"],
)
def test_recordings_that_cannot_be_answered_get_a_short_message(running, fake, recording, seconds, says):
    chat = fake.new_chat()
    downloads = len(fake.downloads)
    [reply] = send_voice(fake, chat, recording(), seconds)
    assert says in reply.text and "gõ câu hỏi" in reply.text
    assert [b["text"] for b in reply.buttons] == [texts.TYPE_AGAIN_BUTTON]
    if seconds > 60:
        assert len(fake.downloads) == downloads  # refused by its declared length, never downloaded
    assert reply.text != texts.ERROR


def test_a_file_too_big_for_a_bot_is_not_downloaded(running, fake):
    chat = fake.new_chat()
    downloads = len(fake.downloads)
    [reply] = send_voice(fake, chat, b"x" * 100, 30, kind="audio", file_size=25 * 1024 * 1024)
    assert reply.text == texts.VOICE_FILE_TOO_BIG and len(fake.downloads) == downloads


def test_voice_notes_count_toward_the_per_chat_limit(running, fake):
    chat = fake.new_chat()
    for _ in range(LIMIT):
        send_voice(fake, chat, b"not audio", 2)  # refused quickly, but each is a question
    after = fake.last_message_id(chat)
    fake.send_voice(chat, b"not audio", 2)
    [polite] = fake.wait_for_messages(chat, 1, after=after)
    assert f"tối đa {LIMIT} câu hỏi" in polite.text


def test_a_long_note_does_not_hold_other_chats(running, fake):
    speaker = clip(SPEAKER)
    slow, other = fake.new_chat(), fake.new_chat()
    fake.send_voice(slow, voice_note(speaker, repeat=3), round(3 * speaker.seconds))  # ~20 s to hear on one core
    time.sleep(0.5)
    after = fake.last_message_id(other)
    fake.send_text(other, "hộ nghèo được hỗ trợ những gì?")
    fake.wait_for_reply(other, after=after, timeout=60)
    answered_other = time.monotonic()
    voice_reply = fake.wait_for_reply(slow, timeout=120)
    assert voice_reply[0].text.startswith("🎙️ Tôi nghe được: “nuôi con")
    assert answered_other < voice_reply[0].at  # the typed question did not wait for the voice note


def test_voice_notes_in_groups_are_ignored(running, fake):
    group = fake.new_chat("group")
    fake.send_voice(group, b"not audio", 2)
    after = fake.last_message_id(group)
    fake.send_text(group, "/help@" + fake.username)
    [help_message] = fake.wait_for_messages(group, 1, after=after)
    assert [m.message_id for m in fake.messages(group)] == [help_message.message_id]


def test_help_tells_how_to_ask_by_voice(running, fake):
    chat = fake.new_chat()
    after = fake.last_message_id(chat)
    fake.send_text(chat, "/help")
    [message] = fake.wait_for_messages(chat, 1, after=after)
    assert "Hỏi bằng giọng nói" in message.text and "tối đa 60 giây" in message.text


def test_with_voice_off_a_voice_note_gets_a_polite_request_to_type(voice_index, assistant, tmp_path):
    with FakeTelegram(TOKEN) as own:  # its own: one poller per token
        settings = bot_settings(voice_index, own, tmp_path / "state").with_overrides(voice={"enabled": False})
        bot = RunningBot(settings, assistant).start()
        try:
            chat = own.new_chat()
            after = own.last_message_id(chat)
            own.send_voice(chat, voice_note(clip("Ly")), 3)
            [off] = own.wait_for_messages(chat, 1, after=after)
            own.send_text(chat, "/help")
            [help_message] = own.wait_for_messages(chat, 1, after=off.message_id)
        finally:
            bot.stop()
        assert off.text == texts.VOICE_OFF
        assert own.calls_of("getFile") == [] and own.downloads == []
        assert "giọng nói" not in help_message.text


def test_a_flood_of_voice_notes_is_told_busy_and_a_slow_one_times_out(voice_index, assistant, tmp_path):
    """One recording heard at a time, one waiting (queue_size 1), each waited for 1 s: of
    three long notes at once, the third hears "busy" at once, the other two time out."""
    speaker = clip(SPEAKER)
    note = voice_note(speaker, repeat=3)  # ~20 s: several seconds to hear, far more than 1 s
    with FakeTelegram(TOKEN) as own:
        settings = bot_settings(voice_index, own, tmp_path / "state").with_overrides(voice={"queue_size": 1, "timeout_seconds": 1.0})
        bot = RunningBot(settings, assistant).start()
        try:
            chats = [own.new_chat() for _ in range(3)]
            for chat in chats:
                own.send_voice(chat, note, 20)
            replies = [own.wait_for_messages(chat, 1, timeout=60)[0] for chat in chats]
        finally:
            bot.stop()
    said = sorted(r.text for r in replies)
    assert sum("đang nghe nhiều tin nhắn thoại" in t for t in said) == 1
    assert sum("lâu quá nên đã dừng" in t for t in said) == 2
    assert all(r.buttons[-1]["text"] == texts.TYPE_AGAIN_BUTTON for r in replies)
