import json
from datetime import date

import pytest

from retrieval import (
    AnswerStatus,
    Assistant,
    Classification,
    Household,
    NoStandardError,
    build,
)
from retrieval.answer.pipeline import contextualize
from retrieval.eligibility.standards import BUNDLED_STANDARDS
from tests.conftest import make_settings


@pytest.mark.parametrize(
    "question, history, expected",
    [
        ("còn hộ cận nghèo thì sao?", ["Hộ nghèo được vay vốn ở đâu?"], "Hộ nghèo được vay vốn ở đâu? còn hộ cận nghèo thì sao?"),
        ("con ho can ngheo thi sao", ["ho ngheo vay von o dau"], "ho ngheo vay von o dau con ho can ngheo thi sao"),
        ("Tỷ lệ hộ nghèo của Tiền Giang năm 2025 là bao nhiêu?", ["Hộ nghèo được vay vốn ở đâu?"], "Tỷ lệ hộ nghèo của Tiền Giang năm 2025 là bao nhiêu?"),
        ("còn hộ cận nghèo thì sao?", [], "còn hộ cận nghèo thì sao?"),
    ],
)
def test_follow_up_questions_carry_the_previous_one(question, history, expected):
    assert contextualize(question, history) == expected


@pytest.fixture
def assistant(seed_built, fake_embedder):
    # the standard in force is chosen by date: fixed here, so no test depends on the clock
    settings = make_settings(seed_built, search={"mode": "bm25"}, eligibility={"as_of": "2026-06-01"})
    return Assistant.open(settings, embedder=fake_embedder)


@pytest.mark.parametrize(
    "question, status",
    [
        ("", AnswerStatus.INVALID_QUESTION),
        ("   \n ", AnswerStatus.INVALID_QUESTION),
        ("x" * 1001, AnswerStatus.INVALID_QUESTION),
        ("??? !!!", AnswerStatus.INVALID_QUESTION),
        ("Giá vàng SJC hôm nay là bao nhiêu?", AnswerStatus.NOT_COVERED),
        ("Thủ tục đăng ký kết hôn cần giấy tờ gì?", AnswerStatus.NOT_COVERED),
        ("Chính sách tín dụng cho hộ nghèo được thực hiện qua ngân hàng nào?", AnswerStatus.ANSWERED),
    ],
)
def test_status(assistant, question, status):
    answer = assistant.ask(question)
    assert answer.status is status
    assert answer.found is (status is AnswerStatus.ANSWERED)
    assert answer.text


def test_answer_quotes_document_text_and_cites_it(assistant):
    answer = assistant.ask("Chính sách tín dụng cho hộ nghèo được thực hiện qua ngân hàng nào?")
    assert "Ngân hàng Chính sách xã hội" in answer.text
    for quote in answer.quotes:
        cited = answer.citations[quote.citation_number - 1].hit.passage.text
        assert quote.text.strip("…") in cited.replace("\n", " ")
        assert f"“{quote.text}” [{quote.citation_number}]" in answer.text
    data = answer.to_dict()
    assert set(data) == {"question", "found", "status", "answer", "citations", "related"}
    assert data["related"] == []  # related clauses come only with an answer that is not one
    assert data["citations"][0]["number"] == 1 and data["citations"][0]["document"]["code"]


def test_not_covered_message_names_what_is_covered(assistant):
    answer = assistant.ask("Kết quả trận bóng đá tối qua thế nào?")
    assert not answer.citations
    assert "19-CT/TU" in answer.text and "4 văn bản" in answer.text


# -- eligibility questions in free text --------------------------------------------------------
ELIGIBILITY_Q = "thu nhap 1 trieu mot thang o nong thon co phai ho ngheo khong"
# an eligibility question the documents also speak to (tín dụng chính sách for hộ cận nghèo)
ELIGIBILITY_COVERED_Q = "thu nhập 1 triệu có phải hộ cận nghèo không, hộ cận nghèo được tín dụng chính sách xã hội không"


def test_an_eligibility_question_gets_the_rule_not_not_covered(assistant):
    answer = assistant.ask(ELIGIBILITY_Q)
    assert answer.status is AnswerStatus.ELIGIBILITY_HINT and answer.found
    assert answer.text == answer.preface
    assert "1.500.000 đồng/người/tháng ở nông thôn" in answer.text and "Nghị định 07/2021/NĐ-CP" in answer.text
    assert "/kiemtra" in answer.text
    assert answer.citations == () and answer.to_dict()["status"] == "eligibility_hint"


