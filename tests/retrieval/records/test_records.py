"""retrieval.records: the question log and the feedback table, masked inside the store, kept
``retention_days``, switchable, and the bot's old feedback file moved in."""

from __future__ import annotations

import sqlite3
import stat
from contextlib import closing
from datetime import date, timedelta

import pytest

from retrieval import AnswerStatus, Assistant
from retrieval.records import (
    MASK_VERSION,
    QuestionStatus,
    RecordStore,
    SQLiteDatabase,
    normal_form,
    open_records,
)
from tests.conftest import make_settings

PERSONAL = "số CCCD của tôi là 079203001234, sđt 0912345678, tôi là Nguyễn Văn An ở thôn 3 xã Ba Thành, hộ nghèo được vay vốn không"
SECRETS = ("079203001234", "0912345678", "Nguyễn Văn An", "thôn 3")
MASKED = "số CCCD của tôi là <CCCD>, sđt <SĐT>, tôi là <TÊN> ở <ĐỊA_CHỈ> xã Ba Thành, hộ nghèo được vay vốn không"


class Clock:
    def __init__(self, today: date) -> None:
        self.day = today

    def __call__(self) -> date:
        return self.day


@pytest.fixture
def clock() -> Clock:
    return Clock(date(2026, 11, 20))


@pytest.fixture
def store(tmp_path, clock) -> RecordStore:
    return RecordStore(SQLiteDatabase(tmp_path / "state" / "records.sqlite3"), today=clock)


def _raw_bytes(store: RecordStore) -> str:
    return store.database.path.read_bytes().decode("utf-8", "replace")


def test_a_question_is_logged_masked_with_its_day_and_face_only(store):
    store.log_question("telegram", PERSONAL, QuestionStatus.ANSWERED, passage_ids=("doc-3",), nearest_passage_id="doc-3", document_ids=("doc",))
    [row] = store.questions()
    assert (row.day, row.face, row.question, row.status) == (date(2026, 11, 20), "telegram", MASKED, QuestionStatus.ANSWERED)
    assert row.normalized == "so cccd cua toi la sdt toi la o xa ba thanh ho ngheo duoc vay von khong"
    assert (row.passage_ids, row.nearest_passage_id, row.document_ids) == (("doc-3",), "doc-3", ("doc",))
    assert not any(secret in _raw_bytes(store) for secret in SECRETS)  # nothing unmasked anywhere in the file
    with closing(sqlite3.connect(store.database.path)) as db:  # the day, never a time; no identity column
        columns = [c[1] for c in db.execute("PRAGMA table_info(questions)")]
    assert columns == ["id", "day", "face", "question", "normalized", "status", "passage_ids", "nearest_passage_id", "document_ids"]
    assert stat.S_IMODE(store.database.path.stat().st_mode) == 0o600


def test_votes_are_masked_and_a_changed_vote_replaces_the_old_one(store, clock):
    store.record_vote("telegram", answer_key="k1", question=PERSONAL, answer="“…” [1]", passage_ids=("p-1", "p-2"), vote=1)
    clock.day += timedelta(days=1)
    store.record_vote("telegram", answer_key="k1", question=PERSONAL, answer="“…” [1]", passage_ids=("p-1", "p-2"), vote=-1)
    store.record_vote("cli", answer_key="k2", question="cận nghèo?", answer="Xin lỗi, gọi 0987654321", passage_ids=(), vote=1)
    rows = store.feedback()
    assert [(r.answer_key, r.face, r.question, r.answer, r.passage_ids, r.vote, r.day) for r in rows] == [
        ("k1", "telegram", MASKED, "“…” [1]", ("p-1", "p-2"), -1, date(2026, 11, 21)),
        ("k2", "cli", "cận nghèo?", "Xin lỗi, gọi <SĐT>", (), 1, date(2026, 11, 21)),
    ]
    assert not any(secret in _raw_bytes(store) for secret in SECRETS + ("0987654321",))
    with pytest.raises(ValueError):
        store.record_vote("telegram", answer_key="k", question="q", answer="a", passage_ids=(), vote=0)


@pytest.mark.parametrize("face", ["web", "", "Telegram"])
def test_an_unknown_face_is_refused(store, face):
    with pytest.raises(ValueError):
        store.log_question(face, "hộ nghèo", QuestionStatus.ANSWERED)


