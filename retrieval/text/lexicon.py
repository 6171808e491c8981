"""General Vietnamese, for reading what a citizen types without diacritics.

The corpus knows how policy documents write ("hộ nghèo", "vay vốn") but not how people talk
("bà con", "bao nhiêu", "làm ăn", "ở đâu"): restored from the corpus alone, "ba con dan toc"
became "ba còn dân tộc" and "bn" → "bảo nhiều". Two kept packages fill that in:

- which syllables go together: the multi-syllable entries of Viet74K, the 74,000-word list
  shipped inside underthesea (already the project's segmenter), plus the interrogatives below;
- how common each syllable is: ``wordfreq``'s Vietnamese frequencies (10,700 syllables, from
  web text, subtitles and Wikipedia; its data is CC-BY-SA 4.0 and is only read at build time).

Both are read when an index is built and saved with it (accents.json): serving reads neither.
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
# Vietnamese interrogatives, a closed class of the grammar: every question has one, yet few
# are entries of a word list ("ở đậu", lodging, is one; "ở đâu" is not), so without them
# "o dau" read "ở đậu".
INTERROGATIVES = (
    "ở đâu", "đi đâu", "chỗ nào", "nơi nào", "cái gì", "là gì", "làm gì", "vì sao", "tại sao", "làm sao",
    "ra sao", "thế nào", "như thế", "bao nhiêu", "bao lâu", "bao giờ", "khi nào", "lúc nào", "những ai",
    "có không", "được không", "phải không", "hay không",
)
# A syllable of the word list that wordfreq does not count weighs as this many per million.
_UNCOUNTED_PER_MILLION = 0.05


@dataclass(frozen=True)
class Lexicon:
    forms: dict[str, tuple[tuple[str, float], ...]]  # folded syllable -> accented forms, per million, commonest first
    pairs: frozenset[str]  # "accented accented": adjacent syllables of one word
    entries: dict[str, int]  # accented syllable -> how many multi-syllable words use it

    @classmethod
    def of_words(cls, words: list[str], per_million: dict[str, float] | None = None) -> "Lexicon":
        """``words``: a word list; ``per_million``: how common syllables are (without it,
        each syllable weighs as the number of words that use it)."""
        split = [[p for p in word.lower().split() if p.isalpha()] for word in words]
        # one tone placement ("hoà" → "hòa"), as the chat reader writes; once per distinct syllable
        placed = {p: normalize_tone(p) for p in {p for parts in split for p in parts} | set(per_million or {})}
        entries: Counter[str] = Counter()
        pairs: set[str] = set()
        for parts in split:
            parts = [placed[p] for p in parts]
            if len(parts) > 1:
                entries.update(parts)
                pairs.update(f"{a} {b}" for a, b in zip(parts, parts[1:]))
        weights: dict[str, float] = defaultdict(float)
        if per_million is None:
            for parts in split:
                for p in parts:
                    weights[placed[p]] += 1
        else:
            for syllable, frequency in per_million.items():
                weights[placed[syllable]] += frequency
            for parts in split:
                for p in parts:
                    weights.setdefault(placed[p], _UNCOUNTED_PER_MILLION)
        forms: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for syllable, weight in weights.items():
            forms[fold(syllable)].append((syllable, weight))
        ordered = {k: tuple(sorted(v, key=lambda sw: (-sw[1], sw[0]))[:_CANDIDATES]) for k, v in forms.items()}
        return cls(ordered, frozenset(pairs), dict(entries))

    @classmethod
    def empty(cls) -> "Lexicon":
        return cls({}, frozenset(), {})


def _word_list() -> list[str]:
    """Viet74K from the installed underthesea; a missing file is an install to repair, not a
    reason to build an index that reads unaccented questions worse without saying so."""
    spec = find_spec("underthesea")  # located, not imported: importing it costs seconds
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("underthesea is not installed: bash scripts/setup.sh")
    path = Path(spec.submodule_search_locations[0]) / "corpus" / "data" / "Viet74K.txt"
    return path.read_text(encoding="utf-8").splitlines()


def _frequencies() -> dict[str, float]:
    from wordfreq import get_frequency_dict  # read at build time only

    return {w: f * 1e6 for w, f in get_frequency_dict("vi").items() if w.isalpha() and " " not in w}


@lru_cache(maxsize=1)
def general_lexicon() -> Lexicon:
    """Viet74K's words and the interrogatives, weighed by wordfreq (no network: both packages
    carry their data)."""
    return Lexicon.of_words(_word_list() + list(INTERROGATIVES), _frequencies())
