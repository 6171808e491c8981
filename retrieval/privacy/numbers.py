"""Identity, phone, tax, insurance and account numbers in free text.

A number is read the way a person writes one: digit groups joined by one separator (space, dot
or hyphen), the same separator throughout ("079 203 001 234", "0912.345.678"), after an optional
"+84" / "(+84)". Each run of groups is cut into the longest windows that make a known kind of
number, validated with ``vn-ident`` (a card number's province and century digits, a tax code's
check digit, a phone number's shape). A word before the number ("stk", "mã số thuế", "bhxh")
decides what it is when the digits alone cannot.

What stays: amounts ("1.500.000", "100.000.000 đồng" — thousands grouped with dots, or followed
by a unit, never starting with 0), dates and document codes (their groups are joined by "/", and
too short), and any number of fewer than 9 digits unless a word before it says it is an account.
Privacy comes first: any other run of 9 or more digits is masked even when it matches no kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vn_ident import is_valid_cccd, is_valid_mst

from ..text.core import fold

# "(+84) ", "+84 ", "+84." before the national number
_COUNTRY = r"(?:\(\s?\+?84\s?\)|\+84)[ .\-]?"
_RUN = re.compile(rf"(?<![\d+])(?P<cc>{_COUNTRY})?(?P<body>\d+(?:[ .\-]\d+)*)(?!\d)")
_GROUP = re.compile(r"\d+")
# what may follow an amount: "1.500.000đ", "100.000.000 đồng", "150000000 VNĐ", "800 nghìn"
_MONEY_UNIT = re.compile(r"\s?(?:đ|₫|đồng|dong|vnd|vnđ|k|nghìn|nghin|ngàn|ngan|triệu|trieu|tr|tỷ|tỉ|ty)\b", re.IGNORECASE)
_MOBILE = re.compile(r"0[35789]\d{8}")
_LANDLINE = re.compile(r"02\d{9}")

# Words that say what the next number is, folded (compared on the folded text before it).
_CONTEXT = {
    "bank": ("stk", "so tk", "tk", "tai khoan", "ngan hang", "vietcombank", "vcb", "agribank", "vietinbank", "bidv", "techcombank", "mbbank", "mb bank", "sacombank", "acb", "vpbank", "tpbank", "atm", "the atm"),
    "tax": ("mst", "ma so thue", "ma thue"),
    "insurance": ("bhxh", "bhyt", "bao hiem", "so bao hiem", "the bao hiem"),
    "id": ("cccd", "cmnd", "cmt", "can cuoc", "chung minh", "dinh danh", "so id"),
    "phone": ("sdt", "so dien thoai", "dien thoai", "dt", "dd", "di dong", "zalo", "goi", "lien he", "lh", "hotline", "phone", "sms", "nhan tin"),
}
# Only these override the amount shape: "stk 1.234.567.890" is an account even grouped like money.
_STRONG = {"stk", "so tk", "tai khoan", "mst", "ma so thue", "bhxh", "cccd", "cmnd", "cmt", "can cuoc", "chung minh", "dinh danh", "sdt", "so dien thoai", "dien thoai", "zalo"}
_CONTEXT_WORDS = re.compile(r"\b(" + "|".join(sorted({re.escape(w) for ws in _CONTEXT.values() for w in ws}, key=len, reverse=True)) + r")\b")
_CONTEXT_CHARS = 32  # how far back a word still speaks about the number

KINDS = ("cccd", "cmnd", "phone", "tax", "insurance", "bank", "number")
# nine digits with no word before them: an old identity card number, read only once nothing
# surer claims those digits (see _read_run)
_NINE_DIGITS = "cmnd?"


@dataclass(frozen=True)
class Found:
    """A number to mask: where it is in the text and what it is."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class _Group:
    start: int
    end: int
    digits: str
    sep: str  # the separator before it ("" for the first)


def find_numbers(text: str) -> list[Found]:
    found: list[Found] = []
    for run in _RUN.finditer(text):
        body_start = run.start("body")
        groups, previous_end = [], None
        for g in _GROUP.finditer(run.group("body")):
            start, end = body_start + g.start(), body_start + g.end()
            groups.append(_Group(start, end, g.group(), "" if previous_end is None else text[previous_end:start]))
            previous_end = end
        found.extend(_read_run(text, run.start(), bool(run.group("cc")), groups))
    return found


