"""The bot's own feedback file from before the library kept records (``state/feedback.sqlite3``).

Its rows held the question and answer verbatim and the chat as a salted hash. They move into
the library's feedback table, masked, without the hash; then the old file and the salt (which
only served that hash) are deleted, so no unmasked text stays on disk. A vote already in the new
table is newer and is kept. Run again after a crash midway, it imports nothing twice.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

from .store import RecordStore

log = logging.getLogger(__name__)

LEGACY_FILE = "feedback.sqlite3"
LEGACY_SALT = "feedback-salt"


def import_legacy_feedback(store: RecordStore, state_dir: Path) -> int:
    """Move the bot's old feedback rows into ``store``; returns how many were imported."""
    path = state_dir / LEGACY_FILE
    if not path.is_file():
        return 0
    with closing(sqlite3.connect(path, timeout=10)) as db:
        rows = db.execute("SELECT answer_key, question, answer, passage_ids, vote, voted_at FROM feedback ORDER BY id").fetchall()
    known = {r.answer_key for r in store.feedback()}
    imported = 0
    for key, question, answer, passage_ids, vote, voted_at in rows:
        if key in known:
            continue
        store.record_vote("telegram", answer_key=key, question=question, answer=answer, passage_ids=json.loads(passage_ids), vote=vote, on=datetime.fromisoformat(voted_at).date())
        imported += 1
    for leftover in (path, path.with_name(LEGACY_FILE + "-journal"), path.with_name(LEGACY_FILE + "-wal"), path.with_name(LEGACY_FILE + "-shm"), state_dir / LEGACY_SALT):
        leftover.unlink(missing_ok=True)
    log.info("Đã chuyển %d góp ý cũ của bot sang bảng góp ý (đã che dữ liệu cá nhân) và xóa tệp cũ", imported)
    return imported
