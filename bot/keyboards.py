"""Inline keyboards: the buttons under answers, searches and /start."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from . import texts
from .callbacks import AskExample, ShowSource, Vote

PER_ROW = 3
UP, DOWN = "👍", "👎"


def _rows(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]


def answer_keyboard(reference: int, citation_numbers: Sequence[int], vote: int | None = None) -> InlineKeyboardMarkup:
    """One "📄 Xem nguồn [n]" per citation, then 👍 / 👎 (the chosen one ticked)."""
    sources = [InlineKeyboardButton(texts.SOURCE_BUTTON.format(n=n), callback_data=ShowSource(reference, n).encode()) for n in citation_numbers]
    votes = [
        InlineKeyboardButton(("✅ " if vote == value else "") + label, callback_data=Vote(reference, value).encode())
        for label, value in ((UP, 1), (DOWN, -1))
    ]
    return InlineKeyboardMarkup(_rows(sources) + [votes])


def search_keyboard(reference: int, count: int) -> InlineKeyboardMarkup | None:
    buttons = [InlineKeyboardButton(texts.SEARCH_SOURCE_BUTTON.format(n=n), callback_data=ShowSource(reference, n).encode()) for n in range(1, count + 1)]
    return InlineKeyboardMarkup([buttons]) if buttons else None


def examples_keyboard(questions: Sequence[str]) -> InlineKeyboardMarkup:
    # the question is shown on the button; the button carries only its number
    return InlineKeyboardMarkup([[InlineKeyboardButton(q, callback_data=AskExample(i).encode())] for i, q in enumerate(questions)])
