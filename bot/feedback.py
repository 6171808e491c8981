"""👍 / 👎 feedback in a SQLite file in ``state_dir``.

A row keeps the question, the answer, the cited passage ids, the vote and the time. The chat
is kept only as a salted hash (HMAC-SHA256): votes from one chat can be told apart, but not
traced back to it. The salt is generated once, on first use, into ``state_dir/feedback-salt``
(readable by the owner only) and never leaves the machine; deleting it unlinks future hashes
from past ones.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

SALT_FILE = "feedback-salt"
DB_FILE = "feedback.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    answer_key TEXT NOT NULL UNIQUE,   -- one row per answer: a changed vote replaces the old one
    chat_hash TEXT NOT NULL,           -- HMAC-SHA256(salt, chat id), never the chat id itself
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    passage_ids TEXT NOT NULL,         -- JSON list of the cited passage ids
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    voted_at TEXT NOT NULL             -- UTC, ISO 8601
)
"""


@dataclass(frozen=True)
class FeedbackRow:
    answer_key: str
    chat_hash: str
    question: str
    answer: str
    passage_ids: tuple[str, ...]
    vote: int
    voted_at: datetime


def private_dir(path: Path) -> Path:
    """Create ``path`` (owner-only when new) and return it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def load_or_create_salt(state_dir: Path) -> bytes:
    path = private_dir(state_dir) / SALT_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    salt = secrets.token_bytes(32)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(salt.hex())
    return salt


class FeedbackStore:
    def __init__(self, path: Path, salt: bytes) -> None:
        self.path = path
        self._salt = salt
        with closing(self._connect()) as db, db:
            db.execute(_SCHEMA)

    @classmethod
    def open(cls, state_dir: Path) -> "FeedbackStore":
        salt = load_or_create_salt(state_dir)
        return cls(state_dir / DB_FILE, salt)

    def _connect(self) -> sqlite3.Connection:
        # one short connection per call: calls come from worker threads
        return sqlite3.connect(self.path, timeout=10)

    def chat_hash(self, chat_id: int) -> str:
        return hmac.new(self._salt, str(chat_id).encode(), hashlib.sha256).hexdigest()

    def record(self, *, chat_id: int, answer_key: str, question: str, answer: str, passage_ids: tuple[str, ...], vote: int, at: datetime | None = None) -> None:
        if vote not in (-1, 1):
            raise ValueError("vote must be 1 or -1")
        when = (at or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT INTO feedback (answer_key, chat_hash, question, answer, passage_ids, vote, voted_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(answer_key) DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
                (answer_key, self.chat_hash(chat_id), question, answer, json.dumps(list(passage_ids)), vote, when),
            )

    def rows(self) -> list[FeedbackRow]:
        with closing(self._connect()) as db:
            found = db.execute("SELECT answer_key, chat_hash, question, answer, passage_ids, vote, voted_at FROM feedback ORDER BY id").fetchall()
        return [FeedbackRow(k, h, q, a, tuple(json.loads(p)), v, datetime.fromisoformat(t)) for k, h, q, a, p, v, t in found]
