"""bot/handlers/common.py: who a group message is for, and what an error log may say."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from telegram import Chat, Message, MessageEntity, User
from telegram.error import BadRequest

from bot.handlers.common import addressed_text, describe_error, update_kind

BOT = User(7, "Trợ lý", is_bot=True, username="tro_ly_bot")
PERSON = User(8, "Dân", is_bot=False)
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _message(text: str, chat_type: str = Chat.GROUP, entities: tuple = (), reply_to: Message | None = None) -> Message:
    chat = Chat(-5, chat_type)
    return Message(1, NOW, chat, from_user=PERSON, text=text, entities=entities, reply_to_message=reply_to)


def _mention(text: str, name: str) -> MessageEntity:
    start = text.index(name)
    return MessageEntity(MessageEntity.MENTION, start, len(name))


@pytest.mark.parametrize(
    ("text", "chat_type", "mention", "reply_from", "expected"),
    [
        ("hộ nghèo vay vốn ở đâu?", Chat.PRIVATE, None, None, "hộ nghèo vay vốn ở đâu?"),
        ("hộ nghèo vay vốn ở đâu?", Chat.GROUP, None, None, None),  # chatter
        ("@tro_ly_bot hộ nghèo vay vốn ở đâu?", Chat.GROUP, "@tro_ly_bot", None, "hộ nghèo vay vốn ở đâu?"),
        ("hỏi @Tro_Ly_Bot: vay vốn?", Chat.SUPERGROUP, "@Tro_Ly_Bot", None, "hỏi  : vay vốn?"),
        ("@ban_khac vay vốn?", Chat.GROUP, "@ban_khac", None, None),  # another bot or person
        ("còn cận nghèo?", Chat.GROUP, None, BOT, "còn cận nghèo?"),  # a reply to the bot
        ("còn cận nghèo?", Chat.GROUP, None, PERSON, None),  # a reply to someone else
    ],
)
def test_addressed_text(text, chat_type, mention, reply_from, expected):
    entities = (_mention(text, mention),) if mention else ()
    replied = Message(0, NOW, Chat(-5, chat_type), from_user=reply_from, text="…") if reply_from else None
    assert addressed_text(_message(text, chat_type, entities, replied), BOT.id, BOT.username) == expected


def _raise(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:  # noqa: BLE001 - to get a traceback
        return caught


def test_error_log_names_the_failure_not_the_user_text():
    error = _raise(KeyError("Trần Thị Riêng Tư hỏi về vay vốn"))
    described = describe_error(error)
    assert described.startswith("KeyError tại test_handlers.py:") and "Riêng Tư" not in described
    described = describe_error(_raise(BadRequest("Message is too long")))
    assert described.startswith("BadRequest “Message is too long”")
    assert describe_error(None) == "không rõ"


def test_update_kind_names_commands_only():
    from telegram import Update

    assert update_kind(Update(1, message=_message("/tim vay vốn", Chat.PRIVATE))) == "lệnh /tim"
    assert update_kind(Update(1, message=_message("/tìm <script>", Chat.PRIVATE))) == "lệnh"
    assert update_kind(Update(1, message=_message("Trần Thị Riêng Tư", Chat.PRIVATE))) == "tin nhắn"
    assert update_kind("not an update") == "không phải cập nhật"
