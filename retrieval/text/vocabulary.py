"""Citizens' words → the documents' words, kept as data a cadre can extend.

"bán trên mạng" is what the documents call "thương mại điện tử"; "vay tiền" is "vay vốn",
"tín dụng chính sách"; "BHYT" is "bảo hiểm y tế" and back. The table lives in
``retrieval/data/vocabulary.toml`` (or ``[vocabulary] file``); search adds the documents'
words to the question (BM25 and the dense query), and the evidence check counts a citizen's
phrase as present when the passage holds its document equivalent.

Matching is on whole words: accented as typed (after tone placement), or folded when the
question is typed without diacritics, so "ban tren mang" matches too.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from vi_textmatch.normalize import normalize_tone

from ..errors import VocabularyError
from .core import fold

DEFAULT_VOCABULARY = Path(__file__).resolve().parents[1] / "data" / "vocabulary.toml"
_WORD = re.compile(r"[^\W_]+(?:[-/][^\W_]+)*", re.UNICODE)
MAX_PHRASE_WORDS = 8
MAX_GAP = 2


@dataclass(frozen=True)
class Entry:
    say: tuple[str, ...]  # how people say it
    means: tuple[str, ...]  # how the documents say it
    source: str  # where the equivalence comes from
    two_way: bool = False  # abbreviations: each side finds the other


@dataclass(frozen=True)
class Match:
    """A phrase of the question found in the vocabulary."""

    typed: str  # the question's words, as typed
    positions: tuple[int, ...]  # word positions in ``words(text)``
    means: tuple[str, ...]  # the documents' words for it

    @property
    def start(self) -> int:
        return self.positions[0]


def words(text: str) -> list[str]:
    """Lower-case words of a text, tone marks placed one way ('Hoà' -> 'hòa')."""
    return [normalize_tone(w.lower()) for w in _WORD.findall(text)]


def _key(phrase: str, folded: bool) -> tuple[str, ...]:
    tokens = words(phrase)
    return tuple(fold(t) for t in tokens) if folded else tuple(tokens)


class Vocabulary:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        # phrase -> what it means, accented and folded; an abbreviation's two sides both ways
        self._accented: dict[tuple[str, ...], list[str]] = {}
        self._folded: dict[tuple[str, ...], list[str]] = {}
        for entry in entries:
            sides = [(entry.say, entry.means)] + ([(entry.means, entry.say)] if entry.two_way else [])
            for phrases, meanings in sides:
                for phrase in phrases:
                    for table, folded in ((self._accented, False), (self._folded, True)):
                        targets = table.setdefault(_key(phrase, folded), [])
                        targets.extend(m for m in meanings if m not in targets)
        self.longest = max((len(k) for k in self._accented), default=1)
        # a phrase can start only at a word some phrase starts with: most positions are skipped
        self._starts = frozenset(k[0] for k in self._folded)

    @classmethod
    def load(cls, path: Path | None = None) -> "Vocabulary":
        return _load(Path(path) if path else DEFAULT_VOCABULARY)

    def find(self, text: str) -> list[Match]:
        """The vocabulary phrases in ``text``, longest first, each word used once. A phrase of
        three words or more may have up to ``MAX_GAP`` words after its first one ("bán nông
        sản trên mạng" is "bán … trên mạng"): Vietnamese puts the object there."""
        typed = _WORD.findall(text)
        tokens = words(text)
        folded_tokens = [fold(t) for t in tokens]
        used = [False] * len(tokens)
        found: list[Match] = []
        for size in range(min(self.longest, len(tokens)), 0, -1):
            for gap in range(0, MAX_GAP + 1 if size >= 3 else 1):
                for i in range(len(tokens) - size - gap + 1):
                    if folded_tokens[i] not in self._starts:
                        continue
                    positions = (i, *range(i + 1 + gap, i + size + gap))
                    if any(used[j] for j in positions):
                        continue
                    span = tuple(tokens[j] for j in positions)
                    folded = tuple(folded_tokens[j] for j in positions)
                    unaccented = span == folded
                    means = self._folded.get(folded) if unaccented else self._accented.get(span)
                    if not means:
                        continue
                    found.append(Match(" ".join(typed[j] for j in positions), positions, tuple(means)))
                    for j in positions:
                        used[j] = True
        found.sort(key=lambda m: m.start)
        return found


@lru_cache(maxsize=8)
def _load(path: Path) -> Vocabulary:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise VocabularyError(f"Không tìm thấy tệp từ vựng {path}") from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise VocabularyError(f"Tệp từ vựng {path} không đúng cú pháp TOML: {exc}") from exc
    return Vocabulary(parse_entries(data, str(path)))


def parse_entries(data: dict, where: str = "tệp từ vựng") -> list[Entry]:
    """Validate the TOML tables ``[[words]]`` (say → means) and ``[[abbreviations]]``
    (short ↔ full); every error names the table, the entry and the field, in Vietnamese."""
    unknown = set(data) - {"words", "abbreviations"}
    if unknown:
        raise VocabularyError(f"{where}: bảng lạ {sorted(unknown)} (chỉ có [[words]] và [[abbreviations]])")
    entries: list[Entry] = []
    seen: dict[tuple[str, ...], str] = {}
    for table, fields, two_way in (("words", ("say", "means"), False), ("abbreviations", ("short", "full"), True)):
        rows = data.get(table, [])
        if not isinstance(rows, list):
            raise VocabularyError(f"{where}: [[{table}]] phải là danh sách các mục")
        for n, row in enumerate(rows, start=1):
            at = f"{where}: [[{table}]] mục thứ {n}"
            if not isinstance(row, dict):
                raise VocabularyError(f"{at} không phải một bảng TOML")
            extra = set(row) - {*fields, "source"}
            if extra:
                raise VocabularyError(f"{at}: trường lạ {sorted(extra)} (chỉ có {', '.join(fields)}, source)")
            values = []
            for name in fields:
                raw = row.get(name)
                if isinstance(raw, str):
                    raw = [raw]
                if not isinstance(raw, list) or not raw or not all(isinstance(x, str) and x.strip() for x in raw):
                    raise VocabularyError(f"{at}: '{name}' phải là một cụm từ hoặc danh sách cụm từ, không để trống")
                for phrase in raw:
                    size = len(words(phrase))
                    if size == 0 or size > MAX_PHRASE_WORDS:
                        raise VocabularyError(f"{at}: cụm “{phrase}” phải có từ 1 đến {MAX_PHRASE_WORDS} tiếng")
                values.append(tuple(x.strip() for x in raw))
            source = row.get("source")
            if not isinstance(source, str) or not source.strip():
                raise VocabularyError(f"{at}: thiếu 'source' (nguồn của cách nói này)")
            for phrase in values[0]:
                key = _key(phrase, False)
                if key in seen and seen[key] != at and not two_way:
                    raise VocabularyError(f"{at}: cụm “{phrase}” đã có ở {seen[key]}")
                seen[key] = at
            entries.append(Entry(values[0], values[1], source.strip(), two_way))
    return entries
