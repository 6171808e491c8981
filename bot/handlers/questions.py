"""A question, typed, picked from /start's examples or spoken (bot.handlers.voice): the
extractive answer with numbered citations, "📄 Xem nguồn" and 👍/👎 buttons (and the /kiemtra
button under an eligibility hint, "⌨️ Gõ lại câu hỏi" under an answer to a voice note)."""

from __future__ import annotations

import asyncio
import time

from telegram import ForceReply, Update

from retrieval import Answer, AnswerStatus, mask

from .. import render, texts
from ..callbacks import AskExample
from ..keyboards import answer_keyboard, type_again_keyboard
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


async def type_again(update: Update, context: BotContext) -> None:
    """"⌨️ Gõ lại câu hỏi": the keyboard opens on a reply to this prompt; what is typed is a
    plain question."""
    query = update.callback_query
    await query.answer()
    await context.bot.send_message(
        update.effective_chat.id,
        texts.TYPE_AGAIN,
        reply_markup=ForceReply(input_field_placeholder=texts.TYPE_AGAIN_PLACEHOLDER),
    )


async def answer(context: BotContext, chat_id: int, asked: str, reply_to: int | None, shown_question: bool = False) -> None:
    if not await admit(context, chat_id, reply_to):
        return
    await respond(context, chat_id, asked, reply_to, shown_question=shown_question)


async def respond(
    context: BotContext,
    chat_id: int,
    asked: str,
    reply_to: int | None,
    shown_question: bool = False,
    heard: str | None = None,
    kept: str | None = None,
) -> None:
    """Answer a question already admitted by the per-chat limit. For a voice note, ``heard``
    is what was heard (shown first) and ``kept`` the question as it may be stored (long
    numbers hidden); ``asked`` has its spoken numbers in digits."""
    state = context.state
    started = time.perf_counter()
    history = state.history  # earlier questions of this chat: "còn hộ cận nghèo thì sao?"
    async with typing_indicator(context, chat_id):
        # face="telegram": the library logs the question, masked, without the chat
        result: Answer = await asyncio.to_thread(context.assistant.ask, asked, history=history or None, face="telegram")
    messages = render.answer_messages(result, asked=asked if shown_question else None, heard=heard)
    spoken = heard is not None
    if result.status is AnswerStatus.INVALID_QUESTION:
        await send(context, chat_id, messages, type_again_keyboard() if spoken else None, reply_to=reply_to)
        return
    # the chat's state is written to disk: it keeps the question masked, which serves follow-ups
    # as well (a card or phone number is nothing to search for)
    stored = (await asyncio.to_thread(mask, kept if kept is not None else asked)).text
    state.remember_question(stored)
    offer_check = result.status is AnswerStatus.ELIGIBILITY_HINT  # "có phải hộ nghèo không": the check answers it
    # a "not covered" answer offers the nearest clauses instead of citations: their buttons show them
    related = not result.citations and bool(result.related)
    passages = tuple(h.passage.id for h in result.related) if related else tuple(c.hit.passage.id for c in result.citations)
    reference = state.add_reference(Reference("answer", stored, result.text, passages, offers_check=offer_check, spoken=spoken, related=related))
    keyboard = answer_keyboard(reference, range(1, len(passages) + 1), offer_check=offer_check, spoken=spoken, related=related)
    await send(context, chat_id, messages, keyboard, reply_to)
    log.info("Trả lời: %s, %d trích dẫn, %d tin nhắn, %.0f ms", result.status.value, len(result.citations), len(messages), (time.perf_counter() - started) * 1000)
