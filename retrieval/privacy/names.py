"""Person names: underthesea's bundled NER (a CRF, no download) with guards, and two rules.

The CRF finds "Nguyễn Văn An" and "Trần Thị Bích", but alone it also tags chat words and
title-cased questions as people ("Ad ơi", "Ok", "Hộ Nghèo Được Vay Vốn"), and "xã Ba Thành" as a
person. So a PER span is kept only when it is capitalised as names are, is no chat word, does
not follow an administrative unit, and either starts with a Vietnamese family name (Nguyễn,
Trần…) or follows a word that introduces a person ("anh Tuấn", "tên là Lan").

The rules catch what the CRF misses: a capitalised name after such a word ("chị Hoa") unless the
whole text is title-cased, and a name typed in lower case after "tên"/"tên là" when it starts
with a family name ("tôi tên là nguyễn văn an").
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from vn_ident import PROVINCES

from ..text.core import FOLDED_STOPWORDS, STOPWORDS, fold
from .numbers import Found

log = logging.getLogger(__name__)

SURNAMES = frozenset(
    """
    nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đinh đào trịnh mai trương
    lâm lương hà tạ cao châu phùng quách kiều thái tô triệu đoàn chu lưu vương la lục mạc từ tôn thân
    khúc âu giang nông lò hứa tăng doãn diệp đàm bạch kim tiêu thạch quan vi lã mã ninh phó khổng ôn viên
    lạc hầu nghiêm cù ngụy mẫn đồng hàn ma sầm y h' ksor rơ niê nay siu rmah
    """.split()
)
_FOLDED_SURNAMES = frozenset(fold(s) for s in SURNAMES) - {"ho", "do", "to", "ma", "la", "ha", "y", "vi", "ong"}  # too common as words when unaccented
# words that introduce a person; after them a capitalised word is a name
_CUES = ("ông", "bà", "anh", "chị", "em", "cô", "chú", "bác", "cháu", "cụ", "con", "vợ", "chồng", "mẹ", "bố", "cha", "dì", "cậu", "mợ", "thím", "tên", "tên là", "tôi là", "tui là", "mình là", "em là", "họ tên", "họ và tên", "gọi là")
# after these a name may be typed in lower case; it must then open with a family name
# ("tôi là nguyễn văn an", not "tôi là hộ nghèo")
_NAME_CUES = (
    "tên là", "tên tôi là", "tên em là", "tên mình là", "họ và tên", "họ tên", "tên", "tôi là", "em là", "mình là", "tui là",
    "ten la", "ten toi la", "ten em la", "ho va ten", "ho ten", "ten", "toi la", "em la", "minh la", "tui la",
)
# where a place follows: "tui ở Bác Ái", "tại Bà Rịa" are places even after "Bác", "Bà"
_PLACE_WORDS = ("ở", "tại", "thuộc", "về", "o", "tai", "thuoc")
# provinces (and their parts) are places even when the CRF reads them as people ("Ninh Thuận")
_PROVINCES = frozenset(fold(part.strip()) for _, name in PROVINCES for part in (name, *name.split(" - ")))
# chat words the CRF takes for names
_CHAT_WORDS = frozenset("ad admin ok oke okie tui tôi mình e em a anh c chị dc đc ko k hok j ntn ạ ơi alo hi hello thanks cảm ơn bot bác cháu ông bà".split())
# after these a capitalised word is a place or a document, not a person
_NOT_AFTER = _PLACE_WORDS + ("xã", "phường", "thị trấn", "thị xã", "huyện", "quận", "thành phố", "tỉnh", "tp", "thôn", "ấp", "xóm", "bản", "buôn", "làng", "đường", "phố", "ngân hàng", "chỉ thị", "nghị định", "quyết định", "kế hoạch", "thông tư", "nghị quyết", "luật", "ubnd", "hđnd", "mặt trận", "hội", "sở", "bộ", "ban", "trường", "bệnh viện")
_SEP = r"[ \t]+"


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", _SEP) for w in sorted(words, key=len, reverse=True))


# the cue, then words: only the capitalised ones that open the name are kept
_CUE_THEN_CAPITAL = re.compile(rf"(?<![^\W_])(?:{_alternation(_CUES)}){_SEP}(?P<name>[^\W\d_]+(?:{_SEP}[^\W\d_]+){{0,3}})", re.IGNORECASE)
_NAME_CUE_THEN_WORDS = re.compile(rf"(?<![^\W_])(?:{_alternation(_NAME_CUES)}){_SEP}(?P<name>[^\W\d_]+(?:{_SEP}[^\W\d_]+){{0,3}})", re.IGNORECASE)
# function words end a name typed without diacritics, except those that are also common name
# syllables once folded ("thì"/"Thị", "vẫn"/"Văn", "mình"/"Minh")
_FOLDED_NAME_STOPS = FOLDED_STOPWORDS - {"thi", "van", "minh", "anh", "ha", "hai", "hon", "nam"}
_ABOVE_WORDS = ("xã", "phường", "huyện", "quận", "tỉnh", "thôn", "ấp", "xóm", "ở", "tại", "thuộc", "o", "tai", "xa", "phuong", "huyen", "tinh", "thon")


@lru_cache(maxsize=1)
def _ner():
    """underthesea's CRF NER, loaded on first use (the package is already loaded for word
    segmentation; the model adds ~0.1 s). None when it cannot be loaded: the rules still run."""
    try:
        from underthesea import ner
    except Exception as exc:  # noqa: BLE001 - masking must not fail for want of the NER
        log.warning("Không nạp được NER của underthesea (%s): chỉ dùng quy tắc để che tên", type(exc).__name__)
        return None
    return ner


def _title_cased(text: str) -> bool:
    """"Cho Em Hỏi Về Hộ Nghèo": function words capitalised inside the text, so capitals say
    nothing about names there."""
    words = re.findall(r"[^\W\d_]+", text)
    return any(w[0].isupper() and w.lower() in STOPWORDS for w in words[1:])


def _is_name_word(word: str) -> bool:
    lower = word.lower()
    return word[:1].isupper() and word.isalpha() and lower not in _CHAT_WORDS and lower not in STOPWORDS


def _preceded_by(text: str, start: int, words: tuple[str, ...]) -> bool:
    before = text[max(0, start - 24) : start].lower().rstrip(" ,:")
    return any(re.search(rf"(?:^|[^\w]){re.escape(w)}$", before) for w in words)


def _is_province(words: list[str]) -> bool:
    folded = fold(" ".join(words))
    return any(folded == p or folded.startswith(p + " ") or p.startswith(folded + " ") for p in _PROVINCES)


def _may_hold_ner_names(text: str, title_cased: bool) -> bool:
    """Whether the CRF could find a name that would be kept (see ``_ner_names``): a capitalised
    family name followed by another name word, or a name word right after a cue. Most questions
    have neither, and the CRF is the costly part of masking (milliseconds a question)."""
    words = list(re.finditer(r"[^\W\d_]+", text))
    for i, word in enumerate(words):
        if not _is_name_word(word.group()):
            continue
        if not title_cased and word.group().lower() in SURNAMES and i + 1 < len(words) and _is_name_word(words[i + 1].group()):
            return True
        if _preceded_by(text, word.start(), _CUES):
            return True
    return False


def _ner_names(text: str, title_cased: bool) -> list[Found]:
    if not text.strip() or not _may_hold_ner_names(text, title_cased):
        return []
    ner = _ner()
    if ner is None:
        return []
    found: list[Found] = []
    cursor = 0
    span: tuple[int, int] | None = None
    try:
        tagged = ner(text)
    except Exception as exc:  # noqa: BLE001
        log.warning("NER lỗi (%s): chỉ dùng quy tắc để che tên", type(exc).__name__)
        return []
    spans = []
    for word, _, _, tag in tagged:
        at = text.find(word, cursor)
        if at < 0:
            continue
        cursor = at + len(word)
        if tag == "B-PER" or (tag == "I-PER" and span is None):
            if span:
                spans.append(span)
            span = (at, cursor)
        elif tag == "I-PER":
            span = (span[0], cursor)
        else:
            if span:
                spans.append(span)
            span = None
    if span:
        spans.append(span)
    for start, end in spans:
        words = text[start:end].split()
        if not words or "<" in text[start:end] or not all(_is_name_word(w) for w in words):
            continue
        if _preceded_by(text, start, _NOT_AFTER) or _is_province(words):
            continue
        cued = _preceded_by(text, start, _CUES)
        surname = words[0].lower() in SURNAMES and len(words) >= 2
        if (surname and not title_cased) or cued:
            found.append(Found(start, end, "name"))
    return found


def _rule_names(text: str, title_cased: bool) -> list[Found]:
    found: list[Found] = []
    if not title_cased:
        for match in _CUE_THEN_CAPITAL.finditer(text):
            words = list(re.finditer(r"\S+", match.group("name")))
            kept = []
            for w in words:
                if not _is_name_word(w.group()) or w.group().lower() in _ABOVE_WORDS:
                    break
                kept.append(w)
            cue = text[match.start() : match.start("name")].split()
            names = [w.group() for w in kept]
            if kept and not _is_province(names) and not _is_province(cue[-1:] + names) and not _preceded_by(text, match.start(), _PLACE_WORDS):
                base = match.start("name")
                found.append(Found(base + kept[0].start(), base + kept[-1].end(), "name"))
    for match in _NAME_CUE_THEN_WORDS.finditer(text):
        words = list(re.finditer(r"[^\W\d_]+", match.group("name")))
        first = words[0].group().lower() if words else ""
        if not (first in SURNAMES or (first == fold(first) and first in _FOLDED_SURNAMES)):
            continue
        kept = []
        for w in words:
            raw = w.group().lower()
            if raw in STOPWORDS or (raw == fold(raw) and raw in _FOLDED_NAME_STOPS) or raw in _ABOVE_WORDS or fold(raw) in _ABOVE_WORDS:
                break
            kept.append(w)
        if len(kept) >= 2:
            base = match.start("name")
            found.append(Found(base + kept[0].start(), base + kept[-1].end(), "name"))
    return found


def _full_names(text: str, title_cased: bool) -> list[Found]:
    """Three or more capitalised words opening with a family name: "Bùi Thị Phúc" wherever it
    stands (the CRF misses some after "con tôi"). Two-word runs are left to the CRF and the cues:
    too many districts read like them ("Mai Sơn", "Kim Bôi")."""
    if title_cased:
        return []
    found = []
    runs: list[list[re.Match]] = [[]]
    for word in re.finditer(r"[^\W\d_]+", text):
        run = runs[-1]
        joined = bool(run) and text[run[-1].end() : word.start()] in (" ", "\t")
        if _is_name_word(word.group()) and (joined or not run):
            run.append(word)
        elif _is_name_word(word.group()):
            runs.append([word])
        else:
            runs.append([])
    for run in runs:
        words = [w.group() for w in run[:4]]
        if len(words) >= 3 and words[0].lower() in SURNAMES and not _is_province(words) and not _preceded_by(text, run[0].start(), _NOT_AFTER):
            found.append(Found(run[0].start(), run[len(words) - 1].end(), "name"))
    return found


def find_names(text: str) -> list[Found]:
    title_cased = _title_cased(text)
    return _ner_names(text, title_cased) + _rule_names(text, title_cased) + _full_names(text, title_cased)
