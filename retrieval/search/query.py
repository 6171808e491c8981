"""A question, read: chat language, the documents' words, places, and the conversation.

Search and the answer step both start from a ``Query`` so that what is searched and what is
weighed as evidence are the same reading of the question:

- ``text``: the question as the documents would spell it (chat.py), with the earlier turns
  of the conversation folded in when it is a follow-up ("còn Ninh Thuận thì sao?");
- ``accented``: the same with diacritics restored from the corpus (accents.py);
- ``expansions``: citizens' phrases found in the vocabulary and the documents' words for them;
- ``places``: the places named and the documents that cover them (places.py);
- ``lexical`` / ``dense``: what BM25 and the embedding model are given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from ..privacy import without_personal_data
from ..text.accents import AccentRestorer
from ..text.chat import ChatReader
from ..text.core import content_syllables, fold, lexical_terms, normalize, strip_markup
from ..text.places import PlaceIndex, PlaceReading
from ..text.vocabulary import Match, Vocabulary

# "còn Ninh Thuận thì sao?", "thế còn thanh niên…", "vậy ở Quảng Ngãi thì sao", "nếu là hộ cận
# nghèo": a turn that leans on the one before it. Folded, so typing without accents matches.
_FOLLOW_UP = re.compile(
    r"^(?:con|the con|vay con|con nhu|the|vay|neu|the thi|vay thi|con neu)\b|(?:thi sao|the nao|ra sao|thi the nao|duoc khong|thi co khong)\s*\??$"
)
HISTORY_TURNS = 5  # at most this many earlier turns are read
# chat words the embedding model need not read: pronouns, particles, addressing the admin
_DENSE_NOISE = frozenset("tui tớ tao mày em ạ à ơi ad admin nha nhé nhen nghen hen hả hở nè vậy đó đấy mọi người thôi lắm".split())


@dataclass(frozen=True)
class Query:
    asked: str  # the question as typed (NFC, markup stripped)
    text: str  # as read, with the conversation's earlier turns when it is a follow-up
    accented: str  # ``text`` with diacritics restored from the corpus
    expansions: tuple[Match, ...] = ()
    places: PlaceReading = field(default_factory=PlaceReading)
    follow_up: bool = False
    changes: tuple[tuple[str, str], ...] = ()  # chat words read differently (diagnosis)

    @property
    def document_words(self) -> list[str]:
        """The documents' words for the citizens' phrases of the question."""
        return list(dict.fromkeys(m for match in self.expansions for m in match.means))

    @property
    def lexical(self) -> list[str]:
        """BM25 terms: the question's and, once each, its documents' words."""
        extra = " ; ".join(self.document_words)
        return lexical_terms(self.accented) + (lexical_terms(extra) if extra else [])

    @property
    def dense(self) -> str:
        """What the embedding model reads: the accented question without chat words (pronouns,
        particles: they pull the vector toward chat, not toward a clause), then the documents'
        words for its citizens' phrases."""
        kept = [w for w in self.accented.split() if w.lower().strip(",.?!:;()") not in _DENSE_NOISE]
        base = " ".join(kept) or self.accented
        extra = "; ".join(self.document_words)
        return f"{base} ({extra})" if extra else base


def is_follow_up(text: str) -> bool:
    folded = fold(text.strip())
    return bool(_FOLLOW_UP.search(folded))


class QueryReader:
    def __init__(self, chat: ChatReader | None, vocabulary: Vocabulary | None, places: PlaceIndex | None, accents: AccentRestorer) -> None:
        self.chat = chat
        self.vocabulary = vocabulary
        self.places = places
        self.accents = accents

    def read(self, question: str, history: Sequence[str] = ()) -> Query:
        asked = strip_markup(normalize(question)).replace("\n", " ").strip()
        own = self._read_turn(without_personal_data(asked))
        places = self.places.read(own[0]) if self.places else PlaceReading()
        text, changes = own
        follow_up = False
        if history:
            turns = [self._read_turn(without_personal_data(strip_markup(normalize(h)).replace("\n", " ").strip()))[0] for h in list(history)[-HISTORY_TURNS:]]
            if self._leans_on_history(text, places):
                follow_up = True
                chain = _chain(turns)
                earlier_places = next((p for p in (self.places.read(t) for t in reversed(chain)) if p.mentions), PlaceReading()) if self.places else PlaceReading()
                if places.mentions and earlier_places.mentions:
                    chain = [_without_places(t, self.places) for t in chain]  # the new place replaces the old one
                elif not places.mentions:
                    places = earlier_places
                text = " ".join([*chain, text])
        accented = self.accents.restore(text)
        # on the text as read: typed without accents, it is matched folded (the restorer may
        # pick 'ban' for 'bán'); the restorer keeps the words, so positions hold in ``accented``
        expansions = tuple(self.vocabulary.find(text)) if self.vocabulary else ()
        return Query(asked, text, accented, expansions, places, follow_up, changes)

    def _read_turn(self, text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        if self.chat is None:
            return text, ()
        reading = self.chat.read(text)
        return reading.text, reading.changes

    def _leans_on_history(self, text: str, places: PlaceReading) -> bool:
        """A follow-up opens or closes like one, or says almost nothing besides a place."""
        if is_follow_up(text):
            return True
        words = content_syllables(self.accents.restore(text))
        named = {fold(w) for m in places.mentions + places.context for w in m.text.split()}
        return len([w for w in words if w not in named]) <= 2


def _chain(turns: list[str]) -> list[str]:
    """The earlier turns a follow-up continues: back to the last one that stood on its own."""
    chain: list[str] = []
    for turn in reversed(turns):
        chain.insert(0, turn)
        if not is_follow_up(turn):
            break
    return chain


def _without_places(text: str, places: PlaceIndex) -> str:
    reading = places.read(text)
    for mention in reading.mentions + reading.context:
        text = text.replace(mention.text, " ")
    return re.sub(r"\s+", " ", text).strip()
