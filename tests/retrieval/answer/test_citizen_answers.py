"""Answers to citizens: documents' own details, places, the asked detail, related clauses,
conversations (over the seed corpus, BM25 only, the fake embedder)."""

import pytest

from retrieval import AnswerStatus, Assistant, build

from tests.conftest import make_settings


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    import shutil

    from tests.conftest import SEED_CORPUS, FakeEmbedder

    root = tmp_path_factory.mktemp("citizen")
    shutil.copytree(SEED_CORPUS, root / "corpus")
    settings = make_settings(root, search={"mode": "bm25"})
    embedder = FakeEmbedder()
    build(settings, embedder)
    return Assistant.open(settings, embedder=embedder)


@pytest.mark.parametrize(
    "question, record, quoted",
    [
        ("Chỉ thị 19-CT/TU ký ngày nào?", "Ngày ban hành: 29/11/2021", "Ngày 29/11/2021"),
        ("Ai là người ký Chỉ thị 19-CT/TU?", "Người ký: Nguyễn Đức Thanh", "đồng chí Nguyễn Đức Thanh"),
        ("Chỉ thị của Quảng Ngãi: chữ ký ở cuối là thay mặt cơ quan nào?", "Người ký: Bùi Thị Quỳnh Vân", "T/M BAN THƯỜNG VỤ BÍ THƯ Bùi Thị Quỳnh Vân"),
        ("chuong trinh giam ngheo cua Bao Loc do ai ky", "Người ký: Nguyễn Văn Triệu", "T/M THÀNH ỦY BÍ THƯ Nguyễn Văn Triệu"),
        ("Kế hoạch 24 của Tiền Giang đăng trên trang web nào?", "", "Trang thông tin điện tử Ban Tuyên giáo Tỉnh uỷ Tiền Giang"),
        ("Chỉ thị NTM ở Quảng Ngãi bám theo nghị quyết nào của Tỉnh ủy?", "", "Nghị quyết số 02-NQ/TU ngày 17/8/2021"),
        ("Chương trình hành động của Bảo Lộc ban hành ngày nào?", "văn bản không ghi ngày ban hành", ""),
    ],
)
def test_questions_about_a_document_are_answered_from_its_record_and_own_words(assistant, question, record, quoted):
    answer = assistant.ask(question)
    assert answer.status is AnswerStatus.ANSWERED and answer.citations
    assert record in answer.preface and answer.text.startswith(answer.preface)
    assert quoted in answer.text
    for quote in answer.quotes:  # every quote is the document's own text, cited
        cited = " ".join(answer.citations[quote.citation_number - 1].hit.passage.text.split())
        assert quote.text.strip("…") in cited


def test_a_document_outside_the_corpus_is_no_document_question(assistant):
    answer = assistant.ask("Nghị quyết số 02-NQ/TU của Tỉnh ủy được ban hành ngày nào?")
    assert answer.found and "17/8/2021" in answer.text and not answer.preface


def test_a_place_no_document_covers_lists_the_places_covered(assistant):
    answer = assistant.ask("tui ở Bình Thuận cũ, giờ nhập vô Lâm Đồng, bên tui mỗi năm phải giảm mấy phần trăm hộ nghèo?")
    assert answer.status is AnswerStatus.NOT_COVERED and not answer.found and not answer.citations
    assert "Bình Thuận" in answer.text and "Ninh Thuận (nay thuộc Khánh Hòa)" in answer.text
    assert "thành phố Bảo Lộc, Lâm Đồng" in answer.text
    assert answer.related == ()  # another province's clauses would read as this one's policy


def test_topic_covered_but_not_the_asked_detail(assistant):
    answer = assistant.ask("Hộ nghèo, hộ cận nghèo được vay vốn tín dụng chính sách xã hội ở Ninh Thuận với lãi suất mấy %?")
    assert answer.status is AnswerStatus.NOT_STATED and not answer.found
    assert answer.text.startswith("Các văn bản có nói về") and "nhưng không nêu lãi suất" in answer.text
    data = answer.to_dict()
    assert data["status"] == "not_stated" and data["citations"] == []
    assert data["related"] and set(data["related"][0]) == {"passage_id", "text", "score", "location", "label", "document"}


def test_not_covered_is_short_and_offers_related_clauses(assistant):
    answer = assistant.ask("Giá vàng SJC hôm nay là bao nhiêu?")
    assert answer.status is AnswerStatus.NOT_COVERED
    assert "4 văn bản" in answer.text and "19-CT/TU" in answer.text and "và 1 văn bản khác" in answer.text
    assert len(answer.text) < 600
    assert len(answer.related) <= 3 and answer.to_dict()["related"] == [h.to_dict() for h in answer.related]


def test_the_sentence_with_the_figure_is_quoted_first(assistant):
    answer = assistant.ask("Tiền Giang phấn đấu đến năm 2025 tỷ lệ hộ nghèo còn bao nhiêu?")
    assert answer.found and "%" in answer.quotes[0].text


def test_follow_ups_read_the_conversation_and_a_new_place_replaces_the_old(assistant):
    history = ["Ninh Thuận làm gì để người nghèo bớt trông chờ, ỷ lại vào nhà nước vậy?"]
    answer = assistant.ask("vậy ở Quảng Ngãi thì sao", history=history)
    assert answer.found
    assert {c.hit.document.metadata.province for c in answer.citations} == {"Quảng Ngãi"}
    # several turns: the second follow-up still leans on the first question
    again = assistant.ask("thế Tiền Giang thì sao?", history=[*history, "vậy ở Quảng Ngãi thì sao"])
    assert again.retrieved and {h.document.metadata.province for h in again.retrieved} == {"Tiền Giang"}


def test_chat_language_is_read_not_counted_against_the_question(assistant):
    answer = assistant.ask("ba con minh ban nong san tren mang dc ko ad")
    assert answer.found, answer.text
    assert "thương mại điện tử" in answer.text


@pytest.mark.parametrize(
    "with_personal_data",
    [
        "anh Tuấn hỏi: hộ nghèo được vay vốn ưu đãi ở đâu? sđt 0912345678",
        "Tôi là Nguyễn Văn An, CCCD 079203001234. Hộ nghèo được vay vốn ưu đãi ở đâu?",
        "hộ nghèo được vay vốn ưu đãi ở đâu, email an.nguyen@gmail.com, thôn 3",
    ],
)
def test_personal_data_is_nothing_to_look_for(assistant, with_personal_data):
    """A name or a number no clause holds would count against the question's evidence: the
    question is read without them, so it is answered as it would be without them."""
    plain = assistant.ask("hộ nghèo được vay vốn ưu đãi ở đâu?")
    personal = assistant.ask(with_personal_data)
    assert plain.status is AnswerStatus.ANSWERED
    assert personal.status is AnswerStatus.ANSWERED
    assert plain.citations[0].hit.passage.id in [c.hit.passage.id for c in personal.citations]
