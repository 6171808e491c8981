"""The global error handler: the detail to the log (no message text, no names, no chat ids),
a short apology to the user."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import TelegramError

from .. import render, texts
from .common import BotContext, describe_error, log, reply_target, send, update_kind, update_type


async def on_error(update: object, context: BotContext) -> None:
    log.error("Lỗi khi xử lý %s: %s", update_kind(update), describe_error(context.error))
    if context.observer is not None:
        context.observer.telegram_error(update_type(update))
    if not isinstance(update, Update):
        return
    with contextlib.suppress(TelegramError):
        if update.callback_query is not None:
            await update.callback_query.answer()  # never leave a button spinning
    chat = update.effective_chat
    if chat is None:
        return
    try:
        await send(context, chat.id, render.text_messages(texts.ERROR), reply_to=reply_target(update.effective_message))
    except TelegramError as exc:
        log.warning("Không gửi được lời xin lỗi: %s", describe_error(exc))