def test_with_the_log_off_no_question_is_written(tmp_path, clock):
    path = tmp_path / "records.sqlite3"
    off = RecordStore(SQLiteDatabase(path), log_questions=False, today=clock)
    off.log_question("widget", PERSONAL, QuestionStatus.NOT_COVERED)
    assert not path.exists()  # not even an empty database
    off.record_vote("widget", answer_key="k", question="hộ nghèo?", answer="…", passage_ids=(), vote=1)
    assert off.questions() == [] and len(off.feedback()) == 1  # votes still are: the citizen sent one


def test_retention_deletes_old_rows_at_start_and_on_the_first_write_of_a_day(tmp_path, clock):
    path = tmp_path / "records.sqlite3"
    store = RecordStore(SQLiteDatabase(path), retention_days=30, today=clock)
    for days_ago in (40, 31, 30, 0):
        store.log_question("api", f"câu hỏi {days_ago}", QuestionStatus.ANSWERED, on=clock.day - timedelta(days=days_ago))
    store.record_vote("api", answer_key="old", question="q", answer="a", passage_ids=(), vote=-1, on=clock.day - timedelta(days=31))
    assert len(store.questions()) == 4  # written today, purged today before them: all there
    restarted = RecordStore(SQLiteDatabase(path), retention_days=30, today=clock)
    assert restarted.start() == 3  # two questions and the vote are more than 30 days old
    assert [r.question for r in restarted.questions()] == ["câu hỏi 30", "câu hỏi 0"]
    assert restarted.feedback() == []
    clock.day += timedelta(days=1)  # a day later, still running: its first write deletes what aged out
    restarted.log_question("api", "hôm nay", QuestionStatus.ANSWERED)
    assert [r.question for r in restarted.questions()] == ["câu hỏi 0", "hôm nay"]


def test_start_creates_no_database(tmp_path):
    store = RecordStore(SQLiteDatabase(tmp_path / "none" / "records.sqlite3"))
    assert store.start() == 0 and not (tmp_path / "none").exists()


def test_reading_by_date_range(store, clock):
    for day in (1, 5, 9):
        store.log_question("cli", f"ngày {day}", QuestionStatus.ANSWERED, on=date(2026, 11, day))
    assert [r.question for r in store.questions(date(2026, 11, 5), date(2026, 11, 9))] == ["ngày 5", "ngày 9"]
    assert [r.question for r in store.questions(until=date(2026, 11, 5))] == ["ngày 1", "ngày 5"]


def test_texts_stored_before_a_better_masking_are_masked_again(tmp_path, clock):
    path = tmp_path / "records.sqlite3"
    store = RecordStore(SQLiteDatabase(path), today=clock)
    store.log_question("cli", "hộ nghèo", QuestionStatus.ANSWERED)
    with closing(sqlite3.connect(path)) as db, db:  # as if written by an older, weaker masking
        db.execute("UPDATE questions SET question = ?, normalized = 'x'", (PERSONAL,))
        db.execute("UPDATE meta SET value = ? WHERE key = 'mask_version'", (str(MASK_VERSION - 1),))
    [row] = RecordStore(SQLiteDatabase(path), today=clock).questions()
    assert (row.question, row.normalized) == (MASKED, normal_form(MASKED))


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "records.sqlite3"
    RecordStore(SQLiteDatabase(path)).log_question("cli", "hộ nghèo", QuestionStatus.ANSWERED)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(RuntimeError, match="phiên bản 99"):
        RecordStore(SQLiteDatabase(path)).questions()


# -- the bot's old feedback file ------------------------------------------------------------------
_LEGACY = """CREATE TABLE feedback (id INTEGER PRIMARY KEY, answer_key TEXT NOT NULL UNIQUE, chat_hash TEXT NOT NULL,
    question TEXT NOT NULL, answer TEXT NOT NULL, passage_ids TEXT NOT NULL, vote INTEGER NOT NULL, voted_at TEXT NOT NULL)"""