def test_an_eligibility_question_the_documents_cover_gets_the_rule_then_quotes(assistant):
    answer = assistant.ask(ELIGIBILITY_COVERED_Q)
    assert answer.status is AnswerStatus.ELIGIBILITY_HINT
    assert answer.citations and answer.quotes
    assert answer.text.startswith(answer.preface + "\n\n“")
    for quote in answer.quotes:
        assert f"“{quote.text}” [{quote.citation_number}]" in answer.text


def test_no_hint_when_no_standard_is_in_force(seed_copy, fake_embedder, tmp_path):
    data = json.loads(BUNDLED_STANDARDS.read_text(encoding="utf-8"))
    data["periods"] = [{**data["periods"][0], "effective_from": "2999-01-01", "effective_to": None}]
    path = tmp_path / "future.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    settings = make_settings(seed_copy, search={"mode": "bm25"}, eligibility={"standards_file": str(path)})
    build(settings, fake_embedder)
    answer = Assistant.open(settings, embedder=fake_embedder).ask(ELIGIBILITY_Q)
    assert answer.status is AnswerStatus.NOT_COVERED and answer.preface == ""


def test_support_for_a_group_quotes_passages_that_name_it(assistant):
    support = assistant.support_for(Classification.NEAR_POOR)
    assert 1 <= len(support) <= assistant.settings.eligibility.support_passages
    assert [c.number for c in support] == list(range(1, len(support) + 1))
    assert all("cận nghèo" in c.hit.passage.text for c in support)
    assert all("hộ nghèo" in c.hit.passage.text for c in assistant.support_for("poor"))
    assert assistant.support_for(Classification.ABOVE_AVERAGE_LIVING) == []
    assert assistant.support_for("near_poor", k=1) == support[:1]
    assert assistant.support_for("near_poor", k=0) == []


def test_check_eligibility_through_the_assistant(assistant):
    period = assistant.eligibility_period(date(2024, 1, 1))
    answers = {i.id: False for i in period.indicators}  # nothing deprived
    result = assistant.check_eligibility(Household("urban", 2, 4_000_000, answers), on=date(2024, 1, 1))
    assert result.classification is Classification.NEAR_POOR and result.checked_on == date(2024, 1, 1)
    # no date given: [eligibility] as_of (else today)
    assert assistant.check_eligibility(Household("urban", 2, 4_000_000, answers)).checked_on == date(2026, 6, 1)
    with pytest.raises(NoStandardError):
        assistant.check_eligibility(Household("urban", 2, 4_000_000, answers), on=date(2020, 1, 1))


def test_markup_in_a_question_is_not_a_word_to_look_for(assistant):
    # "&" is no word either: the plain question has nothing in its place (with phrases as BM25
    # terms, "và" would be a different question: "nghèo và", "và cận")
    plain = assistant.ask("hộ nghèo cận nghèo được vay vốn ở đâu?")
    marked = assistant.ask("<b>hộ nghèo</b> & cận nghèo được vay vốn ở đâu?")
    assert plain.found and marked.found
    assert [c.hit.passage.id for c in marked.citations] == [c.hit.passage.id for c in plain.citations]


@pytest.mark.parametrize("question", ["hộ nghèo được hỗ trợ gì?", "tuyên truyền giảm nghèo thế nào?"])
def test_quotes_come_from_different_clauses_before_a_second_from_any(assistant, question):
    answer = assistant.ask(question)
    assert answer.found and len(answer.quotes) == assistant.settings.answer.max_quotes
    # three clauses came close enough to be quoted: one sentence of each, not three of the first
    assert len(answer.citations) == len(answer.quotes)


def test_a_clause_gives_a_second_sentence_only_when_no_other_clause_comes_close(seed_built, fake_embedder):
    settings = make_settings(seed_built, search={"mode": "bm25"}, answer={"passages_considered": 1}, eligibility={"as_of": "2026-06-01"})
    answer = Assistant.open(settings, embedder=fake_embedder).ask("tuyên truyền giảm nghèo thế nào?")
    assert len(answer.citations) == 1 and len(answer.quotes) > 1

