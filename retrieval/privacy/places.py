"""Addresses below the commune: house numbers, streets, hamlets (thôn, ấp, xóm, bản, tổ, khu phố…).

The province and the commune (xã, phường, thị trấn, huyện…) stay: they are what a cadre's
report needs and they name no household. What is below them goes: "thôn 3", "ấp Phú Mỹ",
"tổ dân phố 5", "số nhà 12", "đường Lê Lợi", "hẻm 12/4".

A unit word masks what follows it only when that clearly is a place's name: a number ("thôn 3",
"tổ 5"), capitalised syllables after the lower-case unit word ("ấp Phú Mỹ", not "Buôn Ma Thuột",
a city), or, in lower-case typing, the words after "ở/tại/thuộc" up to the next unit above
("tôi ở thôn phú mỹ xã ba thành"). Words that contain a unit word are left alone: "nông thôn",
"thành phố", "văn bản", "khu vực", "tổ chức".
"""

from __future__ import annotations

import re

from ..text.core import FOLDED_STOPWORDS, STOPWORDS, fold
from .numbers import Found

# below the commune; longer names first so "tổ dân phố" wins over "tổ"
_UNITS = ("tổ dân phố", "khu dân cư", "khu phố", "số nhà", "nhà số", "thôn", "ấp", "xóm", "bản", "buôn", "làng", "sóc", "khóm", "ngõ", "ngách", "hẻm", "kiệt", "đường", "phố", "tổ", "khu")
# units whose capitalised name is masked; "khu" and "tổ" only with a number ("khu Kinh tế", "tổ Công tác")
_NAMED = ("tổ dân phố", "khu dân cư", "khu phố", "thôn", "ấp", "xóm", "bản", "buôn", "làng", "sóc", "khóm", "ngõ", "ngách", "hẻm", "kiệt", "đường", "phố")
# units that can be read folded in typing without diacritics (those that stay unambiguous)
_FOLDED = ("to dan pho", "khu dan cu", "khu pho", "so nha", "nha so", "thon", "xom", "buon", "khom", "ngach", "hem", "kiet", "ap", "ban", "lang", "soc", "ngo", "duong", "pho", "to", "khu")
# "nông thôn", "thành phố", "văn bản", "bản sao"… — the word before that makes it no place
_NOT_AFTER = {"thôn": ("nông",), "thon": ("nong",), "phố": ("thành",), "pho": ("thanh",), "bản": ("văn", "cơ", "căn", "phiên", "kịch"), "ban": ("van", "co", "can", "phien")}
# the units above, where a hamlet's name stops
_ABOVE = ("xã", "phường", "thị trấn", "thị xã", "huyện", "quận", "thành phố", "tỉnh", "tp", "xa", "phuong", "thi tran", "thi xa", "huyen", "quan", "thanh pho", "tinh")

_NUMBER = r"(?:số\s|so\s)?\d+[A-Za-z]?(?:[/\-]\d+[A-Za-z]?)*\b|[IVX]{1,4}\b"
_WORD = r"[^\W\d_]+"
_SEP = r"[ \t]+"


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", _SEP) for w in sorted(words, key=len, reverse=True))


_NUMBERED = re.compile(rf"(?<![^\W_])(?P<unit>{_alternation(_UNITS + _FOLDED)}){_SEP}(?:{_NUMBER})", re.IGNORECASE)
# a lower-case unit word, then words: only the capitalised ones are kept (``_capitalised_end``)
_CAPITALISED = re.compile(rf"(?<![^\W_])(?P<unit>{_alternation(_NAMED)}){_SEP}(?P<name>[^\W_]+(?:{_SEP}[^\W_]+){{0,4}})")
_AFTER_PLACE_WORD = re.compile(
    rf"(?<![^\W_])(?:ở|tại|thuộc|o|tai|thuoc){_SEP}(?P<unit>{_alternation(_NAMED + tuple(f for f in _FOLDED if f not in ('to', 'khu', 'so nha', 'nha so')))}){_SEP}(?P<name>{_WORD}(?:{_SEP}{_WORD}){{0,3}})",
    re.IGNORECASE,
)
# "số 12 đường …": the house number before a street
_HOUSE_BEFORE_STREET = re.compile(rf"(?<![^\W_])(?:số|so){_SEP}\d+[A-Za-z]?(?:/\d+[A-Za-z]?)*(?={_SEP}(?:đường|phố|ngõ|hẻm|kiệt|duong|pho|ngo|hem|kiet)\b)", re.IGNORECASE)


def _word_before(text: str, start: int) -> str:
    match = re.search(r"([^\W\d_]+)\W*$", text[:start])
    return match.group(1).lower() if match else ""


def _is_place(text: str, match: re.Match) -> bool:
    unit = match.group("unit").lower()
    return _word_before(text, match.start()) not in _NOT_AFTER.get(" ".join(unit.split()), ())


def _hamlet_name(text: str, match: re.Match) -> int:
    """Where a lower-case hamlet name after "ở thôn" ends: before a unit above, a function word,
    punctuation or after four words."""
    end = match.start("name")
    for word in re.finditer(_WORD, match.group("name")):
        raw = word.group().lower()
        folded = fold(raw)
        if raw in STOPWORDS or (raw == folded and folded in FOLDED_STOPWORDS) or raw in _ABOVE or folded in _ABOVE:
            break
        following = text[match.start("name") + word.start() :]
        if any(re.match(rf"{re.escape(a)}\b", following, re.IGNORECASE) for a in _ABOVE if " " in a):
            break
        end = match.start("name") + word.end()
    return end


def _capitalised_end(match: re.Match) -> int:
    """The end of the capitalised words (or numbers) that open the name; a unit above
    ("Xã", "Phường") ends it. ``match.start("name")`` when there is none."""
    end = match.start("name")
    for word in re.finditer(r"[^\W_]+", match.group("name")):
        raw = word.group()
        if not (raw[0].isupper() or raw.isdigit()) or raw.lower() in _ABOVE:
            break
        end = match.start("name") + word.end()
    return end


def find_places(text: str) -> list[Found]:
    found: list[Found] = []
    for match in _NUMBERED.finditer(text):
        if _is_place(text, match):
            found.append(Found(match.start("unit"), match.end(), "address"))
    for match in _CAPITALISED.finditer(text):
        end = _capitalised_end(match)
        if end > match.start("name") and _is_place(text, match) and not match.group("name")[0].isdigit():
            found.append(Found(match.start("unit"), end, "address"))
    for match in _AFTER_PLACE_WORD.finditer(text):
        if _is_place(text, match):
            end = _hamlet_name(text, match)
            if end > match.start("name"):
                found.append(Found(match.start("unit"), end, "address"))
    for match in _HOUSE_BEFORE_STREET.finditer(text):
        found.append(Found(match.start(), match.end(), "address"))
    return found
