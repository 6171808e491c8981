"""/kiemtra, the eligibility self-check, as a persistent ConversationHandler: one question a
message, buttons for choices, typed members and income, "⬅️ Quay lại" and "✖️ Hủy" at every step.

The steps, their wording and the reading of typed answers are the library's form
(``Assistant.eligibility_form``); ``bot.check_view`` shows them. The conversation's state only
says that a check is under way; which step and the answers so far are in the chat's persisted
state (``ChatState.check``), so a check survives a restart, and are deleted as soon as the
result is shown or the check is cancelled.
"""

from __future__ import annotations

import asyncio
import time
import warnings

from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from retrieval import CheckForm, EligibilityInputError, Household, NoStandardError

from .. import check_view, render, texts
from ..callbacks import CheckStart, CheckStep
from ..keyboards import check_result_keyboard
from ..state import CheckProgress, Reference
from . import questions
from .common import BotContext, describe_error, log, reply_target, send, typing_indicator

CHECKING = 1
END = ConversationHandler.END


def conversation() -> ConversationHandler:
    """The check's conversation, persisted under the name "kiemtra"."""
    typed_message = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    # PTB warns that with per_message=False a button press is tracked per chat, not per message:
    # that is the intent here — each button carries its check's session and step, and a press
    # on an older message is refused as stale (step_button)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return _conversation(typed_message)


def _conversation(typed_message: filters.BaseFilter) -> ConversationHandler:
    return ConversationHandler(
        entry_points=[
            CommandHandler("kiemtra", start_command, filters=filters.UpdateType.MESSAGE),
            CallbackQueryHandler(start_button, pattern=CheckStart.PATTERN),
        ],
        states={
            CHECKING: [
                CallbackQueryHandler(step_button, pattern=CheckStep.PATTERN),
                MessageHandler(typed_message, typed_answer),
            ],
        },
        fallbacks=[],
        allow_reentry=True,  # /kiemtra during a check starts a new one
        per_chat=True,
        per_user=False,  # private chats only: the chat is the citizen
        name="kiemtra",
        persistent=True,
    )


async def start_command(update: Update, context: BotContext) -> int:
    """/kiemtra. Private chats only: it asks about a household."""
    chat = update.effective_chat
    if chat.type != ChatType.PRIVATE:
        await send(context, chat.id, render.text_messages(texts.CHECK_PRIVATE_ONLY), reply_to=reply_target(update.effective_message))
        return END
    return await _begin(context, chat.id)


async def start_button(update: Update, context: BotContext) -> int:
    """"📋 Kiểm tra hộ nghèo" under an eligibility answer, or "🔁 Kiểm tra lại" under a result."""
    query = update.callback_query
    if update.effective_chat.type != ChatType.PRIVATE:
        await query.answer(texts.CHECK_PRIVATE_ONLY, show_alert=True)
        return END
    await query.answer()
    return await _begin(context, update.effective_chat.id)


async def stale_button(update: Update, context: BotContext) -> None:
    """A step button of a check that is over (answered, cancelled, or replaced)."""
    await update.callback_query.answer(texts.CHECK_STALE, show_alert=True)


async def step_button(update: Update, context: BotContext) -> int | None:
    query = update.callback_query
    chat_id = update.effective_chat.id
    action = CheckStep.parse(query.data)
    state = context.state
    progress = state.check
    if progress is None:
        await query.answer(texts.CHECK_STALE, show_alert=True)
        return END
    if (progress.session, progress.step) != (action.session, action.step):
        await query.answer(texts.CHECK_STALE, show_alert=True)
        return None
    form = _form_of(context, progress)
    if form is None:
        await query.answer()
        return await _standard_changed(context, chat_id)
    step = form.steps[progress.step]
    if action.value not in {check_view.BUTTON_VALUES[c.value] for c in step.choices} | {"b", "c"}:
        await query.answer(texts.CHECK_STALE, show_alert=True)
        return None
    await query.answer()
    if action.value == "c" or (action.value == "b" and progress.step == 0):
        await _close_step(context, chat_id, form, progress, texts.CHECK_CANCEL_BUTTON)
        state.end_check()
        await send(context, chat_id, render.text_messages(texts.CHECK_CANCELLED))
        log.info("Kiểm tra hộ nghèo: hủy")
        return END
    if action.value == "b":
        await _close_step(context, chat_id, form, progress, texts.CHECK_BACK_BUTTON)
        progress.step -= 1
        await _ask_step(context, chat_id, form, progress)
        return None
    reading = form.read(step.id, check_view.PRESSED[action.value])
    return await _record(context, chat_id, form, progress, reading.value, reading.display)


