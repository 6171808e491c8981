"""bot/feedback.py: votes in a real SQLite file, the chat only as a salted hash."""

import stat
from datetime import datetime, timezone

import pytest

from bot.feedback import DB_FILE, SALT_FILE, FeedbackStore


def test_records_one_row_per_answer_and_a_changed_vote_replaces_it(tmp_path):
    store = FeedbackStore.open(tmp_path / "state")
    at = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    store.record(chat_id=42, answer_key="k1", question="hộ nghèo?", answer="“…” [1]", passage_ids=("p-1", "p-2"), vote=1, at=at)
    store.record(chat_id=42, answer_key="k1", question="hộ nghèo?", answer="“…” [1]", passage_ids=("p-1", "p-2"), vote=-1, at=at)
    store.record(chat_id=43, answer_key="k2", question="cận nghèo?", answer="Xin lỗi…", passage_ids=(), vote=1, at=at)
    rows = FeedbackStore.open(tmp_path / "state").rows()  # read back through a new store: it is on disk
    assert [(r.answer_key, r.question, r.passage_ids, r.vote, r.voted_at) for r in rows] == [
        ("k1", "hộ nghèo?", ("p-1", "p-2"), -1, at),
        ("k2", "cận nghèo?", (), 1, at),
    ]
    assert (tmp_path / "state" / DB_FILE).is_file()


def test_the_chat_is_kept_only_as_a_salted_hash(tmp_path):
    store = FeedbackStore.open(tmp_path / "a")
    store.record(chat_id=123456789, answer_key="k", question="q", answer="a", passage_ids=(), vote=1)
    [row] = store.rows()
    assert len(row.chat_hash) == 64 and "123456789" not in row.chat_hash
    assert "123456789" not in (tmp_path / "a" / DB_FILE).read_bytes().decode("latin-1")
    assert row.chat_hash == FeedbackStore.open(tmp_path / "a").chat_hash(123456789)  # same salt after a restart
    assert row.chat_hash != FeedbackStore.open(tmp_path / "b").chat_hash(123456789)  # another salt elsewhere


def test_the_salt_is_private(tmp_path):
    FeedbackStore.open(tmp_path / "state")
    mode = stat.S_IMODE((tmp_path / "state" / SALT_FILE).stat().st_mode)
    assert mode == 0o600
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700


def test_only_up_or_down(tmp_path):
    with pytest.raises(ValueError):
        FeedbackStore.open(tmp_path).record(chat_id=1, answer_key="k", question="q", answer="a", passage_ids=(), vote=0)
