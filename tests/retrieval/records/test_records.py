"""retrieval.records: the question log and the feedback table, masked inside the store, kept
``retention_days``, switchable, and the bot's old feedback file moved in.

The store's behaviour is tested on both databases it runs on, through the same code: SQLite
(embedded, the default) and, in the slow tier, a real PostgreSQL (``[state] database_url``).
What only a file can show (its mode, not creating it, a broken file) is SQLite's alone."""

from __future__ import annotations

import sqlite3
import stat
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import date, timedelta

import pytest

from retrieval import AnswerStatus, Assistant
from retrieval.records import MASK_VERSION, SCHEMA_VERSION, Database, PostgresDatabase, QuestionStatus, RecordStore, SQLiteDatabase, normal_form, open_records, redact
from retrieval.records.database import postgres_sql
from support.postgres import fresh_database

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


class Backend:
    """One database the store runs on, and how a test looks inside it behind the store's back."""

    def __init__(self, make) -> None:
        self.make = make  # () -> a Database on the same storage each time

    def database(self) -> Database:
        return self.make()

    def execute(self, sql: str, params: tuple = ()) -> list[tuple]:
        database = self.make()
        try:
            if isinstance(database, SQLiteDatabase):
                with closing(sqlite3.connect(database.path)) as db, db:
                    return db.execute(sql, params).fetchall()
            with database._connections().connection() as connection:
                cursor = connection.execute(sql.replace("?", "%s"), params)
                return cursor.fetchall() if cursor.description is not None else []
        finally:
            database.close()

    def columns(self, table: str) -> list[str]:
        if isinstance(self.make(), SQLiteDatabase):
            return [c[1] for c in self.execute(f"PRAGMA table_info({table})")]
        return [c[0] for c in self.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", (table,))]

    def everything(self) -> str:
        """Every byte the database keeps (the SQLite file), or every value of every table."""
        database = self.make()
        if isinstance(database, SQLiteDatabase):
            return database.path.read_bytes().decode("utf-8", "replace")
        return " ".join(str(row) for table in ("meta", "questions", "feedback") for row in self.execute(f"SELECT * FROM {table}"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def backend(request, tmp_path) -> Backend:
    if request.param == "sqlite":
        path = tmp_path / "state" / "records.sqlite3"
        return Backend(lambda: SQLiteDatabase(path))
    url = fresh_database(request.getfixturevalue("postgres_url"))
    made: list[PostgresDatabase] = []

    def make() -> PostgresDatabase:
        made.append(PostgresDatabase(url))
        return made[-1]

    request.addfinalizer(lambda: [d.close() for d in made])
    return Backend(make)


@pytest.fixture
def store(backend, clock) -> RecordStore:
    return RecordStore(backend.database(), today=clock)


def test_a_question_is_logged_masked_with_its_day_and_face_only(store, backend):
    store.log_question("telegram", PERSONAL, QuestionStatus.ANSWERED, passage_ids=("doc-3",), nearest_passage_id="doc-3", document_ids=("doc",))
    [row] = store.questions()
    assert (row.day, row.face, row.question, row.status) == (date(2026, 11, 20), "telegram", MASKED, QuestionStatus.ANSWERED)
    assert row.normalized == "so cccd cua toi la sdt toi la o xa ba thanh ho ngheo duoc vay von khong"
    assert (row.passage_ids, row.nearest_passage_id, row.document_ids) == (("doc-3",), "doc-3", ("doc",))
    assert not any(secret in backend.everything() for secret in SECRETS)  # nothing unmasked anywhere
    # the day, never a time; no identity column
    assert backend.columns("questions") == ["id", "day", "face", "question", "normalized", "status", "passage_ids", "nearest_passage_id", "document_ids"]
    if isinstance(store.database, SQLiteDatabase):
        assert stat.S_IMODE(store.database.path.stat().st_mode) == 0o600


def test_votes_are_masked_and_a_changed_vote_replaces_the_old_one(store, backend, clock):
    store.record_vote("telegram", answer_key="k1", question=PERSONAL, answer="“…” [1]", passage_ids=("p-1", "p-2"), vote=1)
    clock.day += timedelta(days=1)
    store.record_vote("telegram", answer_key="k1", question=PERSONAL, answer="“…” [1]", passage_ids=("p-1", "p-2"), vote=-1)
    store.record_vote("cli", answer_key="k2", question="cận nghèo?", answer="Xin lỗi, gọi 0987654321", passage_ids=(), vote=1)
    rows = store.feedback()
    assert [(r.answer_key, r.face, r.question, r.answer, r.passage_ids, r.vote, r.day) for r in rows] == [
        ("k1", "telegram", MASKED, "“…” [1]", ("p-1", "p-2"), -1, date(2026, 11, 21)),
        ("k2", "cli", "cận nghèo?", "Xin lỗi, gọi <SĐT>", (), 1, date(2026, 11, 21)),
    ]
    assert not any(secret in backend.everything() for secret in SECRETS + ("0987654321",))
    with pytest.raises(ValueError):
        store.record_vote("telegram", answer_key="k", question="q", answer="a", passage_ids=(), vote=0)


@pytest.mark.parametrize("face", ["web", "", "Telegram"])
def test_an_unknown_face_is_refused(store, face):
    with pytest.raises(ValueError):
        store.log_question(face, "hộ nghèo", QuestionStatus.ANSWERED)


def test_with_the_log_off_no_question_is_written(backend, clock):
    off = RecordStore(backend.database(), log_questions=False, today=clock)
    off.log_question("widget", PERSONAL, QuestionStatus.NOT_COVERED)
    assert not off.database.exists()  # not even an empty database (or its tables)
    off.record_vote("widget", answer_key="k", question="hộ nghèo?", answer="…", passage_ids=(), vote=1)
    assert off.questions() == [] and len(off.feedback()) == 1  # votes still are: the citizen sent one


def test_retention_deletes_old_rows_at_start_and_on_the_first_write_of_a_day(backend, clock):
    store = RecordStore(backend.database(), retention_days=30, today=clock)
    for days_ago in (40, 31, 30, 0):
        store.log_question("api", f"câu hỏi {days_ago}", QuestionStatus.ANSWERED, on=clock.day - timedelta(days=days_ago))
    store.record_vote("api", answer_key="old", question="q", answer="a", passage_ids=(), vote=-1, on=clock.day - timedelta(days=31))
    assert len(store.questions()) == 4  # written today, purged today before them: all there
    restarted = RecordStore(backend.database(), retention_days=30, today=clock)
    assert restarted.start() == 3  # two questions and the vote are more than 30 days old
    assert [r.question for r in restarted.questions()] == ["câu hỏi 30", "câu hỏi 0"]
    assert restarted.feedback() == []
    clock.day += timedelta(days=1)  # a day later, still running: its first write deletes what aged out
    restarted.log_question("api", "hôm nay", QuestionStatus.ANSWERED)
    assert [r.question for r in restarted.questions()] == ["câu hỏi 0", "hôm nay"]


def test_start_creates_no_database(tmp_path):
    store = RecordStore(SQLiteDatabase(tmp_path / "none" / "records.sqlite3"))
    assert store.start() == 0 and not (tmp_path / "none").exists()
    store.ping()  # not written yet is not broken: the readiness check passes


def test_start_creates_no_tables(backend):
    store = RecordStore(backend.database())
    assert store.start() == 0 and not store.database.exists()
    store.ping()


def test_reading_by_date_range(store, clock):
    for day in (1, 5, 9):
        store.log_question("cli", f"ngày {day}", QuestionStatus.ANSWERED, on=date(2026, 11, day))
    assert [r.question for r in store.questions(date(2026, 11, 5), date(2026, 11, 9))] == ["ngày 5", "ngày 9"]
    assert [r.question for r in store.questions(until=date(2026, 11, 5))] == ["ngày 1", "ngày 5"]


def test_texts_stored_before_a_better_masking_are_masked_again(backend, clock):
    store = RecordStore(backend.database(), today=clock)
    store.log_question("cli", "hộ nghèo", QuestionStatus.ANSWERED)
    # as if written by an older, weaker masking
    backend.execute("UPDATE questions SET question = ?, normalized = 'x'", (PERSONAL,))
    backend.execute("UPDATE meta SET value = ? WHERE key = 'mask_version'", (str(MASK_VERSION - 1),))
    [row] = RecordStore(backend.database(), today=clock).questions()
    assert (row.question, row.normalized) == (MASKED, normal_form(MASKED))


def test_a_database_from_a_newer_version_is_refused(backend):
    RecordStore(backend.database()).log_question("cli", "hộ nghèo", QuestionStatus.ANSWERED)
    backend.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(RuntimeError, match="phiên bản 99"):
        RecordStore(backend.database()).questions()


def test_a_database_of_the_first_release_is_kept_and_brought_up_to_date(backend, clock):
    """What the first release wrote (its tables, ``schema_version`` 1) is read as it is."""
    store = RecordStore(backend.database(), today=clock)
    store.log_question("cli", "hộ nghèo", QuestionStatus.ANSWERED)
    assert backend.execute("SELECT value FROM meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
    backend.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    again = RecordStore(backend.database(), today=clock)
    again.log_question("cli", "hộ cận nghèo", QuestionStatus.ANSWERED)
    assert [r.question for r in again.questions()] == ["hộ nghèo", "hộ cận nghèo"]


def test_replicas_starting_together_create_the_schema_once(backend, clock):
    """Several stores (replicas) on one database, first writes at once: every row is kept and
    the schema is created once (PostgreSQL: an advisory lock around the migrations)."""
    stores = [RecordStore(backend.database(), today=clock) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda n: stores[n].record_vote("api", answer_key=f"k{n}", question="q", answer="a", passage_ids=(), vote=1), range(4)))
    assert sorted(r.answer_key for r in stores[0].feedback()) == ["k0", "k1", "k2", "k3"]


def test_portable_sql_in_psycopgs_style():
    assert postgres_sql("SELECT a::text FROM t WHERE x = :x AND y LIKE '5%' AND z = :z_1") == "SELECT a::text FROM t WHERE x = %(x)s AND y LIKE '5%%' AND z = %(z_1)s"


@pytest.mark.parametrize(
    "url, shown",
    [
        ("postgresql://tro_ly:mat-khau@db.internal:5432/tro_ly", "postgresql://tro_ly:***@db.internal:5432/tro_ly"),
        ("redis://:mat-khau@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        ("postgresql://tro_ly@db/tro_ly", "postgresql://tro_ly@db/tro_ly"),
    ],
)
def test_urls_are_shown_without_their_password(url, shown):
    assert redact(url) == shown
    assert "mat-khau" not in PostgresDatabase(url).describe()


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
