"""What every handler shares: the typed context, sending, the per-chat limit, the typing
indicator, who a group message is for, and how failures are described in the log.

Logs say what happened and how long it took, never what was asked, by whom, or in which chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import traceback
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Literal, Protocol

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, MessageEntity, ReplyParameters, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext, ExtBot

from retrieval import Assistant, RateLimiter, Settings, Voice

from .. import render, texts
from ..limits import ChatLimit, Verdict
from ..state import ChatState

log = logging.getLogger("tro_ly.bot")

TYPING_EVERY_SECONDS = 4.5  # Telegram shows "typing…" for about 5 s per sendChatAction


UpdateType = Literal["message", "command", "callback", "voice", "other"]


class BotObserver(Protocol):
    """Who counts what the bot does (the web service's metrics): plain labels, never text,
    names or chat ids."""

    def telegram_update(self, kind: UpdateType) -> None: ...

    def telegram_error(self, kind: UpdateType) -> None: ...


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    """PTB's context with the bot's shared objects, typed (they live in ``bot_data``, which is
    never persisted: the Assistant and the settings do not go into a pickle)."""

    @property
    def assistant(self) -> Assistant:
        return self.bot_data["assistant"]

    @property
    def settings(self) -> Settings:
        return self.bot_data["settings"]

    @property
    def voice(self) -> Voice | None:
        """Voice questions; None when ``[voice]`` is off."""
        return self.bot_data.get("voice")

    @property
    def observer(self) -> BotObserver | None:
        return self.bot_data.get("observer")

    @property
    def limit(self) -> ChatLimit:
        return self.bot_data["limit"]

    @property
    def state(self) -> ChatState:
        return ChatState(self.chat_data)


def share(application: Application, assistant: Assistant, settings: Settings, voice: Voice | None = None, observer: BotObserver | None = None) -> None:
    # the chats' budget is counted where the web's is: [state]'s Redis (every replica) or here
    limit = ChatLimit(RateLimiter(settings.redis_url or "memory://"), settings.telegram.questions_per_minute)
    application.bot_data.update(assistant=assistant, settings=settings, voice=voice, observer=observer, limit=limit)


async def observe(update: Update, context: BotContext) -> None:
    """Every update, before it is matched: counted by its type."""
    if context.observer is not None:
        context.observer.telegram_update(update_type(update))


async def send(
    context: BotContext,
    chat_id: int,
    messages: Sequence[str],
    markup: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
) -> Message | None:
    """Send the parts in order; the buttons go under the last one, the reply on the first."""
    sent = None
    for i, html in enumerate(messages):
        last = i == len(messages) - 1
        sent = await context.bot.send_message(
            chat_id,
            html,
            parse_mode=ParseMode.HTML,
            reply_markup=markup if last else None,
            reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and i == 0 else None,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
    return sent


def reply_target(message: Message | None) -> int | None:
    """In groups the answer replies to the question, so it is clear whose it is."""
    if message is None or message.chat.type == ChatType.PRIVATE:
        return None
    return message.message_id


async def admit(context: BotContext, chat_id: int, reply_to: int | None) -> bool:
    """The per-chat limit on questions: past it, one polite message per stretch."""
    # in a worker thread, as the web's: with [state]'s Redis the count is a network round trip
    verdict, wait = await asyncio.to_thread(context.limit.admit, chat_id, context.state)
    limit = context.limit.per_minute
    if verdict is Verdict.LIMITED:
        log.info("Giới hạn câu hỏi: một cuộc trò chuyện vượt %d câu/phút, chờ %d giây", limit, wait)
        await send(context, chat_id, render.text_messages(texts.RATE_LIMITED.format(limit=limit, wait=wait)), reply_to=reply_to)
    return verdict is Verdict.ALLOWED


@contextlib.asynccontextmanager
async def typing_indicator(context: BotContext, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" until the block ends (sent again every few seconds for slow answers)."""

    async def keep_typing() -> None:
        while True:
            try:
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError as exc:  # only a nicety: never fail an answer for it
                log.debug("sendChatAction thất bại: %s", type(exc).__name__)
                return
            await asyncio.sleep(TYPING_EVERY_SECONDS)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def addressed_text(message: Message, bot_id: int, bot_username: str) -> str | None:
    """The question in a message meant for the bot, without the @mention; None for group
    chatter that neither mentions the bot nor replies to it."""
    text = message.text or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    mentioned = False
    for entity, value in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if entity.type == MessageEntity.MENTION and value[1:].casefold() == bot_username.casefold():
            mentioned = True
        elif entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot_id:
            mentioned = True
    replied = message.reply_to_message is not None and message.reply_to_message.from_user is not None and message.reply_to_message.from_user.id == bot_id
    if not (mentioned or replied):
        return None
    return re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.IGNORECASE).strip()


def describe_error(error: BaseException | None) -> str:
    """Type and where it happened; Telegram's own description for Telegram errors. Never the
    exception text of other errors: it may quote what the user wrote."""
    if error is None:
        return "không rõ"
    parts = [type(error).__name__]
    if isinstance(error, TelegramError):
        parts.append(f"“{error.message[:200]}”")
    frames = traceback.extract_tb(error.__traceback__)[-6:]
    if frames:
        parts.append("tại " + " ← ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames)))
    cause = error.__cause__ or error.__context__
    if cause is not None:
        parts.append(f"(do {type(cause).__name__})")
    return " ".join(parts)


def update_type(update: object) -> UpdateType:
    """An update's type as a metric label."""
    if not isinstance(update, Update):
        return "other"
    if update.callback_query:
        return "callback"
    message = update.effective_message
    if message is None:
        return "other"
    if message.voice or message.audio:
        return "voice"
    if message.text and message.text.startswith("/"):
        return "command"
    return "message"


_KIND_IN_LOGS = {"other": "cập nhật khác", "callback": "nút bấm", "voice": "tin nhắn thoại", "command": "lệnh", "message": "tin nhắn"}


def update_kind(update: object) -> str:
    """An update's type said in the log, a command with its name (never the text after it)."""
    if not isinstance(update, Update):
        return "không phải cập nhật"
    kind = update_type(update)
    if kind == "command":
        command = update.effective_message.text.split(maxsplit=1)[0].split("@", 1)[0]
        if command[1:].isascii() and command[1:].isalnum():
            return f"lệnh {command[:20]}"
    return _KIND_IN_LOGS[kind]
