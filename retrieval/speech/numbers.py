"""Numbers spoken as words, as a speech recogniser writes them, turned into digits where they
matter for a question: amounts ("một triệu rưỡi" → "1.500.000"), years ("năm hai nghìn không
trăm hai mươi lăm" → "năm 2025"), percentages ("ba phần trăm" → "3%"), head counts ("bốn
người" → "4 người") and numbers said digit by digit. The documents write all of these in
digits, and ``retrieval.amounts`` reads amounts once they are digits (the eligibility hint of
"thu nhập một triệu rưỡi có phải hộ nghèo không"), so digits are what search and the hint need.

Words stay words where a number is not meant: "một" is also an article ("một số giải pháp"),
"không" a negation, "năm" the word for year, "ba" a parent. A lone digit word becomes a digit
only before a counting word (người, hộ, năm, tháng…) or "phần trăm".

Pure functions on text, accented as the recogniser writes it (NFC, any case).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from ..text.amounts import format_money

DIGITS = {"không": 0, "một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9}
# after "mười"/"mươi" five is "lăm" (or "nhăm"), one may be "mốt", four "tư"; "năm" there means "year"
_UNITS_AFTER_TENS = {**{k: v for k, v in DIGITS.items() if k not in ("không", "năm")}, "mốt": 1, "tư": 4, "lăm": 5, "nhăm": 5}
_SHORT_UNITS = frozenset({"mốt", "tư", "lăm", "nhăm"})  # only ever after a tens digit
MAGNITUDES = {"nghìn": 1000, "ngàn": 1000, "triệu": 10**6, "tỷ": 10**9, "tỉ": 10**9}
_ZERO_TENS = frozenset({"linh", "lẻ"})  # "một trăm linh năm" = 105
_HALF = "rưỡi"
_POINT = "phẩy"  # "một phẩy năm" = 1,5
_PERCENT = ("phần", "trăm")
# a single digit word before one of these is a count ("bốn người", "năm năm", "ba hộ")
COUNTERS: tuple[tuple[str, ...], ...] = (
    ("người",), ("khẩu",), ("nhân", "khẩu"), ("thành", "viên"), ("con",), ("tuổi",), ("hộ",), ("năm",), ("tháng",),
    ("ngày",), ("tuần",), ("lần",), ("xã",), ("huyện",), ("tỉnh",), ("thôn",), ("bản",), ("đồng",),
    ("nhiệm", "vụ"), ("giải", "pháp"), ("chương", "trình"), ("tiêu", "chí"), ("chỉ", "số"),
)
_DIGIT_STRING_MIN = 4  # "không chín tám bảy…" (a phone number), "hai không hai lăm" (a year)
_GROUP_FROM = 10_000  # smaller whole numbers stay plain (years, counts): "2025", not "2.025"


def _key(token: str) -> str:
    return unicodedata.normalize("NFC", token).lower()


class _Reader:
    """Reads one numeral starting at a position of a token list (lower-cased, NFC)."""

    def __init__(self, words: list[str]) -> None:
        self.w = words

    def at(self, i: int) -> str:
        return self.w[i] if 0 <= i < len(self.w) else ""

    def tens(self, i: int) -> tuple[int, int] | None:
        """'mười [unit]', 'D mươi [unit]', or the spoken short form 'D mốt/tư/lăm' ("hai lăm"
        = 25) → (value, next index)."""
        if self.at(i) == "mười":
            value, j = 10, i + 1
        elif self.at(i) in DIGITS and DIGITS[self.at(i)] >= 2 and self.at(i + 1) == "mươi":
            value, j = DIGITS[self.at(i)] * 10, i + 2
        elif self.at(i) in DIGITS and DIGITS[self.at(i)] >= 2 and self.at(i + 1) in _SHORT_UNITS:
            return DIGITS[self.at(i)] * 10 + _UNITS_AFTER_TENS[self.at(i + 1)], i + 2
        else:
            return None
        unit = _UNITS_AFTER_TENS.get(self.at(j))
        if unit is not None and self.at(j + 1) not in ("mươi", "trăm"):  # else it starts the next group
            return value + unit, j + 1
        return value, j

    def starts_more(self, i: int) -> bool:
        """A multiplier follows: the word before it is part of a larger numeral."""
        return self.at(i) in ("mươi", "trăm") or self.at(i) in MAGNITUDES

    def below_thousand(self, i: int) -> tuple[int, int, bool] | None:
        """(value, next index, whether a multiplier word was used)."""
        if self.at(i) in DIGITS and self.at(i + 1) == "trăm":
            value, j = DIGITS[self.at(i)] * 100, i + 2
            if self.at(j) in _ZERO_TENS and self.at(j + 1) in DIGITS and DIGITS[self.at(j + 1)] > 0:
                return value + DIGITS[self.at(j + 1)], j + 2, True
            tens = self.tens(j)
            if tens is not None:
                return value + tens[0], tens[1], True
            if self.at(j) == _HALF:
                return value + 50, j + 1, True
            if self.at(j) in DIGITS and DIGITS[self.at(j)] > 0 and not self.starts_more(j + 1):
                return value + DIGITS[self.at(j)] * 10, j + 1, True  # "hai trăm hai" = 220
            return value, j, True
        tens = self.tens(i)
        if tens is not None:
            return tens[0], tens[1], True
        if self.at(i) in DIGITS:
            return DIGITS[self.at(i)], i + 1, False
        return None

    def fraction(self, i: int) -> tuple[str, int]:
        """Digits after 'phẩy': 'một phẩy năm' → '5'."""
        digits = ""
        while self.at(i) in DIGITS and len(digits) < 3:
            digits += str(DIGITS[self.at(i)])
            i += 1
        return digits, i

    def number(self, i: int) -> tuple[Decimal, int, bool] | None:
        """A whole numeral: (value, next index, whether it is clearly a number rather than a
        lone digit word)."""
        total = Decimal(0)
        j = i
        clear = False
        last_magnitude: int | None = None
        while True:
            part = self.below_thousand(j)
            if part is None:
                break
            value, k, multiplied = part
            amount = Decimal(value)
            if self.at(k) == _POINT and self.at(k + 1) in DIGITS and last_magnitude is None:
                digits, k = self.fraction(k + 1)
                amount = Decimal(f"{value}.{digits}")
                multiplied = True
            magnitude = MAGNITUDES.get(self.at(k))
            if magnitude is None or (last_magnitude is not None and magnitude >= last_magnitude):
                total += amount
                j = k
                clear = clear or multiplied
                break
            total += amount * magnitude
            j, clear, last_magnitude = k + 1, True, magnitude
            if self.at(j) == _HALF:  # "một triệu rưỡi"
                total += magnitude // 2
                j += 1
                break
            nxt = self.at(j)
            if nxt in DIGITS and DIGITS[nxt] > 0 and not self.starts_more(j + 1) and self.at(j + 1) != _POINT:
                total += DIGITS[nxt] * magnitude // 10  # "hai triệu hai" = 2.200.000
                j += 1
                break
        if j == i:
            return None
        return total, j, clear

    def digit_string(self, i: int) -> tuple[str, int] | None:
        """Digits said one by one: 'không chín tám bảy…'."""
        digits = ""
        j = i
        while True:
            word = self.at(j)
            if word in DIGITS:
                digits += str(DIGITS[word])
            elif word == "lăm" and digits:
                digits += "5"
            else:
                break
            j += 1
        if len(digits) < _DIGIT_STRING_MIN or self.starts_more(j) or self.at(j) == _POINT:
            return None
        return digits, j

    def counter_at(self, i: int) -> bool:
        return any(tuple(self.w[i : i + len(c)]) == c for c in COUNTERS)


def _format(value: Decimal) -> str:
    if value == value.to_integral_value():
        whole = int(value)
        return format_money(whole) if whole >= _GROUP_FROM else str(whole)
    return format(value.normalize(), "f").replace(".", ",")


def spoken_to_digits(text: str) -> str:
    """The text with its spoken numbers in digits; every other word unchanged. Whitespace is
    collapsed to single spaces (a recogniser's line breaks between segments included)."""
    tokens = text.split()
    reader = _Reader([_key(t) for t in tokens])
    out: list[str] = []
    i = 0
    while i < len(tokens):
        said = reader.digit_string(i)
        if said is not None:
            out.append(said[0])
            i = said[1]
            continue
        found = reader.number(i)
        if found is None:
            out.append(tokens[i])
            i += 1
            continue
        value, j, clear = found
        percent = tuple(reader.w[j : j + 2]) == _PERCENT
        lone_digit = not clear and j == i + 1
        if lone_digit:
            word = reader.w[i]
            counted = reader.counter_at(j) and word not in ("một", "không")
            if not (percent or counted):
                out.append(tokens[i])
                i += 1
                continue
        if percent:
            out.append(_format(value) + "%")
            j += 2
        else:
            out.append(_format(value))
        i = j
    return " ".join(out)


_LONG_DIGITS = re.compile(r"(?<![\d.,])\d{9,}(?![\d.,]\d)")
MASK = "***"


def mask_long_numbers(text: str) -> str:
    """Hide runs of 9 or more digits (phone, citizen-ID and account numbers) before a question
    is kept: a spoken question may carry one, and nothing the documents answer needs it."""
    return _LONG_DIGITS.sub(MASK, text)
