import pytest

from retrieval import AnswerStatus, Assistant, build
from retrieval.answer import contextualize

from ..conftest import make_settings


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
def assistant(seed_copy, fake_embedder):
    settings = make_settings(seed_copy, search={"mode": "bm25"})
    build(settings, fake_embedder)
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
    assert set(data) == {"question", "found", "status", "answer", "citations"}
    assert data["citations"][0]["number"] == 1 and data["citations"][0]["document"]["code"]


def test_not_covered_message_names_what_is_covered(assistant):
    answer = assistant.ask("Kết quả trận bóng đá tối qua thế nào?")
    assert not answer.citations
    assert "19-CT/TU" in answer.text and "4 văn bản" in answer.text
