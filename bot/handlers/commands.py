"""/start, /help, /vanban, /tim, and what the bot says to commands and messages it does not read."""

from __future__ import annotations

import asyncio
import time

from telegram import Update

from retrieval import mask

from .. import render, texts
from ..keyboards import examples_keyboard, search_keyboard
from ..state import Reference
from .common import BotContext, admit, log, reply_target, send, typing_indicator

SEARCH_K = 5


async def start(update: Update, context: BotContext) -> None:
    """/start: what the bot can answer, with example questions as buttons."""
    paragraphs = texts.start_paragraphs(len(context.assistant.documents()))
    keyboard = examples_keyboard(context.settings.telegram.example_questions)
    await send(context, update.effective_chat.id, render.text_messages(*paragraphs), keyboard, reply_target(update.effective_message))


async def help_command(update: Update, context: BotContext) -> None:
    """/help: how to ask (by voice too, when it is on), the commands, what feedback keeps."""
    paragraphs = list(texts.HELP_PARAGRAPHS)
    if context.voice is not None:
        paragraphs.insert(3, texts.voice_paragraph(context.settings.voice.max_seconds))
    await send(context, update.effective_chat.id, render.text_messages(*paragraphs), reply_to=reply_target(update.effective_message))


async def documents(update: Update, context: BotContext) -> None:
    """/vanban: the documents the bot knows, with their codes and dates."""
    known = sorted(context.assistant.documents(), key=lambda d: (d.metadata.date is None, d.metadata.date, d.metadata.title))
    await send(context, update.effective_chat.id, render.documents_messages(known), reply_to=reply_target(update.effective_message))


async def search(update: Update, context: BotContext) -> None:
    """/tim từ khóa: the top clauses with where they are, for cadres."""
    chat_id, reply_to = update.effective_chat.id, reply_target(update.effective_message)
    query = " ".join(context.args or []).strip()
    if not query:
        await send(context, chat_id, render.text_messages(texts.SEARCH_USAGE), reply_to=reply_to)
        return
    limit = context.settings.answer.max_question_chars
    if len(query) > limit:
        await send(context, chat_id, render.text_messages(f"Từ khóa dài quá {limit} ký tự. Bạn hãy rút gọn nhé."), reply_to=reply_to)
        return
    if not await admit(context, chat_id, reply_to):
        return
    started = time.perf_counter()
    async with typing_indicator(context, chat_id):
        hits = await asyncio.to_thread(context.assistant.search, query, SEARCH_K)
    kept = (await asyncio.to_thread(mask, query)).text  # the chat's state is written to disk: masked
    reference = context.state.add_reference(Reference("search", kept, "", tuple(h.passage.id for h in hits)))
    await send(context, chat_id, render.search_messages(query, hits), search_keyboard(reference, len(hits)), reply_to)
    log.info("Tìm kiếm: %d điều khoản, %.0f ms", len(hits), (time.perf_counter() - started) * 1000)


async def unknown_command(update: Update, context: BotContext) -> None:
    """Any other command (private chats only)."""
    await send(context, update.effective_chat.id, render.text_messages(texts.UNKNOWN_COMMAND))


async def not_text(update: Update, context: BotContext) -> None:
    """A photo, sticker, file… in a private chat (voice notes have their own handler)."""
    await send(context, update.effective_chat.id, render.text_messages(texts.TEXT_ONLY))