def _read_run(text: str, run_start: int, country: bool, groups: list[_Group]) -> list[Found]:
    context = _context(text, run_start)
    claimed = [False] * len(groups)
    found: list[Found] = []
    # 1. the longest windows that are a known kind (or an amount, which is kept), left to right
    i = 0
    while i < len(groups):
        for j in range(len(groups) - 1, i - 1, -1):
            if not _uniform(groups, i, j):
                continue
            kind = _classify(text, groups, i, j, country and i == 0, context)
            # nine digits and nothing more to say of them: only a guess, which must not take
            # groups from a number that is read for sure further on ("2021 84 001.100.000.000")
            if kind is None or kind in ("number", _NINE_DIGITS):
                continue
            for k in range(i, j + 1):
                claimed[k] = True
            if kind != "amount":
                start = run_start if (country and i == 0) else groups[i].start
                found.append(Found(start, groups[j].end, kind))
            i = j
            break
        i += 1
    # 2. what is left: any long run of digits, whatever it is
    i = 0
    while i < len(groups):
        if claimed[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(groups) and not claimed[j + 1] and _uniform(groups, i, j + 1):
            j += 1
        digits = "".join(g.digits for g in groups[i : j + 1])
        if len(digits) >= 9:
            found.append(Found(groups[i].start, groups[j].end, "cmnd" if len(digits) == 9 else "number"))
        i = j + 1
    return found


def _uniform(groups: list[_Group], i: int, j: int) -> bool:
    """One number is written with one separator; after a leading "84" any may follow."""
    seps = [g.sep for g in groups[i + 1 : j + 1]]
    if seps and groups[i].digits == "84":
        seps = seps[1:]
    return len(set(seps)) <= 1


def _context(text: str, start: int) -> str | None:
    """The word just before the number that says what it is ("stk", "cccd", "sđt"), if any."""
    before = fold(text[max(0, start - _CONTEXT_CHARS) : start])
    words = _CONTEXT_WORDS.findall(before)
    return words[-1] if words else None


def _context_kind(word: str | None) -> str | None:
    if word is None:
        return None
    return next(kind for kind, words in _CONTEXT.items() if word in words)


def _amount_shaped(text: str, groups: list[_Group], i: int, j: int, digits: str) -> bool:
    if digits.startswith("0"):
        return False  # no amount is written with a leading zero; every card and phone number is
    grouped = j > i and groups[i + 1].sep in (".", ",") and len(groups[i].digits) <= 3 and all(len(g.digits) == 3 for g in groups[i + 1 : j + 1])
    # a unit after it makes one number an amount ("150000000 VNĐ"), not a run of numbers whose
    # later ones are not thousands ("2021 0320000000 đồng": a year, then a phone number)
    unit = _MONEY_UNIT.match(text, groups[j].end) is not None and all(len(g.digits) == 3 for g in groups[i + 1 : j + 1])
    return grouped or unit


def _classify(text: str, groups: list[_Group], i: int, j: int, country: bool, context: str | None) -> str | None:
    digits = "".join(g.digits for g in groups[i : j + 1])
    said = _context_kind(context)
    if country or (len(digits) == 11 and digits.startswith("84") and _MOBILE.fullmatch("0" + digits[2:])):
        national = "0" + (digits[2:] if digits.startswith("84") and len(digits) == 11 else digits)
        if _MOBILE.fullmatch(national) or _LANDLINE.fullmatch(national):
            return "phone"
    if _amount_shaped(text, groups, i, j, digits) and context not in _STRONG:
        return "amount"
    if said == "bank" and 6 <= len(digits) <= 19:
        return "bank"
    if said == "tax" and len(digits) in (10, 13):
        return "tax"
    if said == "insurance" and len(digits) in (10, 13, 15):
        return "insurance"
    if said == "id" and len(digits) in (9, 12):
        return "cccd" if len(digits) == 12 else "cmnd"
    if said == "phone" and 9 <= len(digits) <= 11:
        return "phone"
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return "phone"
    if len(digits) == 12 and is_valid_cccd(digits):
        return "cccd"
    if len(digits) in (10, 13) and is_valid_mst(digits):
        return "tax"
    if len(digits) == 9:
        return _NINE_DIGITS
    return "number" if len(digits) >= 9 else None