def test_the_bots_old_feedback_file_moves_in_masked_and_is_deleted(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    with closing(sqlite3.connect(state / "feedback.sqlite3")) as db, db:
        db.execute(_LEGACY)
        db.execute("INSERT INTO feedback VALUES (1, 'k1', 'a1b2', ?, '“…” [1]', '[\"p-1\"]', -1, '2026-11-19T23:30:00+00:00')", (PERSONAL,))
        db.execute("INSERT INTO feedback VALUES (2, 'k2', 'c3d4', 'hộ cận nghèo?', 'Xin lỗi…', '[]', 1, '2026-11-20T08:00:00+00:00')")
    (state / "feedback-salt").write_text("00" * 32)
    settings = make_settings(tmp_path, records={"path": str(state / "records.sqlite3")})
    records = open_records(settings, today=lambda: date(2026, 11, 21))
    assert records.import_legacy(state) == 2  # the bot hands its old state folder over at start
    rows = records.feedback()
    assert [(r.answer_key, r.face, r.question, r.passage_ids, r.vote, r.day) for r in rows] == [
        ("k1", "telegram", MASKED, ("p-1",), -1, date(2026, 11, 19)),
        ("k2", "telegram", "hộ cận nghèo?", (), 1, date(2026, 11, 20)),
    ]
    assert not (state / "feedback.sqlite3").exists() and not (state / "feedback-salt").exists()
    assert settings.records_path == state / "records.sqlite3"
    assert not any(secret in settings.records_path.read_bytes().decode("utf-8", "replace") for secret in SECRETS + ("a1b2",))
    assert open_records(settings).import_legacy(state) == 0  # nothing left to import, nothing imported twice
    assert len(records.feedback()) == 2


# -- the Assistant logs what a face asks -----------------------------------------------------------
@pytest.fixture
def assistant(seed_built, fake_embedder):
    settings = make_settings(seed_built, search={"mode": "bm25"}, eligibility={"as_of": "2026-06-01"})
    return Assistant.open(settings, embedder=fake_embedder)


def test_ask_with_a_face_logs_the_question_and_what_became_of_it(assistant):
    covered = assistant.ask("Chính sách tín dụng cho hộ nghèo được thực hiện qua ngân hàng nào?", face="cli")
    outside = assistant.ask("Giá vàng SJC hôm nay là bao nhiêu? gọi 0912345678", face="widget")
    empty = assistant.ask("", face="api")
    assert [a.status for a in (covered, outside, empty)] == [AnswerStatus.ANSWERED, AnswerStatus.NOT_COVERED, AnswerStatus.INVALID_QUESTION]
    rows = assistant.records.questions()
    assert [(r.face, r.status) for r in rows] == [("cli", QuestionStatus.ANSWERED), ("widget", QuestionStatus.NOT_COVERED), ("api", QuestionStatus.REFUSED)]
    assert rows[0].passage_ids == tuple(c.hit.passage.id for c in covered.citations) and rows[0].nearest_passage_id == covered.citations[0].hit.passage.id
    assert rows[1].question == "Giá vàng SJC hôm nay là bao nhiêu? gọi <SĐT>"
    assert rows[1].passage_ids == () and rows[1].nearest_passage_id == outside.rejected[0].passage.id  # the nearest clause, not cited
    assert rows[1].document_ids == (outside.rejected[0].document.id,)
    assert all(r.day == date.today() for r in rows)


@pytest.mark.parametrize("status", list(AnswerStatus))
def test_every_answer_status_is_logged(status):
    """A status the log cannot name would cost the question its row (a 'not stated' answer
    did: KeyError, caught, the question lost)."""
    expected = {AnswerStatus.ANSWERED: "answered", AnswerStatus.ELIGIBILITY_HINT: "eligibility_hint", AnswerStatus.INVALID_QUESTION: "refused"}
    assert QuestionStatus.of(status).value == expected.get(status, "not_covered")


def test_ask_without_a_face_logs_nothing_and_an_unknown_face_is_refused(assistant):
    assistant.ask("Hộ nghèo được vay vốn ở đâu?")
    assistant.batch_ask(["Hộ nghèo được vay vốn ở đâu?"])
    assert assistant.records.questions() == [] and not assistant.settings.records_path.exists()
    with pytest.raises(ValueError):
        assistant.ask("Hộ nghèo được vay vốn ở đâu?", face="web")
    assistant.batch_ask(["Hộ nghèo được vay vốn ở đâu?", "hộ cận nghèo?"], face="cli")
    assert len(assistant.records.questions()) == 2


def test_a_broken_records_database_never_costs_the_answer(assistant, caplog):
    path = assistant.settings.records_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a database at all" * 100)
    answer = assistant.ask("Chính sách tín dụng cho hộ nghèo được thực hiện qua ngân hàng nào?", face="telegram")
    assert answer.found
    assert "Không ghi được câu hỏi vào nhật ký: DatabaseError" in caplog.text and "tín dụng" not in caplog.text
