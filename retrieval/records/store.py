"""The question log and the feedback table, one store for every face.

Masking happens here, inside the store: every text column is written through
``retrieval.privacy.mask``, so nothing unmasked can reach the database whoever calls it. Rows
carry the day (not the time), the face ("telegram", "widget", "api", "cli") and never who
asked: no chat id, no client address, no hash of either.

Rows older than ``retention_days`` are deleted when the store opens and then once a day, on the
first write of the day: no scheduler needed. With ``log_questions = false`` no question is
written (votes still are: a citizen chose to send one).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from ..domain import Answer, AnswerStatus
from ..privacy import PLACEHOLDER, mask
from ..text.core import syllables
from .database import Database

log = logging.getLogger(__name__)

# bumped when masking improves: stored texts are masked again at the next start
MASK_VERSION = 1

FACES = ("telegram", "widget", "api", "cli")


class QuestionStatus(str, Enum):
    """What became of a question, as the report counts it."""

    ANSWERED = "answered"
    NOT_COVERED = "not_covered"
    ELIGIBILITY_HINT = "eligibility_hint"
    REFUSED = "refused"  # empty, too long, nothing to search

    @classmethod
    def of(cls, status: AnswerStatus) -> "QuestionStatus":
        return {
            AnswerStatus.ANSWERED: cls.ANSWERED,
            AnswerStatus.NOT_COVERED: cls.NOT_COVERED,
            # the documents speak of the topic but not of the detail asked ("lãi suất bao
            # nhiêu"): the citizen got no answer, which is what the report is for
            AnswerStatus.NOT_STATED: cls.NOT_COVERED,
            AnswerStatus.ELIGIBILITY_HINT: cls.ELIGIBILITY_HINT,
            AnswerStatus.INVALID_QUESTION: cls.REFUSED,
        }[status]


# The schema as migrations applied in order, each once: version n's statements bring a database
# at version n-1 to n, in one transaction with the new version number (``{auto_id}``: the
# database's auto-numbered key). A list rather than Alembic: two tables, no SQLAlchemy (see
# database.py), and the version already lives in ``meta``. A new column is a new entry here
# (``ALTER TABLE … ADD COLUMN``, portable), never an edit of an old one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: the question log and the feedback table
        """CREATE TABLE IF NOT EXISTS questions (
            id {auto_id},
            day TEXT NOT NULL,                 -- ISO date: the day only, never the time
            face TEXT NOT NULL,                -- telegram, widget, api, cli
            question TEXT NOT NULL,            -- masked
            normalized TEXT NOT NULL,          -- masked, folded, lower case, words only
            status TEXT NOT NULL,              -- answered, not_covered, eligibility_hint, refused
            passage_ids TEXT NOT NULL,         -- JSON list: the cited passages
            nearest_passage_id TEXT,           -- the best passage retrieved, cited or not
            document_ids TEXT NOT NULL         -- JSON list: the documents of those passages
        )""",
        "CREATE INDEX IF NOT EXISTS questions_day ON questions (day)",
        """CREATE TABLE IF NOT EXISTS feedback (
            id {auto_id},
            answer_key TEXT NOT NULL UNIQUE,   -- one row per answer: a changed vote replaces the old one
            day TEXT NOT NULL,
            face TEXT NOT NULL,
            question TEXT NOT NULL,            -- masked
            normalized TEXT NOT NULL,
            answer TEXT NOT NULL,              -- masked
            passage_ids TEXT NOT NULL,         -- JSON list: the cited passages
            vote INTEGER NOT NULL CHECK (vote IN (-1, 1))
        )""",
        "CREATE INDEX IF NOT EXISTS feedback_day ON feedback (day)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
META_TABLE = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


def normal_form(masked: str) -> str:
    """What questions are compared by: folded syllables of the masked text, placeholders out
    ('Hộ nghèo được vay vốn ở đâu?' -> 'ho ngheo duoc vay von o dau')."""
    return " ".join(syllables(PLACEHOLDER.sub(" ", masked)))


@dataclass(frozen=True)
class QuestionRecord:
    day: date
    face: str
    question: str
    normalized: str
    status: QuestionStatus
    passage_ids: tuple[str, ...]
    nearest_passage_id: str | None
    document_ids: tuple[str, ...]


@dataclass(frozen=True)
class FeedbackRecord:
    answer_key: str
    day: date
    face: str
    question: str
    normalized: str
    answer: str
    passage_ids: tuple[str, ...]
    vote: int


def _check_face(face: str) -> str:
    if face not in FACES:
        raise ValueError(f"face must be one of {', '.join(FACES)}, not {face!r}")
    return face


class RecordStore:
    """The question log and the feedback table over one ``Database``. Safe from many threads."""

    def __init__(self, database: Database, *, log_questions: bool = True, retention_days: int = 180, today: Callable[[], date] = date.today) -> None:
        self.database = database
        self.log_questions = log_questions
        self.retention_days = retention_days
        self.today = today
        self._ready = False
        self._purged_on: date | None = None
        self._lock = threading.Lock()

    # -- set-up ---------------------------------------------------------------------------
    def _ensure(self) -> None:
        """Tables, schema version and masking version, created or brought up to date on first
        use: the migrations not applied yet, in order, in one transaction that one process at
        a time may run (replicas starting together wait for each other)."""
        with self._lock:
            if self._ready:
                return
            with self.database.transaction(schema=True) as tx:
                tx.run(META_TABLE)
                meta = dict(tx.run("SELECT key, value FROM meta"))
                # a database the first release created has its tables and says version 1
                version = int(meta.get("schema_version", 0))
                if version > SCHEMA_VERSION:
                    raise RuntimeError(f"Cơ sở dữ liệu ghi nhận có phiên bản {version}, mới hơn phiên bản {SCHEMA_VERSION} mà mã này hiểu.")
                for statements in MIGRATIONS[version:]:
                    for statement in statements:
                        tx.run(statement.format(auto_id=self.database.auto_id))
                if version and version < SCHEMA_VERSION:
                    log.info("Đã nâng cơ sở dữ liệu ghi nhận từ phiên bản %d lên %d", version, SCHEMA_VERSION)
                if meta.get("mask_version") not in (None, str(MASK_VERSION)):
                    self._mask_again(tx)
                for key, value in (("schema_version", SCHEMA_VERSION), ("mask_version", MASK_VERSION)):
                    tx.run("INSERT INTO meta (key, value) VALUES (:key, :value) ON CONFLICT (key) DO UPDATE SET value = excluded.value", {"key": key, "value": str(value)})
            self._ready = True

    @staticmethod
    def _mask_again(tx) -> None:
        """Masking got better: what is stored goes through it again (masking a masked text
        keeps its placeholders)."""
        for table, columns in (("questions", ("question",)), ("feedback", ("question", "answer"))):
            for row in tx.run(f"SELECT id, {', '.join(columns)} FROM {table}"):
                values = {c: mask(v).text for c, v in zip(columns, row[1:])}
                assignments = ", ".join(f"{c} = :{c}" for c in columns)
                tx.run(f"UPDATE {table} SET {assignments}, normalized = :normalized WHERE id = :id", {**values, "normalized": normal_form(values["question"]), "id": row[0]})
        log.info("Đã che lại dữ liệu cá nhân trong các câu hỏi đã lưu (phiên bản che %d)", MASK_VERSION)

    def start(self) -> int:
        """At the service's start: delete what is past retention, if there is a database yet
        (none is created just for that). Returns the rows deleted."""
        return self.purge() if self.database.exists() else 0

    def ping(self) -> None:
        """Raise if the database cannot be reached (the service's readiness check)."""
        self.database.ping()

    def close(self) -> None:
        self.database.close()

    # -- writing --------------------------------------------------------------------------
    def log_answer(self, face: str, answer: Answer) -> None:
        """Log one question and what became of it (nothing when the log is off)."""
        citations = [c.hit for c in answer.citations]
        # the nearest clause: the first cited, else the first offered as related, else the best rejected
        nearest = next(iter([*citations, *answer.related, *answer.rejected]), None)
        hits = citations + ([nearest] if nearest is not None and nearest not in citations else [])
        self.log_question(
            face,
            answer.question,
            QuestionStatus.of(answer.status),
            passage_ids=tuple(h.passage.id for h in citations),
            nearest_passage_id=nearest.passage.id if nearest is not None else None,
            document_ids=tuple(dict.fromkeys(h.document.id for h in hits)),
        )

    def log_question(
        self,
        face: str,
        question: str,
        status: QuestionStatus,
        *,
        passage_ids: Sequence[str] = (),
        nearest_passage_id: str | None = None,
        document_ids: Sequence[str] = (),
        on: date | None = None,
    ) -> None:
        _check_face(face)
        if not self.log_questions:
            return
        masked = mask(question).text
        self._write(
            "INSERT INTO questions (day, face, question, normalized, status, passage_ids, nearest_passage_id, document_ids) "
            "VALUES (:day, :face, :question, :normalized, :status, :passage_ids, :nearest, :document_ids)",
            {
                "day": (on or self.today()).isoformat(), "face": face, "question": masked, "normalized": normal_form(masked),
                "status": QuestionStatus(status).value, "passage_ids": json.dumps(list(passage_ids)), "nearest": nearest_passage_id,
                "document_ids": json.dumps(list(document_ids)),
            },
        )

    def record_vote(self, face: str, *, answer_key: str, question: str, answer: str, passage_ids: Sequence[str], vote: int, on: date | None = None) -> None:
        """👍 (1) or 👎 (-1) on one answer; voting again on it replaces the vote."""
        _check_face(face)
        if vote not in (-1, 1):
            raise ValueError("vote must be 1 or -1")
        masked = mask(question).text
        self._write(
            "INSERT INTO feedback (answer_key, day, face, question, normalized, answer, passage_ids, vote) "
            "VALUES (:key, :day, :face, :question, :normalized, :answer, :passage_ids, :vote) "
            "ON CONFLICT (answer_key) DO UPDATE SET vote = excluded.vote, day = excluded.day",
            {
                "key": answer_key, "day": (on or self.today()).isoformat(), "face": face, "question": masked, "normalized": normal_form(masked),
                "answer": mask(answer).text, "passage_ids": json.dumps(list(passage_ids)), "vote": vote,
            },
        )

    def _daily(self) -> None:
        """Tables ready; the first call of a day deletes what is past retention."""
        self._ensure()
        if self._purged_on != self.today():
            self.purge()

    def _write(self, sql: str, params: dict) -> None:
        self._daily()
        with self.database.transaction() as tx:
            tx.run(sql, params)

    # -- retention ------------------------------------------------------------------------
    def purge(self) -> int:
        """Delete questions and votes older than ``retention_days``; returns how many."""
        self._ensure()
        today = self.today()
        cutoff = (today - timedelta(days=self.retention_days)).isoformat()
        with self.database.transaction() as tx:
            deleted = sum(len(tx.run(f"DELETE FROM {table} WHERE day < :cutoff RETURNING id", {"cutoff": cutoff})) for table in ("questions", "feedback"))
        self._purged_on = today
        if deleted:
            log.info("Đã xóa %d bản ghi quá %d ngày", deleted, self.retention_days)
        return deleted

    # -- reading --------------------------------------------------------------------------
    def questions(self, since: date | None = None, until: date | None = None) -> list[QuestionRecord]:
        """Logged questions from ``since`` to ``until`` (both included), oldest first."""
        if not self.database.exists():
            return []
        self._daily()
        with self.database.transaction() as tx:
            rows = tx.run(
                "SELECT day, face, question, normalized, status, passage_ids, nearest_passage_id, document_ids FROM questions "
                "WHERE day >= :since AND day <= :until ORDER BY day, id",
                _range(since, until),
            )
        return [
            QuestionRecord(date.fromisoformat(d), f, q, n, QuestionStatus(s), tuple(json.loads(p)), near, tuple(json.loads(docs)))
            for d, f, q, n, s, p, near, docs in rows
        ]

    def feedback(self, since: date | None = None, until: date | None = None) -> list[FeedbackRecord]:
        """Votes from ``since`` to ``until`` (both included), oldest first."""
        if not self.database.exists():
            return []
        self._daily()
        with self.database.transaction() as tx:
            rows = tx.run(
                "SELECT answer_key, day, face, question, normalized, answer, passage_ids, vote FROM feedback "
                "WHERE day >= :since AND day <= :until ORDER BY day, id",
                _range(since, until),
            )
        return [FeedbackRecord(k, date.fromisoformat(d), f, q, n, a, tuple(json.loads(p)), v) for k, d, f, q, n, a, p, v in rows]


def _range(since: date | None, until: date | None) -> dict[str, str]:
    return {"since": (since or date.min).isoformat(), "until": (until or date.max).isoformat()}