async def typed_answer(update: Update, context: BotContext) -> int | None:
    """Text during a check: the answer to a typed step (members, income: "4", "1,5 triệu",
    "1.500.000", "2tr", "1 triệu rưỡi", read by the library), else an ordinary question."""
    chat_id = update.effective_chat.id
    progress = context.state.check
    if progress is None:
        await questions.question(update, context)
        return END
    form = _form_of(context, progress)
    if form is None:
        return await _standard_changed(context, chat_id)
    step = form.steps[progress.step]
    if not step.typed:  # a button step: what was typed is a question of its own
        await questions.question(update, context)
        return None
    try:
        reading = form.read(step.id, update.effective_message.text or "")
    except EligibilityInputError as exc:
        await send(context, chat_id, render.text_messages(str(exc), texts.CHECK_TYPE_AGAIN))
        return None
    return await _record(context, chat_id, form, progress, reading.value, reading.display)


async def _begin(context: BotContext, chat_id: int) -> int:
    try:
        form = context.assistant.eligibility_form()
    except NoStandardError as exc:
        await send(context, chat_id, render.text_messages(str(exc)))
        return END
    progress = context.state.start_check(check_view.form_key(form))  # a new check replaces one under way
    await send(context, chat_id, check_view.intro_messages(form))
    await _ask_step(context, chat_id, form, progress)
    log.info("Kiểm tra hộ nghèo: bắt đầu")
    return CHECKING


def _form_of(context: BotContext, progress: CheckProgress) -> CheckForm | None:
    """The form the check was started with, if the standards it runs under still apply."""
    try:
        form = context.assistant.eligibility_form()
    except NoStandardError:
        return None
    return form if check_view.form_key(form) == progress.form_key and progress.step < len(form.steps) else None


async def _standard_changed(context: BotContext, chat_id: int) -> int:
    context.state.end_check()
    await send(context, chat_id, render.text_messages(texts.CHECK_STANDARD_CHANGED))
    return END


async def _ask_step(context: BotContext, chat_id: int, form: CheckForm, progress: CheckProgress) -> None:
    sent = await send(context, chat_id, check_view.step_messages(form, progress.step), check_view.step_keyboard(form, progress))
    progress.message_id = sent.message_id if sent is not None else None


async def _close_step(context: BotContext, chat_id: int, form: CheckForm, progress: CheckProgress, note: str) -> None:
    """The step's message keeps its question, shows what happened, and loses its buttons."""
    if progress.message_id is None:
        return
    html = check_view.closed_messages(form, progress.step, note)[0]
    try:
        await context.bot.edit_message_text(html, chat_id=chat_id, message_id=progress.message_id, parse_mode=ParseMode.HTML)
    except TelegramError as exc:  # the user may have deleted it: the check goes on
        log.info("Không sửa được tin nhắn câu hỏi: %s", describe_error(exc))


async def _record(context: BotContext, chat_id: int, form: CheckForm, progress: CheckProgress, value: str | int | bool, display: str) -> int | None:
    """Keep the answer, close its step; ask the next, or give the result."""
    progress.values[form.steps[progress.step].id] = value
    await _close_step(context, chat_id, form, progress, "✔️ " + display)
    if progress.step + 1 < len(form.steps):
        progress.step += 1
        await _ask_step(context, chat_id, form, progress)
        return None
    started = time.perf_counter()
    values = dict(progress.values)
    context.state.end_check()  # the household's answers leave the state before anything else can fail
    answers = {s.id: bool(values[s.id]) for s in form.steps if s.kind == "yes_no"}
    household = Household(str(values["area"]), int(values["members"]), int(values["income"]), answers)
    async with typing_indicator(context, chat_id):
        result = context.assistant.check_eligibility(household, on=form.on)
        support = await asyncio.to_thread(context.assistant.support_for, result.classification)
    reference = context.state.add_reference(Reference("check", "", "", tuple(c.hit.passage.id for c in support)))
    await send(context, chat_id, check_view.result_messages(result, support), check_result_keyboard(reference, [c.number for c in support]))
    log.info("Kiểm tra hộ nghèo: xong, %d đoạn hỗ trợ, %.0f ms", len(support), (time.perf_counter() - started) * 1000)
    return END
