"""The buttons under an answer or a search: "📄 Xem nguồn [n]" shows the whole cited passage,
👍 / 👎 records the vote and ticks the chosen button."""

from __future__ import annotations

import asyncio

from telegram import Message, Update

from retrieval import UnknownDocumentError

from .. import render, texts
from ..callbacks import ShowSource, Vote
from ..keyboards import answer_keyboard
from .common import BotContext, log, send


async def show_source(update: Update, context: BotContext) -> None:
    query = update.callback_query
    action = ShowSource.parse(query.data)
    reference = context.state.reference(action.reference) if action else None
    if reference is None or not 1 <= action.number <= len(reference.passage_ids):
        await query.answer(texts.EXPIRED, show_alert=True)
        return
    passage = context.assistant.passage(reference.passage_ids[action.number - 1])
    try:
        document = context.assistant.document(passage.document_id) if passage is not None else None
    except UnknownDocumentError:
        document = None
    if passage is None or document is None:  # the index was rebuilt without it
        await query.answer(texts.SOURCE_GONE, show_alert=True)
        return
    await query.answer()
    message_id = query.message.message_id if query.message is not None else None
    await send(context, update.effective_chat.id, render.source_messages(action.number, passage, document), reply_to=message_id)


async def vote(update: Update, context: BotContext) -> None:
    query = update.callback_query
    action = Vote.parse(query.data)
    reference = context.state.reference(action.reference) if action else None
    if reference is None:
        await query.answer(texts.EXPIRED, show_alert=True)
        return
    # the library's feedback table: masked inside the store, and no chat id, hashed or not
    await asyncio.to_thread(
        context.assistant.records.record_vote,
        "telegram",
        answer_key=reference.key,
        question=reference.question,
        answer=reference.answer,
        passage_ids=reference.passage_ids,
        vote=action.value,
    )
    changed = reference.vote != action.value
    reference.vote = action.value
    await query.answer(texts.THANKS)
    log.info("Góp ý: %s", "👍" if action.value > 0 else "👎")
    # tick the chosen button; Telegram refuses an edit that changes nothing
    if changed and isinstance(query.message, Message):
        await query.edit_message_reply_markup(answer_keyboard(
            action.reference, range(1, len(reference.passage_ids) + 1), action.value, reference.offers_check, reference.spoken, reference.related
        ))


async def expired(update: Update, context: BotContext) -> None:
    """A button this bot does not know (or no longer knows): say so, never leave it spinning."""
    await update.callback_query.answer(texts.EXPIRED, show_alert=True)
