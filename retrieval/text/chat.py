"""Chat language read as the documents would spell it.

"ba con minh ban nong san tren mang dc ko ad" and "Ninh Thuận giảm ngèo chậm…" are questions,
not noise. Before anything searches or weighs evidence, a question is read:

1. amounts, ID numbers, dates and document codes (any token with a digit: "1.500.000đ",
   "2,2", "079203001234", "19-CT/TU") are left exactly as typed;
2. chat abbreviations are expanded ("dc" → "được", "ko" → "không", "ntn" → "như thế nào") from
   the dictionaries of the ``iftc`` package (MIT), whole words only, without its entries for
   shop and accounting talk that clash with this domain, plus a few common forms it lacks;
3. tone marks are placed one way ("hoà" → "hòa", ``vi-textmatch``);
4. a word that is no Vietnamese syllable ("ngèo", "sácg", "khôg") is corrected at edit
   distance 1 with ``symspellpy`` over the syllables of ``iftc`` and of the corpus, the
   candidate chosen by how the corpus uses it beside its neighbours;
5. a hỏi/ngã confusion between two real syllables ("hổ trợ" → "hỗ trợ", "Quảng Ngải") is
   corrected only when the corpus never writes the typed pair and often writes the other.

Unaccented questions stay unaccented (expansions are folded), so the corpus-trained accent
restorer (accents.py) still reads them whole afterwards.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from symspellpy import SymSpell, Verbosity
from vi_textmatch.normalize import normalize_tone

from .core import fold

# Any token holding a digit is an amount, an ID, a date, a code or a count: never rewritten.
_SPAN = re.compile(r"(?P<protected>\S*\d\S*)|(?P<word>[^\W\d_]+)", re.UNICODE)

# iftc entries not used here: its dictionaries come from shop and accounting chats, where
# "ct" is "chứng từ", "tk" "tài khoản", "ts" "tài sản"; in poverty-policy questions those
# letters mean other things (CT in "19-CT/TU", TN = thanh niên) or nothing.
_IFTC_NOT_HERE = frozenset(
    "ct ctu bc ht ts tk tkhoan stk km kmai nk dl pp pb pm ck chk ckhoan nt tn tl trl tloi sd ncc nvl mst cqt bctc "
    "tscd tscđ cktm vthh unc nvk qhns tndn thcp tbss tncn hdon cpmh psinh ctbh hkd hhdv ccdc cptt pmkt ktt kmcp mtt cks gtgt "
    "hddt hđđt ghtk ctkm sg sgon saigon hn hanoi hnoi hcm tphcm mobile phone app apps ketoan ktoan sp spham ac dx đx coa cos".split()
)

# Common chat forms iftc 1.2.6 lacks (single words; general usage in Vietnamese messaging,
# listed in the issue "Answer citizens in their own words"). "k" alone is "không" (a
# thousand is "800k", a protected token); "bn" alone is "bao nhiêu" ("bn ơi" = "bạn ơi" is
# one of iftc's pairs and wins).
_EXTRA_ABBREVIATIONS = {
    "k": "không", "kh": "không", "khum": "không", "hem": "không",
    "bn": "bao nhiêu", "bnhieu": "bao nhiêu", "nhiu": "nhiêu",
    "e": "em", "r": "rồi", "ms": "mới", "mn": "mọi người", "mng": "mọi người",
    "cx": "cũng", "cg": "cũng", "bik": "biết", "bít": "biết", "ns": "nói",
    "dzậy": "vậy", "dzay": "vậy", "zậy": "vậy", "hc": "học", "đh": "đại học",
}

_FOREIGN_LETTERS = re.compile(r"[fjwz]", re.IGNORECASE)  # not in the Vietnamese alphabet
# hỏi (ả) and ngã (ã) marks per vowel: the confusion most spelling errors of Vietnamese are
_HOI_NGA = {
    "ả": "ã", "ã": "ả", "ẳ": "ẵ", "ẵ": "ẳ", "ẩ": "ẫ", "ẫ": "ẩ", "ẻ": "ẽ", "ẽ": "ẻ", "ể": "ễ", "ễ": "ể",
    "ỉ": "ĩ", "ĩ": "ỉ", "ỏ": "õ", "õ": "ỏ", "ổ": "ỗ", "ỗ": "ổ", "ở": "ỡ", "ỡ": "ở", "ủ": "ũ", "ũ": "ủ",
    "ử": "ữ", "ữ": "ử", "ỷ": "ỹ", "ỹ": "ỷ",
}


@dataclass
class _Piece:
    """A word or a protected token of the question, with the text before it."""

    kind: str  # "word" | "protected"
    text: str
    before: str
    expanded: bool = False


@dataclass(frozen=True)
class Reading:
    """A question as the documents would spell it, and what was changed to get there."""

    typed: str
    text: str
    changes: tuple[tuple[str, str], ...] = ()  # (as typed, as read)


@lru_cache(maxsize=1)
def _iftc_dictionaries() -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """iftc's acronym pairs and words, and its list of Vietnamese syllables."""
    from iftc import (
        ift_config,  # only the paths; iftc's own matcher replaces substrings
    )

    def entries(path: str) -> dict[str, str]:
        table: dict[str, str] = {}
        for entry in json.loads(open(path, encoding="utf-8").read()):
            for instance in entry["Instances"]:
                instance = instance.strip().lower()
                if instance and not any(part in _IFTC_NOT_HERE for part in instance.split()):
                    table.setdefault(instance, entry["Origin"])
        return table

    pairs = {k: v for k, v in entries(ift_config.bi_acronyms_path).items() if len(k.split()) == 2}
    words = {k: v for k, v in entries(ift_config.uni_acronyms_path).items() if " " not in k}
    syllables = frozenset(normalize_tone(e["Origin"].lower()) for e in json.loads(open(ift_config.vn_syl_path, encoding="utf-8").read()))
    return pairs, words, syllables


