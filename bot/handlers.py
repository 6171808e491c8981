"""What the bot does with each update: commands, questions, button presses, errors.

Only ``retrieval``'s public API is used. The assistant is synchronous and CPU-bound, so it
runs in a worker thread while a typing indicator shows. Logs say what happened and how long
it took, never what was asked, by whom, or in which chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
import traceback
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, MessageEntity, ReplyParameters, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from retrieval import Answer, AnswerStatus, Assistant, CheckForm, EligibilityInputError, Household, NoStandardError, Settings, UnknownDocumentError

from . import check as checkflow
from . import render, texts
from .callbacks import AskExample, CheckStart, CheckStep, ShowSource, Vote, decode
from .feedback import FeedbackStore
from .keyboards import answer_keyboard, check_result_keyboard, examples_keyboard, search_keyboard
from .limits import Verdict
from .state import ChatState, CheckProgress, Reference

log = logging.getLogger("tro_ly.bot")

Context = ContextTypes.DEFAULT_TYPE
SEARCH_K = 5
TYPING_EVERY_SECONDS = 4.5  # Telegram shows "typing…" for about 5 s per sendChatAction


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


def update_kind(update: object) -> str:
    if not isinstance(update, Update):
        return "không phải cập nhật"
    if update.callback_query:
        return "nút bấm"
    message = update.effective_message
    if message is not None and message.text and message.text.startswith("/"):
        command = message.text.split(maxsplit=1)[0].split("@", 1)[0]
        return f"lệnh {command[:20]}" if command[1:].isascii() and command[1:].isalnum() else "lệnh"
    return "tin nhắn"


@contextlib.asynccontextmanager
async def typing_indicator(context: Context, chat_id: int) -> AsyncIterator[None]:
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


class Handlers:
    """The bot's handlers, sharing one Assistant and one feedback store."""

    def __init__(self, assistant: Assistant, feedback: FeedbackStore, settings: Settings) -> None:
        self.assistant = assistant
        self.feedback = feedback
        self.settings = settings

    # -- sending ---------------------------------------------------------------------------
    async def send(
        self,
        context: Context,
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

    @staticmethod
    def _reply_target(message: Message | None) -> int | None:
        """In groups the answer replies to the question, so it is clear whose it is."""
        if message is None or message.chat.type == ChatType.PRIVATE:
            return None
        return message.message_id

    async def _admit(self, context: Context, chat_id: int, state: ChatState, reply_to: int | None) -> bool:
        limit = self.settings.telegram.questions_per_minute
        verdict, wait = state.window.admit(time.time(), limit)
        if verdict is Verdict.LIMITED:
            log.info("Giới hạn câu hỏi: một cuộc trò chuyện vượt %d câu/phút, chờ %d giây", limit, wait)
            await self.send(context, chat_id, render.text_messages(texts.RATE_LIMITED.format(limit=limit, wait=wait)), reply_to=reply_to)
        return verdict is Verdict.ALLOWED

    # -- commands --------------------------------------------------------------------------
    async def start(self, update: Update, context: Context) -> None:
        """/start: what the bot can answer, with example questions as buttons."""
        chat = update.effective_chat
        paragraphs = texts.start_paragraphs(len(self.assistant.documents()))
        keyboard = examples_keyboard(self.settings.telegram.example_questions)
        await self.send(context, chat.id, render.text_messages(*paragraphs), keyboard, self._reply_target(update.effective_message))

    async def help(self, update: Update, context: Context) -> None:
        """/help: how to ask, the commands, what feedback keeps."""
        await self.send(context, update.effective_chat.id, render.text_messages(*texts.HELP_PARAGRAPHS), reply_to=self._reply_target(update.effective_message))

    async def documents(self, update: Update, context: Context) -> None:
        """/vanban: the documents the bot knows, with their codes and dates."""
        documents = sorted(self.assistant.documents(), key=lambda d: (d.metadata.date is None, d.metadata.date, d.metadata.title))
        await self.send(context, update.effective_chat.id, render.documents_messages(documents), reply_to=self._reply_target(update.effective_message))

    async def search(self, update: Update, context: Context) -> None:
        """/tim từ khóa: the top clauses with where they are, for cadres."""
        chat, message = update.effective_chat, update.effective_message
        reply_to = self._reply_target(message)
        query = " ".join(context.args or []).strip()
        if not query:
            await self.send(context, chat.id, render.text_messages(texts.SEARCH_USAGE), reply_to=reply_to)
            return
        limit = self.settings.answer.max_question_chars
        if len(query) > limit:
            await self.send(context, chat.id, render.text_messages(f"Từ khóa dài quá {limit} ký tự. Bạn hãy rút gọn nhé."), reply_to=reply_to)
            return
        state = ChatState(context.chat_data)
        if not await self._admit(context, chat.id, state, reply_to):
            return
        started = time.perf_counter()
        async with typing_indicator(context, chat.id):
            hits = await asyncio.to_thread(self.assistant.search, query, SEARCH_K)
        reference = state.add_reference(Reference("search", query, "", tuple(h.passage.id for h in hits)))
        await self.send(context, chat.id, render.search_messages(query, hits), search_keyboard(reference, len(hits)), reply_to)
        log.info("Tìm kiếm: %d điều khoản, %.0f ms", len(hits), (time.perf_counter() - started) * 1000)

    async def unknown_command(self, update: Update, context: Context) -> None:
        """Any other command (private chats only)."""
        await self.send(context, update.effective_chat.id, render.text_messages(texts.UNKNOWN_COMMAND))

    async def not_text(self, update: Update, context: Context) -> None:
        """A photo, sticker or voice message in a private chat."""
        await self.send(context, update.effective_chat.id, render.text_messages(texts.TEXT_ONLY))

    # -- questions -------------------------------------------------------------------------
    async def question(self, update: Update, context: Context) -> None:
        """A plain question: the extractive answer with numbered citations and buttons; or,
        while /kiemtra waits for a number, that number."""
        message = update.effective_message
        question = addressed_text(message, context.bot.id, context.bot.username)
        if question is None:
            return  # group chatter not meant for the bot
        progress = ChatState(context.chat_data).check
        if progress is not None and message.chat.type == ChatType.PRIVATE:
            form = self._form_of(progress)
            if form is None or form.steps[progress.step].typed:
                await self._check_typed(context, update.effective_chat.id, question, progress, form)
                return
        await self.answer(context, update.effective_chat.id, question, self._reply_target(message))

    async def answer(self, context: Context, chat_id: int, question: str, reply_to: int | None, shown_question: bool = False) -> None:
        state = ChatState(context.chat_data)
        if not await self._admit(context, chat_id, state, reply_to):
            return
        started = time.perf_counter()
        history = state.history  # earlier questions of this chat: "còn hộ cận nghèo thì sao?"
        async with typing_indicator(context, chat_id):
            answer: Answer = await asyncio.to_thread(self.assistant.ask, question, history=history or None)
        messages = render.answer_messages(answer, asked=question if shown_question else None)
        if answer.status is AnswerStatus.INVALID_QUESTION:
            await self.send(context, chat_id, messages, reply_to=reply_to)
            return
        state.remember_question(question)
        offer_check = answer.status is AnswerStatus.ELIGIBILITY_HINT  # "có phải hộ nghèo không": the check answers it
        reference = state.add_reference(Reference("answer", question, answer.text, tuple(c.hit.passage.id for c in answer.citations), offers_check=offer_check))
        keyboard = answer_keyboard(reference, [c.number for c in answer.citations], offer_check=offer_check)
        await self.send(context, chat_id, messages, keyboard, reply_to)
        log.info("Trả lời: %s, %d trích dẫn, %d tin nhắn, %.0f ms", answer.status.value, len(answer.citations), len(messages), (time.perf_counter() - started) * 1000)

    # -- buttons ---------------------------------------------------------------------------
    async def button(self, update: Update, context: Context) -> None:
        """A press on one of our inline buttons."""
        query = update.callback_query
        action = decode(query.data)
        chat_id = update.effective_chat.id
        state = ChatState(context.chat_data)
        # Telegram shows a spinner on the button until the query is answered: always answer it.
        if isinstance(action, CheckStart):
            if update.effective_chat.type != ChatType.PRIVATE:
                await query.answer(texts.CHECK_PRIVATE_ONLY, show_alert=True)
                return
            await query.answer()
            await self._start_check(context, update.effective_chat.id)
            return
        if isinstance(action, CheckStep):
            await self._check_button(update, context, action)
            return
        if isinstance(action, AskExample):
            questions = self.settings.telegram.example_questions
            if action.index >= len(questions):
                await query.answer(texts.EXPIRED, show_alert=True)
                return
            await query.answer()
            await self.answer(context, chat_id, questions[action.index], reply_to=None, shown_question=True)
            return
        reference = state.reference(action.reference) if action is not None else None
        if reference is None:
            await query.answer(texts.EXPIRED, show_alert=True)
            return
        if isinstance(action, ShowSource):
            await self._show_source(update, context, reference, action.number)
        elif isinstance(action, Vote):
            await self._vote(update, context, reference, action)

    async def _show_source(self, update: Update, context: Context, reference: Reference, number: int) -> None:
        query = update.callback_query
        if not 1 <= number <= len(reference.passage_ids):
            await query.answer(texts.EXPIRED, show_alert=True)
            return
        passage = self.assistant.passage(reference.passage_ids[number - 1])
        try:
            document = self.assistant.document(passage.document_id) if passage is not None else None
        except UnknownDocumentError:
            document = None
        if passage is None or document is None:  # the index was rebuilt without it
            await query.answer(texts.SOURCE_GONE, show_alert=True)
            return
        await query.answer()
        message_id = query.message.message_id if query.message is not None else None
        await self.send(context, update.effective_chat.id, render.source_messages(number, passage, document), reply_to=message_id)

    async def _vote(self, update: Update, context: Context, reference: Reference, vote: Vote) -> None:
        query = update.callback_query
        await asyncio.to_thread(
            self.feedback.record,
            chat_id=update.effective_chat.id,
            answer_key=reference.key,
            question=reference.question,
            answer=reference.answer,
            passage_ids=reference.passage_ids,
            vote=vote.value,
        )
        changed = reference.vote != vote.value
        reference.vote = vote.value
        await query.answer(texts.THANKS)
        log.info("Góp ý: %s", "👍" if vote.value > 0 else "👎")
        # tick the chosen button; Telegram refuses an edit that changes nothing
        if changed and isinstance(query.message, Message):
            await query.edit_message_reply_markup(answer_keyboard(vote.reference, range(1, len(reference.passage_ids) + 1), vote.value, reference.offers_check))

    # -- /kiemtra: the eligibility self-check ----------------------------------------------
    async def kiemtra(self, update: Update, context: Context) -> None:
        """/kiemtra: one question a message, with buttons. Private chats only: it asks about a household."""
        chat = update.effective_chat
        if chat.type != ChatType.PRIVATE:
            await self.send(context, chat.id, render.text_messages(texts.CHECK_PRIVATE_ONLY), reply_to=self._reply_target(update.effective_message))
            return
        await self._start_check(context, chat.id)

    async def _start_check(self, context: Context, chat_id: int) -> None:
        try:
            form = self.assistant.eligibility_form()
        except NoStandardError as exc:
            await self.send(context, chat_id, render.text_messages(str(exc)))
            return
        progress = ChatState(context.chat_data).start_check(checkflow.form_key(form))  # a new check replaces one under way
        await self.send(context, chat_id, checkflow.intro_messages(form))
        await self._ask_step(context, chat_id, form, progress)
        log.info("Kiểm tra hộ nghèo: bắt đầu")

    def _form_of(self, progress: CheckProgress) -> CheckForm | None:
        """The form the check was started with, if the standards it runs under still apply."""
        try:
            form = self.assistant.eligibility_form()
        except NoStandardError:
            return None
        return form if checkflow.form_key(form) == progress.form_key and progress.step < len(form.steps) else None

    async def _standard_changed(self, context: Context, chat_id: int, state: ChatState) -> None:
        state.end_check()
        await self.send(context, chat_id, render.text_messages(texts.CHECK_STANDARD_CHANGED))

    async def _ask_step(self, context: Context, chat_id: int, form: CheckForm, progress: CheckProgress) -> None:
        sent = await self.send(context, chat_id, checkflow.step_messages(form, progress.step), checkflow.step_keyboard(form, progress))
        progress.message_id = sent.message_id if sent is not None else None

    async def _close_step(self, context: Context, chat_id: int, form: CheckForm, progress: CheckProgress, note: str) -> None:
        """The step's message keeps its question, shows what happened, and loses its buttons."""
        if progress.message_id is None:
            return
        html = checkflow.closed_messages(form, progress.step, note)[0]
        try:
            await context.bot.edit_message_text(html, chat_id=chat_id, message_id=progress.message_id, parse_mode=ParseMode.HTML)
        except TelegramError as exc:  # the user may have deleted it: the check goes on
            log.info("Không sửa được tin nhắn câu hỏi: %s", describe_error(exc))

    async def _check_button(self, update: Update, context: Context, action: CheckStep) -> None:
        query = update.callback_query
        chat_id = update.effective_chat.id
        state = ChatState(context.chat_data)
        progress = state.check
        if progress is None or (progress.session, progress.step) != (action.session, action.step):
            await query.answer(texts.CHECK_STALE, show_alert=True)
            return
        form = self._form_of(progress)
        if form is None:
            await query.answer()
            await self._standard_changed(context, chat_id, state)
            return
        step = form.steps[progress.step]
        allowed = {checkflow.BUTTON_VALUES[c.value] for c in step.choices} | {"b", "c"}
        if action.value not in allowed:
            await query.answer(texts.CHECK_STALE, show_alert=True)
            return
        await query.answer()
        if action.value == "c" or (action.value == "b" and progress.step == 0):
            await self._close_step(context, chat_id, form, progress, texts.CHECK_CANCEL_BUTTON)
            state.end_check()
            await self.send(context, chat_id, render.text_messages(texts.CHECK_CANCELLED))
            log.info("Kiểm tra hộ nghèo: hủy")
            return
        if action.value == "b":
            await self._close_step(context, chat_id, form, progress, texts.CHECK_BACK_BUTTON)
            progress.step -= 1
            await self._ask_step(context, chat_id, form, progress)
            return
        await self._record(context, chat_id, state, form, progress, form.read(step.id, checkflow.PRESSED[action.value]).value, None)

    async def _check_typed(self, context: Context, chat_id: int, text: str, progress: CheckProgress, form: CheckForm | None) -> None:
        """An answer typed instead of pressed: the number of members or the income ("4",
        "1,5 triệu", "1.500.000", "2tr", "1 triệu rưỡi"), or "có"/"không", read by the library."""
        state = ChatState(context.chat_data)
        if form is None:
            await self._standard_changed(context, chat_id, state)
            return
        try:
            reading = form.read(form.steps[progress.step].id, text)
        except EligibilityInputError as exc:
            await self.send(context, chat_id, render.text_messages(str(exc), texts.CHECK_TYPE_AGAIN))
            return
        await self._record(context, chat_id, state, form, progress, reading.value, reading.display)

    async def _record(self, context: Context, chat_id: int, state: ChatState, form: CheckForm, progress: CheckProgress, value: object, display: str | None) -> None:
        step = form.steps[progress.step]
        progress.values[step.id] = value
        label = display or next((c.label for c in step.choices if c.value == value or (isinstance(value, bool) and c.value == ("yes" if value else "no"))), str(value))
        await self._close_step(context, chat_id, form, progress, "✔️ " + label)
        if progress.step + 1 < len(form.steps):
            progress.step += 1
            await self._ask_step(context, chat_id, form, progress)
            return
        started = time.perf_counter()
        values = dict(progress.values)
        state.end_check()  # the household's answers leave the state before anything else can fail
        answers = {s.id: bool(values[s.id]) for s in form.steps if s.kind == "yes_no"}
        household = Household(str(values["area"]), int(values["members"]), int(values["income"]), answers)
        async with typing_indicator(context, chat_id):
            result = self.assistant.check_eligibility(household, on=form.on)
            support = await asyncio.to_thread(self.assistant.support_for, result.classification)
        reference = state.add_reference(Reference("check", "", "", tuple(c.hit.passage.id for c in support)))
        await self.send(context, chat_id, checkflow.result_messages(result, support), check_result_keyboard(reference, [c.number for c in support]))
        log.info("Kiểm tra hộ nghèo: xong, %d đoạn hỗ trợ, %.0f ms", len(support), (time.perf_counter() - started) * 1000)

    # -- errors ----------------------------------------------------------------------------
    async def on_error(self, update: object, context: Context) -> None:
        """Whatever failed: the detail to the log (no message text, no names, no chat ids),
        a short apology to the user."""
        log.error("Lỗi khi xử lý %s: %s", update_kind(update), describe_error(context.error))
        if not isinstance(update, Update):
            return
        with contextlib.suppress(TelegramError):
            if update.callback_query is not None:
                await update.callback_query.answer()
        chat = update.effective_chat
        if chat is None:
            return
        try:
            await self.send(context, chat.id, render.text_messages(texts.ERROR), reply_to=self._reply_target(update.effective_message))
        except TelegramError as exc:
            log.warning("Không gửi được lời xin lỗi: %s", describe_error(exc))
