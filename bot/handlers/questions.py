"""A question, typed or picked from /start's examples: the extractive answer with numbered
citations, "📄 Xem nguồn" and 👍/👎 buttons (and the /kiemtra button under an eligibility hint)."""

from __future__ import annotations

import asyncio
import time

from telegram import Update

from retrieval import Answer, AnswerStatus, mask

from .. import render, texts
from ..callbacks import AskExample
from ..keyboards import answer_keyboard
from ..state import Reference
from .common import BotContext, addressed_text, admit, log, reply_target, send, typing_indicator


async def question(update: Update, context: BotContext) -> None:
    """A plain text message: answered if it is meant for the bot (always in private chats; in
    groups when it mentions or replies to the bot)."""
    message = update.effective_message
    asked = addressed_text(message, context.bot.id, context.bot.username)
    if asked is None:
        return  # group chatter not meant for the bot
    await answer(context, update.effective_chat.id, asked, reply_target(message))


async def ask_example(update: Update, context: BotContext) -> None:
    """One of /start's example questions, pressed."""
    query = update.callback_query
    example = AskExample.parse(query.data)
    questions = context.settings.telegram.example_questions
    if example is None or example.index >= len(questions):
        await query.answer(texts.EXPIRED, show_alert=True)
        return
    await query.answer()  # Telegram shows a spinner on the button until the query is answered
    await answer(context, update.effective_chat.id, questions[example.index], reply_to=None, shown_question=True)


async def answer(context: BotContext, chat_id: int, asked: str, reply_to: int | None, shown_question: bool = False) -> None:
    if not await admit(context, chat_id, reply_to):
        return
    state = context.state
    started = time.perf_counter()
    history = state.history  # earlier questions of this chat: "còn hộ cận nghèo thì sao?"
    async with typing_indicator(context, chat_id):
        # face="telegram": the library logs the question, masked, without the chat
        result: Answer = await asyncio.to_thread(context.assistant.ask, asked, history=history or None, face="telegram")
    messages = render.answer_messages(result, asked=asked if shown_question else None)
    if result.status is AnswerStatus.INVALID_QUESTION:
        await send(context, chat_id, messages, reply_to=reply_to)
        return
    # the chat's state is written to disk: it keeps the question masked, which serves follow-ups
    # as well (a card or phone number is nothing to search for)
    kept = (await asyncio.to_thread(mask, asked)).text
    state.remember_question(kept)
    offer_check = result.status is AnswerStatus.ELIGIBILITY_HINT  # "có phải hộ nghèo không": the check answers it
    reference = state.add_reference(Reference("answer", kept, result.text, tuple(c.hit.passage.id for c in result.citations), offers_check=offer_check))
    keyboard = answer_keyboard(reference, [c.number for c in result.citations], offer_check=offer_check)
    await send(context, chat_id, messages, keyboard, reply_to)
    log.info("Trả lời: %s, %d trích dẫn, %d tin nhắn, %.0f ms", result.status.value, len(result.citations), len(messages), (time.perf_counter() - started) * 1000)
