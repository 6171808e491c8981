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

from ..contract import CitedClauseOut, QuestionGroupOut, ReportOut, WeekCoverageOut
from ..privacy import PLACEHOLDER
from ..records import FeedbackRecord, QuestionRecord, QuestionStatus
from ..text.core import fold
from .grouping import DEFAULT_THRESHOLD, group_questions, same_question

# a passage id -> "Chỉ thị 19-CT/TU — 6. Tiếp tục…" (None when the index no longer has it)
Describe = Callable[[str], "str | None"]
# a passage id -> the id of its document (where a face links the clause)
Owner = Callable[[str], "str | None"]
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
    document_id: str | None = None  # the clause's document: /documents/{document_id}#{passage_id}

    @property
    def search_text(self) -> str:
        """The representative without placeholders: what to put in the search box."""
        return " ".join(PLACEHOLDER.sub(" ", self.representative).split())

    def to_dict(self) -> dict:
        return QuestionGroupOut.from_domain(self).to_json()


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
        return WeekCoverageOut.from_domain(self).to_json()


@dataclass(frozen=True)
class CitedClause:
    passage_id: str
    count: int
    label: str | None
    document_id: str | None = None

    def to_dict(self) -> dict:
        return CitedClauseOut.from_domain(self).to_json()


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
        return ReportOut.from_domain(self).to_json()


def _in_document(passage_ids: Sequence[str | None], document_ids: Sequence[str], document_id: str | None, owner: Owner) -> bool:
    if document_id is None:
        return True
    return document_id in document_ids or any(p is not None and owner(p) == document_id for p in passage_ids)


def _groups(
    texts: list[str], days: list[date], faces: list[str], passages: list[str | None], describe: Describe, owner: Owner, threshold: float,
    among: list[str],
) -> tuple[QuestionGroup, ...]:
    out = []
    for rows in group_questions(texts, threshold, among=among):
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
            document_id=owner(passage_id) if passage_id else None,
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
    owner: Owner = lambda passage_id: passage_id.rsplit("-", 1)[0],
    top: int = 10,
    threshold: float = DEFAULT_THRESHOLD,
) -> Report:
    """The report over these rows, within ``since``..``until`` (both included) and, with
    ``document_id``, only questions whose cited or nearest clause is in that document.
    ``describe`` labels a passage id; ``owner`` says which document a passage belongs to."""
    def wanted(day: date) -> bool:
        return (since is None or day >= since) and (until is None or day <= until)

    in_range = [q for q in questions if wanted(q.day)]
    rows = [q for q in in_range if _in_document((q.nearest_passage_id, *q.passage_ids), q.document_ids, document_id, owner)]
    votes_in_range = [f for f in feedback if wanted(f.day)]
    votes = [f for f in votes_in_range if _in_document(f.passage_ids, (), document_id, owner)]

    # the questions the document filter leaves out still weigh the words (grouping.py)
    missing = [q for q in rows if q.status is QuestionStatus.NOT_COVERED]
    others = [q.question for q in in_range if q.status is QuestionStatus.NOT_COVERED and q not in missing] if document_id else []
    not_covered = _groups([q.question for q in missing], [q.day for q in missing], [q.face for q in missing], [q.nearest_passage_id for q in missing], describe, owner, threshold, others)
    down = [f for f in votes if f.vote < 0]
    others = [f.question for f in votes_in_range if f.vote < 0 and f not in down] if document_id else []
    disliked = _groups([f.question for f in down], [f.day for f in down], [f.face for f in down], [f.passage_ids[0] if f.passage_ids else None for f in down], describe, owner, threshold, others)

    weeks: dict[tuple[date, str], Counter] = defaultdict(Counter)
    for q in rows:
        weeks[(q.day - timedelta(days=q.day.weekday()), q.face)][q.status] += 1
    coverage = tuple(
        WeekCoverage(week, face, sum(c.values()), c[QuestionStatus.ANSWERED] + c[QuestionStatus.ELIGIBILITY_HINT], c[QuestionStatus.NOT_COVERED], c[QuestionStatus.REFUSED])
        for (week, face), c in sorted(weeks.items())
    )
    cited_counts = Counter(p for q in rows for p in q.passage_ids if document_id is None or owner(p) == document_id)
    cited = tuple(CitedClause(p, n, describe(p), owner(p)) for p, n in sorted(cited_counts.items(), key=lambda item: (-item[1], item[0]))[:top])
    answered = sum(q.status in (QuestionStatus.ANSWERED, QuestionStatus.ELIGIBILITY_HINT) for q in rows)
    return Report(
        since, until, document_id, len(rows), answered, not_covered, disliked, coverage, cited,
        {"up": sum(f.vote > 0 for f in votes), "down": len(down)},
    )
