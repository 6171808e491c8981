"""Domain objects: what the library hands to the CLI, the web layer and the bot.

Frozen dataclasses. Their JSON shapes are the contract's (``contract.py``): ``to_dict`` dumps
the matching shape, and docs/api-contract.md is generated from those shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum

from .contract import AnswerOut, CitationOut, DocumentOut, HitOut


@dataclass(frozen=True)
class DocumentMetadata:
    title: str
    code: str | None = None
    issuer: str | None = None
    province: str | None = None  # as issued (before the 2025 merger for older documents)
    date: date | None = None
    type: str | None = None
    url: str | None = None
    signer: str | None = None
    effective_from: date | None = None  # hiệu lực từ
    effective_to: date | None = None  # hiệu lực đến (the last day it applies)
    replaced_by: str | None = None  # the code or title of the document that replaces it
    # the province it belongs to today (since 1 July 2025 provinces have merged); None: derived
    # from ``province`` by retrieval/text/places.py
    province_now: str | None = None
    # a place smaller than the province the document is for ("thành phố Bảo Lộc"), if any
    locality: str | None = None

    def in_force(self, on: date) -> bool:
        """Whether the document applies on that day, as far as its metadata says."""
        if self.replaced_by:
            return False
        if self.effective_from and on < self.effective_from:
            return False
        return not (self.effective_to and on > self.effective_to)

    def validity_note(self, on: date) -> str | None:
        """Why it does not apply on that day, in the words shown beside a citation."""
        if self.replaced_by:
            return f"đã được thay thế bởi {self.replaced_by}"
        if self.effective_to and on > self.effective_to:
            return f"hết hiệu lực từ {(self.effective_to + timedelta(days=1)).strftime('%d/%m/%Y')}"
        if self.effective_from and on < self.effective_from:
            return f"có hiệu lực từ {self.effective_from.strftime('%d/%m/%Y')}"
        return None

    @property
    def short_name(self) -> str:
        """How a citation names the document: 'Chỉ thị 19-CT/TU', else its title."""
        if self.code and self.type:
            return f"{self.type[:1].upper()}{self.type[1:]} {self.code}"
        return self.code or self.title


@dataclass(frozen=True)
class Document:
    id: str
    source_file: str
    text: str
    metadata: DocumentMetadata
    sha256: str

    def to_dict(self, today: date | None = None) -> dict:
        return DocumentOut.from_domain(self, today).to_json()


class PassageKind(str, Enum):
    TITLE = "title"
    CLAUSE = "clause"
    FOOTNOTE = "footnote"
    RECIPIENTS = "recipients"  # "Nơi nhận": a distribution list, not policy
    SIGNATURE = "signature"
    WEB_DEBRIS = "web_debris"  # counters, link lists, bylines of a saved web page

    @property
    def searchable(self) -> bool:
        return self in (PassageKind.TITLE, PassageKind.CLAUSE, PassageKind.FOOTNOTE)


@dataclass(frozen=True)
class Passage:
    """A clause-sized unit of a document, with where it sits."""

    id: str
    document_id: str
    ordinal: int
    text: str
    location: tuple[str, ...]  # breadcrumb from the outermost heading inwards
    context: str  # the headings above it, in full: what a reader needs to understand it
    kind: PassageKind = PassageKind.CLAUSE

    @property
    def searchable(self) -> bool:
        return self.kind.searchable

    @property
    def location_text(self) -> str:
        return " › ".join(self.location)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "document_id": self.document_id,
            "ordinal": self.ordinal,
            "text": self.text,
            "location": list(self.location),
            "context": self.context,
            "kind": self.kind.value,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Passage":
        return cls(
            id=data["id"],
            document_id=data["document_id"],
            ordinal=data["ordinal"],
            text=data["text"],
            location=tuple(data["location"]),
            context=data["context"],
            kind=PassageKind(data["kind"]),
        )


@dataclass(frozen=True)
class SearchFilters:
    document_ids: frozenset[str] | None = None
    types: frozenset[str] | None = None
    date_from: date | None = None
    date_to: date | None = None

    def accepts(self, document: Document) -> bool:
        m = document.metadata
        if self.document_ids is not None and document.id not in self.document_ids:
            return False
        if self.types is not None and (m.type or "").casefold() not in {t.casefold() for t in self.types}:
            return False
        if self.date_from and (m.date is None or m.date < self.date_from):
            return False
        if self.date_to and (m.date is None or m.date > self.date_to):
            return False
        return True

    @property
    def empty(self) -> bool:
        return self == SearchFilters()


@dataclass(frozen=True)
class Signals:
    """Why a hit ranks where it does (for diagnosis, not part of the public JSON)."""

    bm25: float | None = None
    bm25_rank: int | None = None
    dense: float | None = None
    dense_rank: int | None = None
    best_window: int | None = None


@dataclass(frozen=True)
class Hit:
    passage: Passage
    document: Document
    score: float
    signals: Signals = Signals()

    @property
    def label(self) -> str:
        """How every face names the source: 'Chỉ thị 19-CT/TU (29/11/2021) [đã được thay thế
        bởi …] — 6. Tiếp tục…' (the validity note as of today)."""
        meta = self.document.metadata
        when = f" ({meta.date.strftime('%d/%m/%Y')})" if meta.date else ""
        note = meta.validity_note(date.today())
        validity = f" [{note}]" if note else ""
        return f"{meta.short_name}{when}{validity} — {self.passage.location_text}"

    def to_dict(self) -> dict:
        return HitOut.from_domain(self).to_json()


