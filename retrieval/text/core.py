"""Vietnamese text handling: normalization, diacritic folding, tokens for BM25, sentences.

Pure functions only; ``word_segments`` is the one place that calls underthesea.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def normalize(text: str) -> str:
    """NFC, unified line ends, no invisible characters, single spaces inside lines.

    NFC first: an NFD paragraph tokenizes differently and embeds measurably differently.
    """
    # a lone surrogate (broken client input) cannot be encoded and crashes underthesea
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


# An HTML-looking tag in a question ("<b>hộ nghèo</b>", pasted or typed to format it).
_MARKUP_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,9}(?:\s[^<>]{0,200})?/?>")


def strip_markup(text: str) -> str:
    """A question without its markup tags: '<b>hộ nghèo</b>' -> ' hộ nghèo '. The tag names
    would otherwise count as words to look for ('b'), and no clause contains them."""
    return _MARKUP_TAG.sub(" ", text)


def squash_spaces(text: str) -> str:
    """NFC and all whitespace runs to one space: how gold strings and quotes are compared."""
    return " ".join(unicodedata.normalize("NFC", text).split())


# The answer step folds and tokenizes the same passages and sentences for question after
# question (~half of a question's time outside the encoder): both are pure, so the results of
# recent texts are kept (bounded: ~30 MB at most, a few MB in practice).
@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower case without diacritics: 'Hộ nghèo được hỗ trợ' -> 'ho ngheo duoc ho tro'.

    Citizens often type without diacritics; indexing and querying the folded form makes
    both spellings meet.
    """
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped.replace("đ", "d"))


# Numbers keep their inner separators ("14,93", "29/11/2021", "1,5-2") so a figure is one token.
_TOKEN = re.compile(r"\d+(?:[.,/]\d+)*|[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=4096)
def _syllables(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(fold(text)))


def syllables(text: str) -> list[str]:
    """Folded syllables and numbers, in order."""
    return list(_syllables(text))


_STOPWORD_TEXT = """
à ạ ai anh bao bị bởi cả các cái cần càng chỉ cho chưa có còn của cùng cũng đã đang để đến đều đó
được gì hay hãy hoặc hơn khi không là lại làm mà mấy mình mỗi một này nào nên nếu nhé những như nhưng
nữa ở ra rằng rất sao sẽ tại thế thì theo tôi trên trong từ và vào vẫn về vì với vậy đâu bằng hỏi
biết xin giúp muốn nhiêu đi ấy kia nhỉ chứ hả ơi nay
"""
# How people write in a chat: pronouns and forms of address, sentence particles, hedges and
# intensifiers, verbs of asking. Closed classes of Vietnamese (any grammar lists them), plus
# their chat spellings ("ad" for the page's admin); never a topic of the documents.
_CHAT_WORD_TEXT = """
tui tớ tao mày em chị cô chú bác dì cậu ông bà bọn tụi ad admin bạn mọi người ta
nha nhen nghen hen hở hử hông nè đấy kìa luôn thôi á ha ừ ừm vâng dạ ha
lắm quá hơi cỡ khoảng chừng chẳng chả rồi mới hết thật thiệt coi xem nghe nói chuyện vụ cái tới tính
giùm dùm với cho hổng hem khum vầy vậy thế
"""
# Function words and question words carry no topic: they count neither as evidence nor
# as a reason to abstain. Accented words are compared accented ("đã" is a function word,
# "đa" in "đa chiều" is not). A question typed without diacritics is compared folded too,
# but only for words still without diacritics (a question whose diacritics were restored
# from the corpus keeps "xã hội", not "xã hỏi"), and never for the plain words of the
# documents that fold like a function word ("vay" is a loan, not "vậy"; "ban" a committee).
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split()) | frozenset(_CHAT_WORD_TEXT.split())
_FOLDED_AMBIGUOUS = frozenset("vay ban".split())
FOLDED_STOPWORDS: frozenset[str] = frozenset(fold(w) for w in STOPWORDS) - _FOLDED_AMBIGUOUS


def _is_stopword(raw: str, folded: str, unaccented_text: bool) -> bool:
    if raw in STOPWORDS:
        return True
    return unaccented_text and raw == folded and folded in FOLDED_STOPWORDS


def content_syllables(text: str, unaccented: bool | None = None) -> list[str]:
    """Folded syllables of ``text`` that are not function words. ``unaccented``: whether the
    question was typed without diacritics (by default: whether ``text`` has none) — a question
    whose diacritics were restored is still compared folded as well."""
    unaccented = fold(text) == text.lower() if unaccented is None else unaccented
    kept = []
    for raw in _TOKEN.findall(text.lower()):
        folded = fold(raw)
        kept.append(None if _is_stopword(raw, folded, unaccented) else folded)
    return [k for k in kept if k]


