"""Put the diacritics back on an unaccented question, using the corpus's own words.

"ho ngheo duoc ho tro gi" -> "hộ nghèo được hỗ trợ gì". BM25 already matches folded text;
this is for the dense model, which reads unaccented Vietnamese poorly (Recall@5 fell from
0.82 to 0.45 on the dev questions typed without accents). A syllable-bigram model counted
on the corpus picks, per syllable, the accented form that best fits its neighbours
(Viterbi); syllables the corpus never uses stay as typed.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from .core import fold

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_CANDIDATES = 6


@dataclass
class AccentRestorer:
    forms: dict[str, list[tuple[str, int]]]  # folded syllable -> accented forms with counts, most frequent first
    pairs: dict[str, int]  # "accented accented" -> count

    @classmethod
    def build(cls, texts: list[str]) -> "AccentRestorer":
        unigrams: Counter[str] = Counter()
        bigrams: Counter[str] = Counter()
        for text in texts:
            for line in text.split("\n"):
                words = _WORD.findall(line.lower())
                unigrams.update(words)
                bigrams.update(f"{a} {b}" for a, b in zip(words, words[1:]))
        forms: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for word, count in unigrams.items():
            forms[fold(word)].append((word, count))
        ordered = {k: sorted(v, key=lambda wc: (-wc[1], wc[0]))[:_CANDIDATES] for k, v in sorted(forms.items())}
        return cls(ordered, dict(sorted(bigrams.items())))

    def restore(self, text: str) -> str:
        """The accented reading of ``text``; text that already has diacritics is returned as is."""
        if fold(text) != text.lower():
            return text
        tokens = _WORD.findall(text.lower())
        if not tokens:
            return text
        lattice = [[w for w, _ in self.forms.get(t, [])] or [t] for t in tokens]
        counts = [{w: c for w, c in self.forms.get(t, [])} for t in tokens]
        # best[i][form] = (score, previous form)
        best: list[dict[str, tuple[float, str | None]]] = [{w: (math.log1p(counts[0].get(w, 0)), None) for w in lattice[0]}]
        for i in range(1, len(tokens)):
            column: dict[str, tuple[float, str | None]] = {}
            for w in lattice[i]:
                emit = math.log1p(counts[i].get(w, 0))
                column[w] = max(
                    ((score + 2.0 * math.log1p(self.pairs.get(f"{p} {w}", 0)) + emit, p) for p, (score, _) in best[-1].items()),
                    key=lambda sp: sp[0],
                )
            best.append(column)
        form = max(best[-1], key=lambda w: best[-1][w][0])
        restored = [form]
        for i in range(len(tokens) - 1, 0, -1):
            form = best[i][form][1]
            restored.append(form)
        restored.reverse()
        # substitute word by word so digits and punctuation stay where they were
        words = iter(restored)
        return _WORD.sub(lambda m: next(words), text.lower())

    def save(self, directory: Path) -> None:
        (directory / "accents.json").write_text(json.dumps({"forms": self.forms, "pairs": self.pairs}, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "AccentRestorer":
        data = json.loads((directory / "accents.json").read_text(encoding="utf-8"))
        return cls({k: [tuple(x) for x in v] for k, v in data["forms"].items()}, data["pairs"])