@dataclass(frozen=True)
class Citation:
    number: int
    hit: Hit

    def to_dict(self) -> dict:
        return CitationOut.from_domain(self).to_json()

    @property
    def label(self) -> str:
        """'[1] Chỉ thị 19-CT/TU (29/11/2021) — 6. Tiếp tục…'"""
        return f"[{self.number}] {self.hit.label}"


class AnswerStatus(str, Enum):
    ANSWERED = "answered"
    NOT_COVERED = "not_covered"  # the documents do not cover the question (or the place it names)
    # the documents speak of the topic but not of the detail asked for (an interest rate, an
    # amount, a deadline, an appeal route): said plainly, with the nearest clauses as ``related``
    NOT_STATED = "not_stated"
    INVALID_QUESTION = "invalid_question"  # empty or too long
    # "có phải hộ nghèo không" with an income figure: the income lines of the standard in
    # force and its legal basis, a pointer to the step-by-step check, then any quotes found
    ELIGIBILITY_HINT = "eligibility_hint"


@dataclass(frozen=True)
class Quote:
    text: str
    citation_number: int


@dataclass(frozen=True)
class Answer:
    question: str
    status: AnswerStatus
    text: str
    citations: tuple[Citation, ...] = ()
    quotes: tuple[Quote, ...] = ()
    # diagnosis: the evidence measured and the hits that were not quoted
    evidence: dict[str, float] = field(default_factory=dict)
    rejected: tuple[Hit, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    # fixed text that comes before the quotes (the eligibility hint, or the record line of a
    # question about a document: "Chỉ thị 19-CT/TU: Người ký: …"); ``text`` includes it
    preface: str = ""
    # when not answered (not_covered, not_stated): up to three nearest clauses, offered as
    # links under "Có thể liên quan" — never an answer
    related: tuple[Hit, ...] = ()
    # diagnosis: every hit retrieved for the question (as read, with its earlier turns), ranked
    retrieved: tuple[Hit, ...] = ()

    @property
    def found(self) -> bool:
        """The answer says something of substance: quotes, or the eligibility rule."""
        return self.status in (AnswerStatus.ANSWERED, AnswerStatus.ELIGIBILITY_HINT)

    def to_dict(self) -> dict:
        return AnswerOut.from_domain(self).to_json()
