"""What an inline button carries back when pressed (``callback_data``: at most 64 bytes).

Buttons carry short numbers, never text: the chat's state maps a reference number to what
the answer showed (see ``bot.state``), so "📄 Xem nguồn" and 👍/👎 still work after a restart.
Each action has its ``PATTERN``: the application routes a press to that action's handler with
``CallbackQueryHandler(pattern=…)``, and the handler reads its numbers with ``parse``.

    s:12:3   show source [3] of reference 12
    v:12:1   vote 👍 (1) or 👎 (-1) on reference 12
    x:0      ask example question 0 of /start
    k:3:5:y  /kiemtra check 3, step 5: answer y(es) / n(o), r(ural) / u(rban), b(ack), c(ancel)
    k:s      start a /kiemtra check (under an answer to "… có phải hộ nghèo không")
    g        type the question instead (under an answer to a voice note, or a voice note not heard)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from telegram.constants import InlineKeyboardButtonLimit

MAX_BYTES = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)  # 64


def _checked(data: str) -> str:
    if not 1 <= len(data.encode("utf-8")) <= MAX_BYTES:
        raise ValueError("callback data must be 1-64 bytes")
    return data


@dataclass(frozen=True)
class ShowSource:
    reference: int
    number: int

    PATTERN: ClassVar[re.Pattern[str]] = re.compile(r"^s:(\d{1,12}):(\d{1,3})$")

    def encode(self) -> str:
        return _checked(f"s:{self.reference}:{self.number}")

    @classmethod
    def parse(cls, data: str | None) -> "ShowSource | None":
        match = cls.PATTERN.match(data or "")
        return cls(int(match[1]), int(match[2])) if match else None


@dataclass(frozen=True)
class Vote:
    reference: int
    value: int  # 1 or -1

    PATTERN: ClassVar[re.Pattern[str]] = re.compile(r"^v:(\d{1,12}):(1|-1)$")

    def encode(self) -> str:
        return _checked(f"v:{self.reference}:{self.value}")

    @classmethod
    def parse(cls, data: str | None) -> "Vote | None":
        match = cls.PATTERN.match(data or "")
        return cls(int(match[1]), int(match[2])) if match else None


@dataclass(frozen=True)
class AskExample:
    index: int

    PATTERN: ClassVar[re.Pattern[str]] = re.compile(r"^x:(\d{1,2})$")

    def encode(self) -> str:
        return _checked(f"x:{self.index}")

    @classmethod
    def parse(cls, data: str | None) -> "AskExample | None":
        match = cls.PATTERN.match(data or "")
        return cls(int(match[1])) if match else None


CHECK_VALUES = {"y": "yes", "n": "no", "r": "rural", "u": "urban", "b": "back", "c": "cancel"}


@dataclass(frozen=True)
class CheckStep:
    session: int
    step: int
    value: str  # one of CHECK_VALUES

    PATTERN: ClassVar[re.Pattern[str]] = re.compile(r"^k:(\d{1,12}):(\d{1,3}):([ynrubc])$")

    def encode(self) -> str:
        return _checked(f"k:{self.session}:{self.step}:{self.value}")

    @classmethod
    def parse(cls, data: str | None) -> "CheckStep | None":
        match = cls.PATTERN.match(data or "")
        return cls(int(match[1]), int(match[2]), match[3]) if match else None


@dataclass(frozen=True)
class CheckStart:
    PATTERN: ClassVar[re.Pattern[str]] = re.compile(r"^k:s$")

    def encode(self) -> str:
        return _checked("k:s")

    @classmethod
    def parse(cls, data: str | None) -> "CheckStart | None":
        return cls() if cls.PATTERN.match(data or "") else None


@dataclass(frozen=True)
class TypeAgain:
    PATTERN: ClassVar[re.Pattern[str]] = re.compile(r"^g$")

    def encode(self) -> str:
        return _checked("g")

    @classmethod
    def parse(cls, data: str | None) -> "TypeAgain | None":
        return cls() if cls.PATTERN.match(data or "") else None


ACTIONS = (ShowSource, Vote, AskExample, CheckStep, CheckStart, TypeAgain)