def _content_runs(text: str, unaccented: bool | None = None) -> list[list[str]]:
    unaccented = fold(text) == text.lower() if unaccented is None else unaccented
    runs: list[list[str]] = [[]]
    for raw in _TOKEN.findall(text.lower()):
        folded = fold(raw)
        if _is_stopword(raw, folded, unaccented):
            runs.append([])
        else:
            runs[-1].append(folded)
    return [r for r in runs if r]


# underthesea's package __init__ also imports its optional pipelines, and `translate` imports
# torch and transformers (~6 s and ~400 MB of a 7 s import). Only word segmentation is used
# here: these are marked absent while underthesea loads (it skips an optional pipeline whose
# import fails), then unmarked, so a later explicit import of one still works.
_UNUSED_UNDERTHESEA = tuple(
    f"underthesea.{name}"
    for name in ("pipeline.translate", "pipeline.classification", "pipeline.sentiment", "pipeline.lang_detect", "pipeline.dependency_parse", "agent", "address")
)


@lru_cache(maxsize=1)
def _underthesea_tokenize():
    import sys

    marked = [name for name in _UNUSED_UNDERTHESEA if name not in sys.modules]
    for name in marked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        from underthesea import (
            word_tokenize,  # imported lazily: ~0.5 s, its model ~0.4 s at first use
        )
    finally:
        for name in marked:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
    return word_tokenize


def word_segments(text: str) -> list[str]:
    """underthesea word segmentation: 'hộ nghèo được hỗ trợ' -> ['hộ nghèo', 'được', 'hỗ trợ']."""
    if not text.strip():
        return []
    return _underthesea_tokenize()(text)


def compound_terms(text: str) -> list[str]:
    """Folded multi-syllable words from underthesea, joined with '_' ('ho_ngheo')."""
    terms = []
    for word in word_segments(text):
        parts = syllables(word)
        if len(parts) > 1:
            terms.append("_".join(parts))
    return terms


def lexical_terms(text: str) -> list[str]:
    """What BM25 indexes: folded syllables (robust to unaccented typing and to
    segmentation errors), folded underthesea words (reward whole-word matches), and adjacent
    syllable pairs ('co+cong'): a passage that holds the question's phrase ("người có công",
    "bán hàng trên mạng") outranks one that holds its syllables scattered, whatever the
    segmenter made of them. The pairs raised dev-citizen's R@5 from 0.875 to 0.917 on its
    even-numbered questions, odd ones unchanged (docs/benchmarks.md)."""
    tokens = syllables(text)
    return tokens + compound_terms(text) + [f"{a}+{b}" for a, b in zip(tokens, tokens[1:])]


def query_pairs(text: str, unaccented: bool | None = None) -> list[str]:
    """Adjacent content syllables as pairs ('kết hôn' -> 'ket_hon'); pairs tell a topic
    apart far better than single folded syllables, which collide across words."""
    return [f"{a}_{b}" for run in _content_runs(text, unaccented) for a, b in zip(run, run[1:])]


@lru_cache(maxsize=4096)
def _syllable_pairs(text: str) -> frozenset[str]:
    tokens = _syllables(text)
    return frozenset(f"{a}_{b}" for a, b in zip(tokens, tokens[1:]))


def syllable_pairs(text: str) -> set[str]:
    return set(_syllable_pairs(text))


# A sentence ends at . ! ? … (optionally followed by closing quotes/brackets) before a
# space and something that starts a sentence. Abbreviations like "TP." do not end one.
_SENTENCE_END = re.compile(r"(?<=[.!?…])([”\"')\]]*)\s+(?=[\"“(\[]?[A-ZÀ-ỸĐ0-9])")
_ABBREVIATIONS = ("TP.", "Tp.", "TS.", "ThS.", "PGS.", "GS.", "BS.", "Th.", "v.v.", "St.", "Q.", "P.")


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph, each stripped; never loses characters other than the
    whitespace between sentences."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + len(match.group(1))
        candidate = text[start:end]
        if candidate.rstrip().endswith(_ABBREVIATIONS) or _ends_with_list_number(candidate):
            continue
        sentences.append(candidate.strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]


def _ends_with_list_number(candidate: str) -> bool:
    """'... gồm: 1. Nâng cao' must not split after '1.'."""
    return bool(re.search(r"(?:^|\s)\d{1,2}\.$", candidate.rstrip()))


def split_clauses(sentence: str) -> list[str]:
    """A long sentence cut after each ';' (kept on the clause it ends)."""
    parts = re.split(r"(?<=;)\s+", sentence)
    return [p for p in parts if p.strip()]


def truncate_words(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary, with '…' when cut."""
    text = squash_spaces(text)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:–- ")
    return cut + "…"
