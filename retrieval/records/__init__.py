"""What citizens asked and how they voted, masked, for the cadres' report.

One store for every face (``RecordStore``): the question log and the feedback table, in SQLite
under the state folder (``[records]``), personal data masked inside the store, rows kept
``retention_days`` days. ``open_records(settings)`` builds it; ``Assistant`` owns one
(``assistant.records``) and logs each question asked with a ``face``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from ..settings import Settings
from .database import Database, SQLiteDatabase
from .legacy import import_legacy_feedback
from .store import (
    FACES,
    MASK_VERSION,
    SCHEMA_VERSION,
    FeedbackRecord,
    QuestionRecord,
    QuestionStatus,
    RecordStore,
    normal_form,
)


class Records(RecordStore):
    """The store as the service uses it: its database and settings from ``[records]``."""

    def __init__(self, settings: Settings, today: Callable[[], date] = date.today) -> None:
        config = settings.records
        super().__init__(SQLiteDatabase(settings.records_path), log_questions=config.log_questions, retention_days=config.retention_days, today=today)

    def import_legacy(self, folder: Path) -> int:
        """Move in the feedback file an earlier release of the bot kept in ``folder`` (its
        state folder), masked; the bot calls this at start. Returns the rows imported."""
        return import_legacy_feedback(self, folder)


def open_records(settings: Settings, today: Callable[[], date] = date.today) -> Records:
    """The records store of these settings (nothing is created on disk until it is written)."""
    return Records(settings, today)


__all__ = [
    "FACES", "MASK_VERSION", "SCHEMA_VERSION", "Database", "FeedbackRecord", "QuestionRecord", "QuestionStatus", "RecordStore", "Records",
    "SQLiteDatabase", "normal_form", "open_records",
]
