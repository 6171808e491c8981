"""General Vietnamese words, for reading what a citizen types without diacritics.

The corpus knows how policy documents write ("hộ nghèo", "vay vốn") but not how people talk
("bà con", "bao nhiêu", "làm ăn", "khá giả"): restored from the corpus alone, "ba con dan
toc" became "ba còn dân tộc" and "bn" → "bảo nhiều". underthesea (already the project's
segmenter) ships Viet74K, a list of 74,000 Vietnamese words and names; its multi-syllable
entries say which syllables go together, and how many entries use a syllable stands in for
how common it is ("gì" is in 73 entries, "gí" in 3), since the list has no frequencies.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from vi_textmatch.normalize import normalize_tone

from .core import fold

_CANDIDATES = 6


@dataclass(frozen=True)
class Lexicon:
    forms: dict[str, tuple[tuple[str, int], ...]]  # folded syllable -> accented forms, most used first
    pairs: frozenset[str]  # "accented accented": adjacent syllables of one word

    @classmethod
    def of_words(cls, words: list[str]) -> "Lexicon":
        split = [[p for p in word.lower().split() if p.isalpha()] for word in words]
        # one tone placement ("hoà" → "hòa"), as the chat reader writes; once per distinct syllable
        placed = {p: normalize_tone(p) for p in {p for parts in split for p in parts}}
        uses: Counter[str] = Counter()
        pairs: set[str] = set()
        for parts in split:
            parts = [placed[p] for p in parts]
            uses.update(parts)
            pairs.update(f"{a} {b}" for a, b in zip(parts, parts[1:]))
        forms: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for syllable, count in uses.items():
            forms[fold(syllable)].append((syllable, count))
        ordered = {k: tuple(sorted(v, key=lambda sc: (-sc[1], sc[0]))[:_CANDIDATES]) for k, v in forms.items()}
        return cls(ordered, frozenset(pairs))


@lru_cache(maxsize=1)
def general_lexicon() -> Lexicon:
    """Viet74K from the installed underthesea (no network: the file is in its wheel)."""
    spec = find_spec("underthesea")  # located, not imported: importing it costs seconds
    if spec is None or not spec.submodule_search_locations:
        return Lexicon({}, frozenset())
    path = Path(spec.submodule_search_locations[0]) / "corpus" / "data" / "Viet74K.txt"
    if not path.is_file():
        return Lexicon({}, frozenset())
    return Lexicon.of_words(path.read_text(encoding="utf-8").splitlines())
