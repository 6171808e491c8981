"""What an inline button carries back when pressed (``callback_data``: at most 64 bytes).

Buttons carry short numbers, never text: the chat's state maps a reference number to what
the answer showed (see ``bot.state``), so "📄 Xem nguồn" and 👍/👎 still work after a restart.

    s:12:3   show source [3] of reference 12
    v:12:1   vote 👍 (1) or 👎 (-1) on reference 12
    x:0      ask example question 0 of /start
    k:3:5:y  /kiemtra check 3, step 5: answer y(es) / n(o), r(ural) / u(rban), b(ack), c(ancel)
    k:s      start a /kiemtra check (under an answer to "… có phải hộ nghèo không")
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram.constants import InlineKeyboardButtonLimit

MAX_BYTES = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)  # 64


@dataclass(frozen=True)
class ShowSource:
    reference: int
    number: int

    def encode(self) -> str:
        return _checked(f"s:{self.reference}:{self.number}")


@dataclass(frozen=True)
class Vote:
    reference: int
    value: int  # 1 or -1

    def encode(self) -> str:
        return _checked(f"v:{self.reference}:{self.value}")


@dataclass(frozen=True)
class AskExample:
    index: int

    def encode(self) -> str:
        return _checked(f"x:{self.index}")


@dataclass(frozen=True)
class CheckStep:
    session: int
    step: int
    value: str  # one of CHECK_VALUES

    def encode(self) -> str:
        return _checked(f"k:{self.session}:{self.step}:{self.value}")


@dataclass(frozen=True)
class CheckStart:
    def encode(self) -> str:
        return _checked("k:s")


CHECK_VALUES = {"y": "yes", "n": "no", "r": "rural", "u": "urban", "b": "back", "c": "cancel"}

Callback = ShowSource | Vote | AskExample | CheckStep | CheckStart

_PATTERNS = (
    (re.compile(r"s:(\d{1,12}):(\d{1,3})"), lambda m: ShowSource(int(m[1]), int(m[2]))),
    (re.compile(r"v:(\d{1,12}):(1|-1)"), lambda m: Vote(int(m[1]), int(m[2]))),
    (re.compile(r"x:(\d{1,2})"), lambda m: AskExample(int(m[1]))),
    (re.compile(r"k:(\d{1,12}):(\d{1,3}):([ynrubc])"), lambda m: CheckStep(int(m[1]), int(m[2]), m[3])),
    (re.compile(r"k:s"), lambda m: CheckStart()),
)


def _checked(data: str) -> str:
    if not 1 <= len(data.encode("utf-8")) <= MAX_BYTES:
        raise ValueError("callback data must be 1-64 bytes")
    return data


def decode(data: str | None) -> Callback | None:
    """The action a button asks for, or None for data this bot did not make."""
    for pattern, build in _PATTERNS:
        match = pattern.fullmatch(data or "")
        if match:
            return build(match)
    return None
