"""The fake Bot API refuses what Telegram refuses: the bot tests are only as good as this."""

from __future__ import annotations

import json

import httpx
import pytest

from support.bot import TOKEN
from support.telegram_html import HTMLParseError, entity_text, parse


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ("plain", "plain", []),
        ("<b>đậm</b> và <i>nghiêng</i>", "đậm và nghiêng", [("bold", "đậm"), ("italic", "nghiêng")]),
        ("&lt;b&gt; &amp; &quot; &#39; &#x1F44D;", "<b> & \" ' 👍", []),
        ("👍 <b>x</b>", "👍 x", [("bold", "x")]),  # offsets in UTF-16 units
        ("<blockquote>trích <b>dẫn</b></blockquote>", "trích dẫn", [("blockquote", "trích dẫn"), ("bold", "dẫn")]),
        ('<a href="https://x.vn">link</a>', "link", [("text_link", "link")]),
        ('<span class="tg-spoiler">s</span>', "s", [("spoiler", "s")]),
    ],
)
def test_html_parser_accepts_what_telegram_accepts(source, text, entities):
    shown, found = parse(source)
    assert shown == text
    assert [(e.type, entity_text(shown, e)) for e in found] == entities


@pytest.mark.parametrize(
    "source",
    ["<script>x</script>", "<b>unclosed", "<b><i>x</b></i>", "x</b>", "a < b", "Tom & Jerry", "&nbsp;", "a > b", "<span>x</span>", "<a>x</a>", "<b"],
)
def test_html_parser_refuses_what_telegram_refuses(source):
    with pytest.raises(HTMLParseError):
        parse(source)


@pytest.fixture(scope="module")
def api(fake):
    chat = fake.new_chat()

    def call(method: str, token: str = TOKEN, **params) -> tuple[int, dict]:
        data = {k: json.dumps(v) if isinstance(v, (dict, list)) else str(v) for k, v in params.items()}
        r = httpx.post(f"{fake.base_url}{token}/{method}", data=data, timeout=10)
        return r.status_code, r.json()

    call.chat = chat  # type: ignore[attr-defined]
    return call


def _button(data: str) -> dict:
    return {"inline_keyboard": [[{"text": "nút", "callback_data": data}]]}


@pytest.mark.parametrize(
    ("method", "params", "status", "description"),
    [
        ("getMe", {"token": "123:wrong"}, 401, "Unauthorized"),
        ("sendPhotoOfCat", {}, 404, "Not Found"),
        ("sendMessage", {"text": "x" * 4097}, 400, "Bad Request: message is too long"),
        ("sendMessage", {"text": "👍" * 2049}, 400, "Bad Request: message is too long"),  # UTF-16: 4,098 units
        ("sendMessage", {"text": "<b>" + "x" * 4096 + "</b>", "parse_mode": "HTML"}, 200, None),  # counted after parsing
        ("sendMessage", {"text": "&amp;" * 4097, "parse_mode": "HTML"}, 400, "Bad Request: message is too long"),
        ("sendMessage", {"text": "<b>x", "parse_mode": "HTML"}, 400, "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""),
        ("sendMessage", {"text": "<script>x</script>", "parse_mode": "HTML"}, 400, None),
        ("sendMessage", {"text": "<b></b>", "parse_mode": "HTML"}, 400, "Bad Request: message text is empty"),
        ("sendMessage", {"text": "x", "reply_markup": _button("x" * 65)}, 400, "Bad Request: BUTTON_DATA_INVALID"),
        ("sendMessage", {"text": "x", "reply_markup": _button("x" * 64)}, 200, None),
        ("sendMessage", {"text": "x", "reply_markup": _button("đ" * 33)}, 400, "Bad Request: BUTTON_DATA_INVALID"),  # bytes, not characters
        ("sendMessage", {"text": "x", "chat_id": 99}, 400, "Bad Request: chat not found"),
        ("answerCallbackQuery", {"callback_query_id": "nope"}, 400, None),
        ("setMyCommands", {"commands": [{"command": "tìm", "description": "x"}]}, 400, "Bad Request: BOT_COMMAND_INVALID"),
        ("sendChatAction", {"action": "dancing"}, 400, None),
        ("sendMessage", {"text": "x", "reply_markup": {"force_reply": True, "input_field_placeholder": "g" * 64}}, 200, None),
        ("sendMessage", {"text": "x", "reply_markup": {"force_reply": True, "input_field_placeholder": "g" * 65}}, 400, None),
        ("getFile", {"file_id": "AwACAgIAAxnope"}, 400, "Bad Request: invalid file_id"),
    ],
)
def test_the_fake_answers_like_telegram(api, method, params, status, description):
    params = dict(params)
    token = params.pop("token", TOKEN)
    params.setdefault("chat_id", api.chat.id)
    code, body = api(method, token=token, **params)
    assert code == status, body
    assert body["ok"] is (status == 200)
    if description:
        assert body["description"] == description
    if status != 200:
        assert body["error_code"] == status


def test_conflict_while_a_webhook_is_set_and_injected_429(api, fake):
    assert api("setWebhook", url="https://bot.example/telegram/x", secret_token="s3cret")[0] == 200
    code, body = api("getUpdates", timeout=0)
    assert code == 409 and body["description"].startswith("Conflict: can't use getUpdates method while webhook is active")
    assert api("deleteWebhook")[0] == 200
    assert api("getUpdates", timeout=0) == (200, {"ok": True, "result": []})

    fake.fail_next("sendMessage", retry_after=3)
    code, body = api("sendMessage", text="x", chat_id=api.chat.id)
    assert code == 429 and body["parameters"] == {"retry_after": 3}
    assert api("sendMessage", text="x", chat_id=api.chat.id)[0] == 200


def test_long_poll_returns_when_an_update_arrives_and_confirms_with_offset(api, fake):
    import threading
    import time

    chat = fake.new_chat()
    got: list = []
    poller = threading.Thread(target=lambda: got.append(api("getUpdates", timeout=10)))
    started = time.monotonic()
    poller.start()
    time.sleep(0.2)
    update = fake.send_text(chat, "/start")
    poller.join(timeout=10)
    assert time.monotonic() - started < 5
    [(code, body)] = got
    assert code == 200 and [u["update_id"] for u in body["result"]] == [update["update_id"]]
    assert body["result"][0]["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert api("getUpdates", timeout=0, offset=update["update_id"] + 1)[1]["result"] == []


def test_files_are_handed_out_like_telegram_does(api, fake):
    chat = fake.new_chat()
    update = fake.send_voice(chat, b"OggS voice", 3)
    voice = update["message"]["voice"]
    assert (voice["duration"], voice["mime_type"], voice["file_size"]) == (3, "audio/ogg", 10)
    code, body = api("getFile", file_id=voice["file_id"])
    assert code == 200 and body["result"]["file_size"] == 10
    path = body["result"]["file_path"]
    download = httpx.get(f"{fake.file_base_url}{TOKEN}/{path}", timeout=10)
    assert download.status_code == 200 and download.content == b"OggS voice"
    assert httpx.get(f"{fake.file_base_url}123:wrong/{path}", timeout=10).status_code == 401
    assert httpx.get(f"{fake.file_base_url}{TOKEN}/voice/file_999.oga", timeout=10).status_code == 404
    big = fake.send_voice(chat, b"x", 30, kind="audio", file_size=21 * 1024 * 1024)["message"]["audio"]
    assert big["mime_type"] == "audio/mpeg" and big["file_name"].endswith(".mp3")
    code, body = api("getFile", file_id=big["file_id"])
    assert code == 400 and body["description"] == "Bad Request: file is too big"
