"""How much of a question a passage covers, counted on the question's informative words.

The informative words are what is left of the question once it is read (query.py): chat
words, pronouns and particles are function words (text.STOPWORDS); places are checked on
their own (places.py), not as words a clause must repeat; a citizen's phrase found in the
vocabulary counts as present when the passage holds it or the documents' words for it.
Each word weighs by its rarity in the corpus (BM25 IDF); a word the corpus never uses weighs
``unknown_word_weight`` of the rarest: a topic the documents never name is what "not covered"
means, but citizens also use everyday words ("chán", "quen") no policy text would.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..index.lexical import BM25Index
from ..search.query import Query
from ..text.core import (
    _TOKEN,
    content_syllables,
    fold,
    query_pairs,
    syllable_pairs,
    syllables,
)


@dataclass(frozen=True)
class Concept:
    """A vocabulary phrase: present if any of its spellings is (citizen's or documents')."""

    spellings: tuple[tuple[str, ...], ...]  # folded syllables of each spelling
    weight: float

    def present(self, passage_words: str) -> bool:
        return any(f" {' '.join(s)} " in passage_words for s in self.spellings if s)


@dataclass(frozen=True)
class QueryUnits:
    """The informative parts of a question, weighted by rarity in the corpus."""

    single: dict[str, float]
    pairs: dict[str, float]
    concepts: tuple[Concept, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.single and not self.concepts

    def coverage(self, syllable_set: set[str], pair_set: set[str], passage_words: str | None = None) -> float:
        """Share of the weights found: single words and phrases, and adjacent pairs, averaged.
        ``passage_words``: the passage's folded syllables joined by spaces (for phrases)."""
        parts = []
        total = sum(self.single.values()) + sum(c.weight for c in self.concepts)
        if total:
            found = sum(w for u, w in self.single.items() if u in syllable_set)
            if self.concepts:
                words = passage_words if passage_words is not None else " " + " ".join(sorted(syllable_set)) + " "
                found += sum(c.weight for c in self.concepts if c.present(words))
            parts.append(found / total)
        pair_total = sum(self.pairs.values())
        if pair_total:
            parts.append(sum(w for u, w in self.pairs.items() if u in pair_set) / pair_total)
        return sum(parts) / len(parts) if parts else 0.0

    def coverage_of(self, text: str) -> float:
        tokens = syllables(text)
        return self.coverage(set(tokens), syllable_pairs(text), " " + " ".join(tokens) + " ")


def informative_text(query: Query) -> str:
    """The accented question without the words of its places and vocabulary phrases (those
    are weighed as places and as phrases)."""
    consumed: Counter[str] = Counter()
    for mention in query.places.mentions + query.places.context:
        consumed.update(syllables(mention.text))
    for match in query.expansions:
        consumed.update(syllables(match.typed))
    last = 0
    out = []
    for token in _TOKEN.finditer(query.accented):
        folded = fold(token.group(0))
        out.append(query.accented[last : token.start()])
        if consumed[folded] > 0:
            consumed[folded] -= 1
            out.append(" ")
        else:
            out.append(token.group(0))
        last = token.end()
    out.append(query.accented[last:])
    return re.sub(r"[ \t]+", " ", "".join(out)).strip()


def query_units(query: Query, bm25: BM25Index, unknown_word_weight: float = 1.0) -> QueryUnits:
    text = informative_text(query)
    typed_unaccented = fold(query.text) == query.text.lower()
    unknown = bm25.max_idf() * unknown_word_weight

    def weight(s: str) -> float:
        return bm25.idf_of(s) if s in bm25.vocabulary else unknown

    single = {s: weight(s) for s in content_syllables(text, typed_unaccented)}
    # a pair weighs as its rarer syllable: pairs of common words matter less
    pairs = {}
    for pair in query_pairs(text, typed_unaccented):
        first, second = pair.split("_", 1)
        pairs[pair] = max(single.get(first, 0.0), single.get(second, 0.0))
    concepts = []
    for match in query.expansions:
        spellings = tuple(tuple(syllables(p)) for p in (match.typed, *match.means))
        document_words = [s for p in match.means[:1] for s in syllables(p)]
        concepts.append(Concept(spellings, sum(weight(s) for s in document_words) / max(1, len(document_words))))
    return QueryUnits(single, pairs, tuple(concepts))
