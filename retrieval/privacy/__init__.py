"""Personal data screened out of what citizens type, before anything is stored.

``mask(text)`` replaces card, phone, tax, insurance and account numbers, e-mail addresses,
person names and addresses below the commune with placeholders (``<CCCD>``, ``<SĐT>``,
``<TÊN>``, ``<ĐỊA_CHỈ>`` …) and says which kinds it found. Province and commune names, amounts
("1.500.000", "2tr5"), dates ("29/11/2021") and document codes ("19-CT/TU", "07/2021/NĐ-CP")
stay: they are what a cadre's report is about. Pure: no I/O, the same text always gives the
same result.

Numbers are regular expressions validated with ``vn-ident`` (standard library only); names come
from underthesea's bundled CRF NER with guards against chat words, plus two rules; see
``numbers``, ``places`` and ``names`` for what each does and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..text.core import normalize
from .names import find_names
from .numbers import Found, find_numbers
from .places import find_places

PLACEHOLDERS: dict[str, str] = {
    "cccd": "<CCCD>",
    "cmnd": "<CMND>",
    "phone": "<SĐT>",
    "email": "<EMAIL>",
    "tax": "<MST>",
    "insurance": "<BHXH>",
    "bank": "<STK>",
    "number": "<SỐ>",
    "address": "<ĐỊA_CHỈ>",
    "name": "<TÊN>",
}
PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))

_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)
# a health-insurance card: two letters, then 13 digits ("HC4797932209088", "DN 479 793 2209088")
_INSURANCE_CARD = re.compile(r"(?<![^\W\d_])[A-Za-z]{2}[ .]?\d(?:[ .]?\d){12}(?!\d)")
# pieces of one address left side by side ("<ĐỊA_CHỈ>, <ĐỊA_CHỈ>") become one
_ADJACENT_ADDRESSES = re.compile(r"<ĐỊA_CHỈ>(?:[ ,\-]+<ĐỊA_CHỈ>)+")


@dataclass(frozen=True)
class Masked:
    """A text with its personal data replaced, and the kinds replaced (each once)."""

    text: str
    kinds: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.kinds)


def _apply(text: str, found: list[Found], kinds: list[str]) -> str:
    """Replace the spans, the earliest and then the longest first when they overlap."""
    out, cursor = [], 0
    for item in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if item.start < cursor:
            continue
        out.append(text[cursor : item.start])
        out.append(PLACEHOLDERS[item.kind])
        cursor = item.end
        if item.kind not in kinds:
            kinds.append(item.kind)
    out.append(text[cursor:])
    return "".join(out)


@lru_cache(maxsize=1024)
def mask(text: str) -> Masked:
    """The text with personal data replaced by placeholders; see the module's docstring.
    Pure, so remembered: a question is read for search and masked again when it is logged."""
    text = normalize(text)
    kinds: list[str] = []
    # in stages, so that a later stage never reads digits an earlier one has masked
    text = _apply(text, [Found(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)], kinds)
    text = _apply(text, [Found(m.start(), m.end(), "insurance") for m in _INSURANCE_CARD.finditer(text)], kinds)
    text = _apply(text, find_numbers(text), kinds)
    text = _apply(text, find_places(text), kinds)
    text = _apply(text, find_names(text), kinds)
    text = _ADJACENT_ADDRESSES.sub("<ĐỊA_CHỈ>", text)
    return Masked(text, tuple(kinds))


# a placeholder with the word that announced it ("sđt <SĐT>", "email: <EMAIL>"): both go
_CUES = r"(?:sđt|sdt|số điện thoại|so dien thoai|điện thoại|dien thoai|zalo|email|e-mail|mail|cccd|cmnd|căn cước|can cuoc|mst|mã số thuế|ma so thue|stk|số tài khoản|so tai khoan|tài khoản|tai khoan|bhxh|địa chỉ|dia chi|tên|ten)"
_CUED_PLACEHOLDER = re.compile(rf"(?:(?<![^\W_]){_CUES}[ \t]*[:：]?[ \t]*)?(?:{PLACEHOLDER.pattern})", re.IGNORECASE)


def without_personal_data(text: str) -> str:
    """The text with its personal data taken out, not replaced: what a question means to
    search. A name or a phone number is nothing to look for, and a rare word that no clause
    holds would count against the question's evidence ("anh Tuấn hỏi … sđt 0912…")."""
    masked = mask(text)
    if not masked.changed:
        return masked.text
    return re.sub(r"[ \t]{2,}", " ", _CUED_PLACEHOLDER.sub(" ", masked.text)).strip()


__all__ = ["PLACEHOLDERS", "Masked", "mask", "without_personal_data"]
