"""Amounts of money and head counts as citizens type them: "1,5 triệu", "1.500.000", "2tr",
"1tr5", "800k", "1 triệu 500 nghìn", "4 người", "bốn".

Pure functions on text, shared by the faces (the bot's /kiemtra reads typed answers) and the
answer pipeline (an income figure inside a free-text question). A dot or comma followed by
exactly three digits groups thousands ("1.500.000"); otherwise it is a decimal mark ("1,5").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from .core import fold

MAX_MEMBERS = 100
MAX_MONTHLY_INCOME = 10**12  # a thousand billion đồng: anything above is a typing slip

_NUMBER = r"\d+(?:[.,\s]\d{3})+(?![.,]?\d)|\d+(?:[.,]\d+)?"
_MILLION = r"(?:trieu|tr)"
_THOUSAND = r"(?:nghin|ngan|k)"
_CURRENCY = r"(?:dong|vnd|d)"
# one amount: "1,5 trieu", "1tr5", "1 trieu 500 nghin", "1 trieu ruoi", "800k", "1.500.000 dong"
_AMOUNT = re.compile(
    rf"(?P<number>{_NUMBER})\s*(?:"
    rf"(?P<million>{_MILLION})(?:\s*(?P<half>ruoi)|\s*(?P<tail>\d{{1,3}})(?:\s*(?P<tail_k>{_THOUSAND}))?)?"
    rf"|(?P<thousand>{_THOUSAND})"
    rf")?(?:\s*{_CURRENCY})?(?![\w])"
)
_PER_YEAR = re.compile(r"^\s*(?:/|mot|moi|1|trong|hang)?\s*nam\b")
_FILLER = re.compile(r"\b(?:khoang|tam|chung|co|duoc|la|thu nhap|ca ho|moi thang|mot thang|1 thang|hang thang|trong thang|thang|/ ?thang)\b")

_WORDS = {
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10,
}


class AmountError(ValueError):
    """The text is not a usable amount; the message says what to type instead (Vietnamese)."""


@dataclass(frozen=True)
class MoneyMention:
    """An amount found inside a sentence, and whether it was said to be per year."""

    amount: int
    per_year: bool
    text: str

    @property
    def monthly(self) -> int:
        return round(self.amount / 12) if self.per_year else self.amount


def _number(text: str) -> Decimal:
    compact = re.sub(r"\s", "", text)
    if re.fullmatch(r"\d+(?:[.,]\d{3})+", compact):
        return Decimal(re.sub(r"[.,]", "", compact))
    try:
        return Decimal(compact.replace(",", "."))
    except InvalidOperation:  # the pattern only lets digits and one mark through
        raise AmountError("Tôi chưa hiểu con số này.") from None


def _value(match: re.Match) -> tuple[Decimal, bool]:
    """(amount in đồng, whether a unit was written)."""
    number = _number(match["number"])
    if match["million"]:
        value = number * 1_000_000
        if match["half"]:
            value += 500_000
        elif match["tail"]:
            tail = match["tail"]
            value += int(tail) * 1000 if match["tail_k"] else int(tail) * 10 ** (6 - len(tail))
        return value, True
    if match["thousand"]:
        return number * 1000, True
    return number, False


def parse_money(text: str) -> int:
    """A whole answer to "how much a month?": đồng as an int. Raises AmountError."""
    folded = fold(text).strip()
    if re.search(r"(?:^|\s)-\s*\d", folded) or folded.startswith("am "):
        raise AmountError("Thu nhập không thể là số âm. Nếu hộ không có thu nhập, hãy gõ 0.")
    folded = _FILLER.sub(" ", folded).strip(" .:=")
    match = _AMOUNT.fullmatch(folded)
    if not match:
        raise AmountError("Tôi chưa hiểu số tiền này. Bạn hãy gõ ví dụ: 6 triệu, 6.000.000 hoặc 6tr.")
    value, with_unit = _value(match)
    if not with_unit and 0 < value < 1000:
        shown = match["number"]
        raise AmountError(f"{shown} đồng thì quá nhỏ. Nếu ý bạn là {shown} triệu đồng, hãy gõ “{shown} triệu”.")
    amount = int(value.to_integral_value())
    if amount > MAX_MONTHLY_INCOME:
        raise AmountError("Số tiền này quá lớn. Bạn kiểm tra lại giúp tôi nhé.")
    return amount


def find_money(text: str) -> MoneyMention | None:
    """The first amount of money in a sentence ("thu nhập 1 triệu một tháng"): one written
    with a unit, or a plain number of at least 10.000 (so "3 người" or "năm 2025" are not)."""
    folded = fold(text)
    for match in _AMOUNT.finditer(folded):
        start = match.start()
        if start > 0 and (folded[start - 1].isalnum() or folded[start - 1] in ".,"):
            continue  # inside a word or a longer number
        value, with_unit = _value(match)
        if not with_unit and value < 10_000:
            continue
        per_year = bool(_PER_YEAR.match(folded[match.end():]))
        return MoneyMention(int(value.to_integral_value()), per_year, match.group(0).strip())
    return None


def parse_count(text: str) -> int:
    """How many people: "4", "4 người", "bốn". Raises AmountError."""
    folded = re.sub(r"\b(?:nguoi|nhan khau|khau|thanh vien|co|la|gom|tong cong|ca nha)\b", " ", fold(text)).strip(" .:=")
    if re.fullmatch(r"-\s*\d+", folded):
        raise AmountError("Số người phải từ 1 trở lên.")
    if re.fullmatch(r"\d+", folded):
        count = int(folded)
    elif folded in _WORDS:
        count = _WORDS[folded]
    else:
        raise AmountError("Bạn hãy gõ số người trong hộ bằng chữ số, ví dụ: 4")
    if count < 1:
        raise AmountError("Số người phải từ 1 trở lên.")
    if count > MAX_MEMBERS:
        raise AmountError(f"Số người tối đa là {MAX_MEMBERS}. Bạn kiểm tra lại giúp tôi nhé.")
    return count


def format_money(amount: int | float | Decimal | Fraction) -> str:
    """Vietnamese grouping: 1500000 → '1.500.000'; a fraction keeps two decimals after a
    comma (1.500.000,33), so a per-person income just above a line never shows as equal."""
    if isinstance(amount, Fraction):
        value = Decimal(amount.numerator) / Decimal(amount.denominator)
    else:
        value = Decimal(str(amount))
    value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole = int(value)
    text = f"{whole:,}".replace(",", ".")
    cents = value - whole
    if cents:
        text += "," + f"{cents:.2f}"[2:]
    return text
