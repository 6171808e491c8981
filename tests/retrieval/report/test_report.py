"""retrieval.report: the cadres' report over stored rows — grouping, 👎, coverage, citations,
filters, CSV — and the CLI command."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date, timedelta

import pytest

from retrieval.cli import main
from retrieval.privacy import mask
from retrieval.records import FeedbackRecord, QuestionRecord, QuestionStatus, RecordStore, SQLiteDatabase, normal_form
from retrieval.report import build_report, group_questions, to_csv, to_text
from retrieval.report.grouping import same_question

from tests.conftest import make_settings
from support.generated_questions import SIZES_200, TOPICS, generate

START = date(2026, 9, 7)  # a Monday


def _question(text: str, status=QuestionStatus.NOT_COVERED, day=START, face="telegram", cited=(), nearest=None) -> QuestionRecord:
    masked = mask(text).text
    docs = tuple(dict.fromkeys(p.rsplit("-", 1)[0] for p in (*cited, *([nearest] if nearest else []))))
    return QuestionRecord(day, face, masked, normal_form(masked), status, tuple(cited), nearest or (cited[0] if cited else None), docs)


@pytest.fixture(scope="module")
def seeded():
    """The seeded 200 generated questions, masked as the store keeps them, over 10 weeks."""
    generated = generate()
    return generated, [mask(g.text).text for g in generated]


def test_the_seeded_200_questions_fall_into_their_topics(seeded):
    generated, texts = seeded
    groups = group_questions(texts)
    assert len(groups) == len(TOPICS)
    topics = [Counter(generated[i].topic for i in g) for g in groups]
    assert all(len(t) == 1 for t in topics), topics  # no group mixes two needs
    assert [(t.most_common(1)[0], ) for t in topics] == [((topic, size),) for topic, size in sorted(SIZES_200.items(), key=lambda kv: -kv[1])]


def test_the_report_names_each_group_by_its_clearest_most_asked_wording(seeded):
    generated, texts = seeded
    rows = [
        _question(g.text, day=START + timedelta(days=(i * 7) % 70), face=("telegram", "widget")[i % 2], nearest=f"doc-{g.topic}-1")
        for i, g in enumerate(generated)
    ]
    report = build_report(rows, [], describe=lambda p: f"Văn bản — {p}")
    assert [g.count for g in report.not_covered] == sorted(SIZES_200.values(), reverse=True)
    for g in report.not_covered:
        topic = next(t for t, size in SIZES_200.items() if size == g.count)
        assert same_question(g.representative) == same_question(TOPICS[topic][0])  # the most asked wording…
        assert g.representative != g.representative.upper() and "<" not in g.representative  # …written clearly
        assert (g.passage_id, g.passage_label) == (f"doc-{topic}-1", f"Văn bản — doc-{topic}-1")
        days = [r.day for r, src in zip(rows, generated) if src.topic == topic]
        assert (g.first_day, g.last_day) == (min(days), max(days))
        assert g.faces == ("telegram", "widget") and len(g.examples) == 3
        assert "<" not in g.search_text


def test_disliked_answers_are_grouped_with_the_clause_they_cited():
    def vote(key, question, vote, cited=("ct19-4",), day=START):
        masked = mask(question).text
        return FeedbackRecord(key, day, "telegram", masked, normal_form(masked), "“…” [1]", cited, vote)

    votes = [
        vote("a", "Lãi suất vay vốn ngân hàng chính sách cho hộ nghèo là bao nhiêu?", -1),
        vote("b", "lai suat vay von ngan hang chinh sach cho ho ngheo la bao nhieu", -1, day=START + timedelta(days=3)),
        vote("c", "hộ nghèo vay vốn ngân hàng chính sách lãi suất bao nhiêu một tháng, sđt 0912345678", -1, cited=("kh24-2",)),
        vote("d", "Con hộ nghèo có được miễn học phí không?", -1, cited=("kh24-9",)),
        vote("e", "Con hộ nghèo có được miễn học phí không?", 1, cited=("kh24-9",)),
    ]
    report = build_report([], votes)
    assert [(g.count, g.passage_id, g.first_day, g.last_day) for g in report.disliked] == [
        (3, "ct19-4", START, START + timedelta(days=3)),
        (1, "kh24-9", START, START),
    ]
    assert report.disliked[0].representative == "Lãi suất vay vốn ngân hàng chính sách cho hộ nghèo là bao nhiêu?"
    assert report.votes == {"up": 1, "down": 4}


def test_coverage_per_week_and_face_and_the_most_cited_clauses():
    rows = [
        _question("hộ nghèo vay vốn ở đâu", QuestionStatus.ANSWERED, START, "telegram", cited=("ct19-4", "ct19-5")),
        _question("hộ nghèo vay vốn ở đâu", QuestionStatus.ANSWERED, START + timedelta(days=6), "telegram", cited=("ct19-4",)),
        _question("có phải hộ nghèo không", QuestionStatus.ELIGIBILITY_HINT, START + timedelta(days=2), "telegram"),
        _question("giá vàng hôm nay", QuestionStatus.NOT_COVERED, START + timedelta(days=1), "telegram", nearest="kh24-1"),
        _question("", QuestionStatus.REFUSED, START + timedelta(days=3), "widget"),
        _question("ai giám sát bình xét", QuestionStatus.ANSWERED, START + timedelta(days=7), "widget", cited=("kh24-2",)),  # next week
    ]
    report = build_report(rows, [])
    assert [(c.week, c.face, c.questions, c.answered, c.not_covered, c.refused) for c in report.coverage] == [
        (START, "telegram", 4, 3, 1, 0),
        (START, "widget", 1, 0, 0, 1),
        (START + timedelta(days=7), "widget", 1, 1, 0, 0),
    ]
    assert report.coverage[0].share == 0.75
    assert [(c.passage_id, c.count) for c in report.cited] == [("ct19-4", 2), ("ct19-5", 1), ("kh24-2", 1)]
    assert (report.questions, report.answered) == (6, 4)


def test_date_range_and_document_filters():
    rows = [
        _question("lãi suất vay vốn", day=START, nearest="ct19-4"),
        _question("lãi suất vay vốn ưu đãi", day=START + timedelta(days=10), nearest="kh24-3"),
        _question("hộ nghèo vay vốn ở đâu", QuestionStatus.ANSWERED, START + timedelta(days=10), cited=("ct19-4",)),
        _question("hộ nghèo vay vốn ở đâu", QuestionStatus.ANSWERED, START + timedelta(days=20), cited=("kh24-3",)),
    ]
    ranged = build_report(rows, [], since=START + timedelta(days=5), until=START + timedelta(days=10))
    assert ranged.questions == 2 and [g.passage_id for g in ranged.not_covered] == ["kh24-3"]
    one_document = build_report(rows, [], document_id="ct19")
    assert one_document.questions == 2 and [g.passage_id for g in one_document.not_covered] == ["ct19-4"]
    assert [c.passage_id for c in one_document.cited] == ["ct19-4"]


def test_a_document_filter_keeps_each_need_in_one_group(seeded):
    """Alone, one need's questions share their topic words, which then weigh nothing: they
    would split on chat words. The questions the filter leaves out still weigh the words."""
    generated, texts = seeded
    rows = [_question(t, nearest=("ct19-4" if g.topic == "lai_suat" else f"kh24-{len(g.topic)}")) for g, t in zip(generated, texts)]
    assert len(group_questions([t for g, t in zip(generated, texts) if g.topic == "lai_suat"])) > 1  # what the filter used to give
    report = build_report(rows, [], document_id="ct19")
    assert [g.count for g in report.not_covered] == [SIZES_200["lai_suat"]]
    assert same_question(report.not_covered[0].representative) == same_question(TOPICS["lai_suat"][0])


def test_csv_and_text_exports():
    rows = [_question("Lãi suất vay vốn ưu đãi bao nhiêu?", nearest="ct19-4"), _question("hộ nghèo vay vốn ở đâu", QuestionStatus.ANSWERED, cited=("ct19-4",))]
    report = build_report(rows, [], describe=lambda p: "Chỉ thị 19-CT/TU — 4. Tín dụng")
    table = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert [(r["muc"], r["noi_dung"], r["so_luong"]) for r in table] == [
        ("chua_co_van_ban", "Lãi suất vay vốn ưu đãi bao nhiêu?", "1"),
        ("do_phu_theo_tuan", f"tuần từ {START.isoformat()}", "2"),
        ("dieu_khoan_duoc_trich", "Chỉ thị 19-CT/TU — 4. Tín dụng", "1"),
    ]
    assert table[0]["doan_gan_nhat"] == "Chỉ thị 19-CT/TU — 4. Tín dụng" and table[1]["ty_le_tra_loi"] == "0.500"
    text = to_text(report)
    assert "1. [1 lần, 07/09/2026] Lãi suất vay vốn ưu đãi bao nhiêu?" in text and "Đoạn gần nhất tìm được: Chỉ thị 19-CT/TU — 4. Tín dụng" in text
    assert "2 câu hỏi, 1 câu được trả lời (50%)" in text


def test_an_empty_log_gives_an_empty_report():
    report = build_report([], [])
    assert (report.questions, report.not_covered, report.disliked, report.coverage, report.cited) == (0, (), (), (), ())
    assert "(không có)" in to_text(report)


# -- the CLI ---------------------------------------------------------------------------------------
def test_the_report_command_reads_the_records(tmp_path, capsys):
    settings = make_settings(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text(f'[records]\npath = "{settings.records_path.as_posix()}"\n[index]\ndir = "{(tmp_path / "index").as_posix()}"\n', encoding="utf-8")
    store = RecordStore(SQLiteDatabase(settings.records_path))
    store.log_question("cli", "Lãi suất vay vốn ưu đãi bao nhiêu? sđt 0912345678", QuestionStatus.NOT_COVERED, nearest_passage_id="ct19-4", on=date.today())
    store.log_question("widget", "hộ nghèo vay vốn ở đâu", QuestionStatus.ANSWERED, passage_ids=("ct19-4",), on=date.today() - timedelta(days=30))
    assert main(["--config", str(config), "report", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["questions"] == 2 and data["not_covered"][0]["representative"] == "Lãi suất vay vốn ưu đãi bao nhiêu? sđt <SĐT>"
    assert data["not_covered"][0]["search_text"] == "Lãi suất vay vốn ưu đãi bao nhiêu? sđt"
    assert data["not_covered"][0]["document_id"] == "ct19" and data["votes"] == {"up": 0, "down": 0}
    since = (date.today() - timedelta(days=7)).strftime("%d/%m/%Y")
    out = tmp_path / "report.csv"
    assert main(["--config", str(config), "report", "--from", since, "--csv", str(out)]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfmuc,")  # a BOM: Excel then reads it as UTF-8
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [r["muc"] for r in rows] == ["chua_co_van_ban", "do_phu_theo_tuan"]  # the answered question is older than --from
    assert main(["--config", str(config), "report", "--to", (date.today() - timedelta(days=1)).isoformat()]) == 0
    assert "1 câu hỏi, 1 câu được trả lời (100%)" in capsys.readouterr().out
