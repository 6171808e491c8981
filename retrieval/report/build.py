"""The cadres' report, computed from the stored rows alone (pure: no index, no clock).

- questions the documents do not cover, grouped by similarity, each group with its
  representative question, count, first and last day and the nearest clause the assistant found;
- answers voted 👎, grouped the same way, with the clause they cited;
- coverage per week and face (share of questions answered), and the most-cited clauses;
- for a date range and, optionally, one document.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..privacy import PLACEHOLDER
from ..records import FeedbackRecord, QuestionRecord, QuestionStatus
from ..text.core import fold
from .grouping import DEFAULT_THRESHOLD, group_questions, same_question

# a passage id -> "Chỉ thị 19-CT/TU — 6. Tiếp tục…" (None when the index no longer has it)
Describe = Callable[[str], "str | None"]
EXAMPLES = 3


@dataclass(frozen=True)
class QuestionGroup:
    """Similar questions: the most asked one stands for them."""

    representative: str
    count: int
    first_day: date
    last_day: date
    passage_id: str | None  # not covered: the nearest clause found; 👎: the clause most cited
    passage_label: str | None
    examples: tuple[str, ...] = ()  # other wordings, most asked first
    faces: tuple[str, ...] = ()

    @property
    def search_text(self) -> str:
        """The representative without placeholders: what to put in the search box."""
        return " ".join(PLACEHOLDER.sub(" ", self.representative).split())

    def to_dict(self) -> dict:
        return {
            "representative": self.representative, "count": self.count, "first_day": self.first_day.isoformat(), "last_day": self.last_day.isoformat(),
            "passage_id": self.passage_id, "passage_label": self.passage_label, "examples": list(self.examples), "faces": list(self.faces),
            "search_text": self.search_text,
        }


@dataclass(frozen=True)
class WeekCoverage:
    """Questions of one face in one week (Monday to Sunday) and how many were answered."""

    week: date  # its Monday
    face: str
    questions: int
    answered: int  # answered, or an eligibility hint: something of substance
    not_covered: int
    refused: int

    @property
    def share(self) -> float:
        return self.answered / self.questions if self.questions else 0.0

    def to_dict(self) -> dict:
        return {"week": self.week.isoformat(), "face": self.face, "questions": self.questions, "answered": self.answered, "not_covered": self.not_covered, "refused": self.refused, "share": round(self.share, 4)}


@dataclass(frozen=True)
class CitedClause:
    passage_id: str
    count: int
    label: str | None

    def to_dict(self) -> dict:
        return {"passage_id": self.passage_id, "count": self.count, "label": self.label}


@dataclass(frozen=True)
class Report:
    since: date | None
    until: date | None
    document_id: str | None
    questions: int
    answered: int
    not_covered: tuple[QuestionGroup, ...]
    disliked: tuple[QuestionGroup, ...]
    coverage: tuple[WeekCoverage, ...]
    cited: tuple[CitedClause, ...]
    votes: dict[str, int] = field(default_factory=dict)  # {"up": n, "down": n}

    def to_dict(self) -> dict:
        return {
            "since": self.since.isoformat() if self.since else None, "until": self.until.isoformat() if self.until else None,
            "document_id": self.document_id, "questions": self.questions, "answered": self.answered, "votes": dict(self.votes),
            "not_covered": [g.to_dict() for g in self.not_covered], "disliked": [g.to_dict() for g in self.disliked],
            "coverage": [c.to_dict() for c in self.coverage], "cited": [c.to_dict() for c in self.cited],
        }


def _in_document(passage_ids: Sequence[str | None], document_ids: Sequence[str], document_id: str | None, owner: Callable[[str], str | None]) -> bool:
    if document_id is None:
        return True
    return document_id in document_ids or any(p is not None and owner(p) == document_id for p in passage_ids)


def _groups(texts: list[str], days: list[date], faces: list[str], passages: list[str | None], describe: Describe, threshold: float) -> tuple[QuestionGroup, ...]:
    out = []
    for rows in group_questions(texts, threshold):
        leader = same_question(texts[rows[0]])
        wordings = Counter(texts[i] for i in rows)
        representative = _representative([texts[i] for i in rows if same_question(texts[i]) == leader])
        passage = Counter(p for i in rows if (p := passages[i]) is not None).most_common(1)
        passage_id = passage[0][0] if passage else None
        out.append(QuestionGroup(
            representative=representative,
            count=len(rows),
            first_day=min(days[i] for i in rows),
            last_day=max(days[i] for i in rows),
            passage_id=passage_id,
            passage_label=describe(passage_id) if passage_id else None,
            examples=tuple(w for w, _ in wordings.most_common(EXAMPLES + 1) if w != representative)[:EXAMPLES],
            faces=tuple(sorted({faces[i] for i in rows})),
        ))
    return tuple(out)


def _representative(wordings: list[str]) -> str:
    """Of the wordings of the most asked question (the same words, typed differently), the
    easiest to read: with diacritics, not in capitals, no placeholder, then the shortest."""
    return min(set(wordings), key=lambda w: (w == fold(w), w.isupper(), "<" in w, len(w), w))


def build_report(
    questions: Sequence[QuestionRecord],
    feedback: Sequence[FeedbackRecord],
    *,
    since: date | None = None,
    until: date | None = None,
    document_id: str | None = None,
    describe: Describe = lambda _: None,
    owner: Callable[[str], str | None] = lambda passage_id: passage_id.rsplit("-", 1)[0],
    top: int = 10,
    threshold: float = DEFAULT_THRESHOLD,
) -> Report:
    """The report over these rows, within ``since``..``until`` (both included) and, with
    ``document_id``, only questions whose cited or nearest clause is in that document.
    ``describe`` labels a passage id; ``owner`` says which document a passage belongs to."""
    def wanted(day: date) -> bool:
        return (since is None or day >= since) and (until is None or day <= until)

    rows = [q for q in questions if wanted(q.day) and _in_document((q.nearest_passage_id, *q.passage_ids), q.document_ids, document_id, owner)]
    votes = [f for f in feedback if wanted(f.day) and _in_document(f.passage_ids, (), document_id, owner)]

    missing = [q for q in rows if q.status is QuestionStatus.NOT_COVERED]
    not_covered = _groups([q.question for q in missing], [q.day for q in missing], [q.face for q in missing], [q.nearest_passage_id for q in missing], describe, threshold)
    down = [f for f in votes if f.vote < 0]
    disliked = _groups([f.question for f in down], [f.day for f in down], [f.face for f in down], [f.passage_ids[0] if f.passage_ids else None for f in down], describe, threshold)

    weeks: dict[tuple[date, str], Counter] = defaultdict(Counter)
    for q in rows:
        weeks[(q.day - timedelta(days=q.day.weekday()), q.face)][q.status] += 1
    coverage = tuple(
        WeekCoverage(week, face, sum(c.values()), c[QuestionStatus.ANSWERED] + c[QuestionStatus.ELIGIBILITY_HINT], c[QuestionStatus.NOT_COVERED], c[QuestionStatus.REFUSED])
        for (week, face), c in sorted(weeks.items())
    )
    cited_counts = Counter(p for q in rows for p in q.passage_ids if document_id is None or owner(p) == document_id)
    cited = tuple(CitedClause(p, n, describe(p)) for p, n in sorted(cited_counts.items(), key=lambda item: (-item[1], item[0]))[:top])
    answered = sum(q.status in (QuestionStatus.ANSWERED, QuestionStatus.ELIGIBILITY_HINT) for q in rows)
    return Report(
        since, until, document_id, len(rows), answered, not_covered, disliked, coverage, cited,
        {"up": sum(f.vote > 0 for f in votes), "down": len(down)},
    )
