"""Put the diacritics back on an unaccented question, using the corpus's own words.

"ho ngheo duoc ho tro gi" -> "hộ nghèo được hỗ trợ gì". BM25 already matches folded text;
this is for the dense model, which reads unaccented Vietnamese poorly (Recall@5 fell from
0.82 to 0.45 on the dev questions typed without accents). A syllable-bigram model counted
on the corpus picks, per syllable, the accented form that best fits its neighbours
(Viterbi). The corpus speaks as policy documents do, so a lexicon of general Vietnamese
(lexicon.py) adds the words people use in a chat ("bà con", "bao nhiêu", "làm ăn"): its
forms are candidates too, and each step's probability mixes the corpus's bigram model with
the lexicon's, half each. Syllables neither knows stay as typed.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .core import fold
from .lexicon import Lexicon

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_CANDIDATES = 6
# The corpus's model and the lexicon's weigh half each: the documents are what a question is
# searched in, the lexicon is how people talk. Each bigram is smoothed toward its unigram
# with the weight of 5 uses of the previous syllable. Chosen by reading what the unaccented
# dev questions became (0.7 kept the documents' "thị", "lộ", "miền" for "thì", "lo", "miễn"),
# then checked on the eval (docs/benchmarks.md).
_CORPUS_SHARE = 0.5
_SMOOTHING = 5.0


@dataclass
class AccentRestorer:
    forms: dict[str, list[tuple[str, int]]]  # folded syllable -> accented forms with counts, most frequent first
    pairs: dict[str, int]  # "accented accented" -> count
    lexicon: Lexicon = field(default_factory=Lexicon.empty)
    _unigrams: tuple[dict[str, float], dict[str, float], float, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        corpus = {w: float(c) for forms in self.forms.values() for w, c in forms}
        lexicon = {w: float(c) for forms in self.lexicon.forms.values() for w, c in forms}
        # add-0.1 over every syllable either knows: an unseen one gets little, however small the corpus
        unseen = 0.1 * len(corpus.keys() | lexicon.keys())
        self._unigrams = (corpus, lexicon, sum(corpus.values()) + unseen, sum(lexicon.values()) + unseen)

    @classmethod
    def build(cls, texts: list[str], lexicon: Lexicon | None = None) -> "AccentRestorer":
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
        return cls(ordered, dict(sorted(bigrams.items())), lexicon or Lexicon.empty())

    def restore(self, text: str) -> str:
        """The accented reading of ``text``; text that already has diacritics is returned as is."""
        if fold(text) != text.lower():
            return text
        lowered = text.lower()
        matches = list(_WORD.finditer(lowered))
        if not matches:
            return text
        tokens = [m.group(0) for m in matches]
        # a comma, a figure or a bracket between two words breaks the phrase: the second starts afresh
        fresh = [True] + [not lowered[a.end() : b.start()].isspace() for a, b in zip(matches, matches[1:])]
        candidates = [self._candidates(t) for t in tokens]
        # best[i][form] = (log-probability, previous form)
        best: list[dict[str, tuple[float, str | None]]] = [{w: (math.log(self._probability(None, w)), None) for w in candidates[0]}]
        for i in range(1, len(tokens)):
            column: dict[str, tuple[float, str | None]] = {}
            for w in candidates[i]:
                column[w] = max(
                    ((score + math.log(self._probability(None if fresh[i] else p, w)), p) for p, (score, _) in best[-1].items()),
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
        return _WORD.sub(lambda m: next(words), lowered)

    def _candidates(self, token: str) -> list[str]:
        """The accented forms a syllable typed without accents may stand for; a syllable
        neither the corpus nor the lexicon knows stays as typed."""
        forms = [w for w, _ in self.forms.get(token, [])] + [w for w, _ in self.lexicon.forms.get(token, ())]
        return list(dict.fromkeys(forms)) or [token]

    def _probability(self, previous: str | None, word: str) -> float:
        """P(word | previous): the corpus's bigram model and the lexicon's, each smoothed
        toward its own unigrams, mixed. Two models rather than pooled counts: the lexicon's
        counts are tiny beside the corpus's, and pooled they made every rare lexicon pair
        ("đông dược") outweigh what the documents write ("động được")."""
        corpus, lexicon, corpus_total, lexicon_total = self._unigrams
        p_corpus = (corpus.get(word, 0) + 0.1) / corpus_total
        p_lexicon = (lexicon.get(word, 0) + 0.1) / lexicon_total
        if previous is not None:
            pair = f"{previous} {word}"
            p_corpus = (self.pairs.get(pair, 0) + _SMOOTHING * p_corpus) / (corpus.get(previous, 0) + _SMOOTHING)
            p_lexicon = ((pair in self.lexicon.pairs) + _SMOOTHING * p_lexicon) / (self.lexicon.entries.get(previous, 0) + _SMOOTHING)
        return _CORPUS_SHARE * p_corpus + (1 - _CORPUS_SHARE) * p_lexicon

    def save(self, directory: Path) -> None:
        lexicon = {"forms": self.lexicon.forms, "pairs": sorted(self.lexicon.pairs), "entries": self.lexicon.entries}
        data = {"forms": self.forms, "pairs": self.pairs, "lexicon": lexicon}
        (directory / "accents.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "AccentRestorer":
        data = json.loads((directory / "accents.json").read_text(encoding="utf-8"))
        lexicon = data.get("lexicon") or {"forms": {}, "pairs": [], "entries": {}}  # builds before the lexicon have none
        return cls(
            {k: [tuple(x) for x in v] for k, v in data["forms"].items()},
            data["pairs"],
            Lexicon({k: tuple(tuple(x) for x in v) for k, v in lexicon["forms"].items()}, frozenset(lexicon["pairs"]), lexicon.get("entries", {})),
        )