class ChatReader:
    """Reads chat questions with the corpus's own words (counts and neighbours)."""

    def __init__(self, forms: dict[str, list[tuple[str, int]]], pairs: dict[str, int], names: frozenset[str] = frozenset()) -> None:
        """``forms``: folded syllable -> accented forms with corpus counts; ``pairs``: accented
        'a b' -> corpus count (both from the accent restorer of the index); ``names``: folded
        syllables of place names ('kon', 'tum'), never 'corrected'."""
        self.names = names
        self.pair_abbreviations, iftc_words, iftc_syllables = _iftc_dictionaries()
        self.word_abbreviations = {**_EXTRA_ABBREVIATIONS, **iftc_words}
        self.pairs = pairs
        self.folded_pairs: dict[str, int] = {}
        for pair, count in pairs.items():
            key = fold(pair)
            self.folded_pairs[key] = self.folded_pairs.get(key, 0) + count
        self.counts: dict[str, int] = {normalize_tone(w): c for options in forms.values() for w, c in options}
        self.known = frozenset(self.counts) | iftc_syllables | {normalize_tone(v) for v in self.word_abbreviations.values() if " " not in v}
        self.known_folded = frozenset(fold(w) for w in self.known)
        self.forms = {k: [(normalize_tone(w), c) for w, c in v] for k, v in forms.items()}
        self._accented = SymSpell(max_dictionary_edit_distance=1, prefix_length=7)
        self._folded = SymSpell(max_dictionary_edit_distance=1, prefix_length=7)
        folded_counts: dict[str, int] = {}
        for word in self.known:
            count = self.counts.get(word, 0) + 1
            self._accented.create_dictionary_entry(word, count)
            folded_counts[fold(word)] = folded_counts.get(fold(word), 0) + count
        for word, count in folded_counts.items():
            self._folded.create_dictionary_entry(word, count)

    def read(self, text: str) -> Reading:
        unaccented = fold(text) == text.lower()
        pieces: list[_Piece] = []
        last = 0
        for match in _SPAN.finditer(text):
            pieces.append(_Piece("protected" if match.group("protected") else "word", match.group(0), text[last : match.start()]))
            last = match.end()
        changes: list[tuple[str, str]] = []
        self._expand(pieces, unaccented, changes)
        words = [p for p in pieces if p.kind == "word"]
        for n, piece in enumerate(words):
            if piece.expanded:
                continue
            typed = piece.text
            piece.text = normalize_tone(typed)
            before = words[n - 1].text.lower() if n > 0 and not piece.before.strip() else ""
            after = words[n + 1].text.lower() if n + 1 < len(words) and not words[n + 1].before.strip() else ""
            corrected = self._correct(piece.text, unaccented, before, after)
            if corrected != piece.text:
                changes.append((typed, corrected))
                piece.text = corrected
        self._hoi_nga(words, changes)
        return Reading(text, "".join(p.before + p.text for p in pieces) + text[last:], tuple(changes))

    # -- steps ------------------------------------------------------------------------
    def _expand(self, pieces: list[_Piece], unaccented: bool, changes: list[tuple[str, str]]) -> None:
        def out(expansion: str) -> str:
            return fold(expansion) if unaccented else expansion

        i = 0
        while i < len(pieces):
            piece = pieces[i]
            if piece.kind != "word" or (piece.text.isupper() and len(piece.text) > 1):  # BHYT, UBND: the documents' own abbreviations
                i += 1
                continue
            nxt = pieces[i + 1] if i + 1 < len(pieces) else None
            if nxt is not None and nxt.kind == "word" and not nxt.before.strip():
                pair = f"{piece.text.lower()} {nxt.text.lower()}"
                if pair in self.pair_abbreviations and fold(self.pair_abbreviations[pair]) != fold(pair):
                    expansion = out(self.pair_abbreviations[pair])
                    changes.append((f"{piece.text} {nxt.text}", expansion))
                    pieces[i] = _Piece("word", expansion, piece.before, expanded=True)
                    del pieces[i + 1]
                    i += 1
                    continue
            lower = piece.text.lower()
            if lower in self.word_abbreviations and lower not in self.counts and fold(self.word_abbreviations[lower]) != fold(lower):
                expansion = out(self.word_abbreviations[lower])
                changes.append((piece.text, expansion))
                pieces[i] = _Piece("word", expansion, piece.before, expanded=True)
            i += 1

    def _is_word(self, lower: str, unaccented: bool) -> bool:
        """A Vietnamese syllable ('tui', 'nghèo'); for unaccented typing, the folded form of one."""
        return lower in self.known or (unaccented and lower in self.known_folded)

    def _correct(self, word: str, unaccented: bool, before: str, after: str) -> str:
        lower = word.lower()
        if len(lower) < 3 or _FOREIGN_LETTERS.search(lower) or self._is_word(lower, unaccented) or word[:1].isupper() or fold(lower) in self.names:
            return word  # a capitalized word is a name ('Kon Tum', 'Đắk Nông'): names are not spelt by a dictionary
        speller = self._folded if unaccented else self._accented
        options = speller.lookup(lower, Verbosity.ALL, max_edit_distance=1)
        if not options:
            return word

        def fit(term: str) -> float:
            # how the corpus uses the candidate beside the typed neighbours (folded when unaccented)
            context = 0
            for left, right in ((before, term), (term, after)):
                if left and right:
                    context += self._pair_count(left, right, unaccented)
            return 2.0 * math.log1p(context) + math.log1p(self._count(term, unaccented))

        corrected = max(options, key=lambda s: (-s.distance, fit(s.term), s.term)).term
        return corrected

    def _count(self, term: str, unaccented: bool) -> int:
        if not unaccented:
            return self.counts.get(term, 0)
        return sum(c for _, c in self.forms.get(term, []))

    def _pair_count(self, left: str, right: str, unaccented: bool) -> int:
        if not unaccented:
            return self.pairs.get(f"{left} {right}", 0)
        return self.folded_pairs.get(f"{fold(left)} {fold(right)}", 0)

    def _hoi_nga(self, words: list[_Piece], changes: list[tuple[str, str]]) -> None:
        for n, piece in enumerate(words):
            lower = piece.text.lower()
            swapped = "".join(_HOI_NGA.get(ch, ch) for ch in lower)
            if swapped == lower or swapped not in self.counts:
                continue
            sides = []
            if n > 0 and not piece.before.strip():
                sides.append((words[n - 1].text.lower(), None))
            if n + 1 < len(words) and not words[n + 1].before.strip():
                sides.append((None, words[n + 1].text.lower()))
            if not sides:
                continue
            typed = sum(self.pairs.get(f"{a} {lower}" if a else f"{lower} {b}", 0) for a, b in sides)
            other = sum(self.pairs.get(f"{a} {swapped}" if a else f"{swapped} {b}", 0) for a, b in sides)
            if typed == 0 and other >= 2:
                fixed = swapped[:1].upper() + swapped[1:] if piece.text[:1].isupper() else swapped
                changes.append((piece.text, fixed))
                piece.text = fixed
