"""Inline keyboards: the buttons under answers, searches and /start."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from . import texts
from .callbacks import AskExample, CheckStart, CheckStep, ShowSource, TypeAgain, Vote

PER_ROW = 3
UP, DOWN = "👍", "👎"


def _rows(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]


def type_again_row() -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(texts.TYPE_AGAIN_BUTTON, callback_data=TypeAgain().encode())]


def type_again_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([type_again_row()])


def answer_keyboard(
    reference: int, citation_numbers: Sequence[int], vote: int | None = None, offer_check: bool = False, spoken: bool = False, related: bool = False
) -> InlineKeyboardMarkup:
    """One "📄 Xem nguồn [n]" per citation (or, under a "not covered", one "🔎 Liên quan [n]" per
    nearest clause), the /kiemtra button under an eligibility hint, then 👍 / 👎 (the chosen one
    ticked); under an answer to a voice note, "⌨️ Gõ lại câu hỏi" last."""
    label = texts.RELATED_BUTTON if related else texts.SOURCE_BUTTON
    sources = [InlineKeyboardButton(label.format(n=n), callback_data=ShowSource(reference, n).encode()) for n in citation_numbers]
    check = [[InlineKeyboardButton(texts.CHECK_START_BUTTON, callback_data=CheckStart().encode())]] if offer_check else []
    votes = [
        InlineKeyboardButton(("✅ " if vote == value else "") + label, callback_data=Vote(reference, value).encode())
        for label, value in ((UP, 1), (DOWN, -1))
    ]
    return InlineKeyboardMarkup(_rows(sources) + check + [votes] + ([type_again_row()] if spoken else []))


def check_step_keyboard(session: int, step: int, choices: Sequence[tuple[str, str]], chosen: str | None = None) -> InlineKeyboardMarkup:
    """A /kiemtra step: its choices (none for a typed answer; the earlier answer ticked), then
    "⬅️ Quay lại" and "✖️ Hủy"."""
    rows = []
    if choices:
        rows.append([InlineKeyboardButton(("✅ " if value == chosen else "") + label, callback_data=CheckStep(session, step, value).encode()) for label, value in choices])
    rows.append([
        InlineKeyboardButton(texts.CHECK_BACK_BUTTON, callback_data=CheckStep(session, step, "b").encode()),
        InlineKeyboardButton(texts.CHECK_CANCEL_BUTTON, callback_data=CheckStep(session, step, "c").encode()),
    ])
    return InlineKeyboardMarkup(rows)


def check_result_keyboard(reference: int, citation_numbers: Sequence[int]) -> InlineKeyboardMarkup:
    """"📄 Xem nguồn [n]" per support passage, then "🔁 Kiểm tra lại"."""
    sources = [InlineKeyboardButton(texts.SOURCE_BUTTON.format(n=n), callback_data=ShowSource(reference, n).encode()) for n in citation_numbers]
    return InlineKeyboardMarkup(_rows(sources) + [[InlineKeyboardButton(texts.CHECK_AGAIN_BUTTON, callback_data=CheckStart().encode())]])


def search_keyboard(reference: int, count: int) -> InlineKeyboardMarkup | None:
    buttons = [InlineKeyboardButton(texts.SEARCH_SOURCE_BUTTON.format(n=n), callback_data=ShowSource(reference, n).encode()) for n in range(1, count + 1)]
    return InlineKeyboardMarkup([buttons]) if buttons else None


def examples_keyboard(questions: Sequence[str]) -> InlineKeyboardMarkup:
    # the question is shown on the button; the button carries only its number
    return InlineKeyboardMarkup([[InlineKeyboardButton(q, callback_data=AskExample(i).encode())] for i, q in enumerate(questions)])
