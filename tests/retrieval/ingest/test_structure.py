"""Structure parsing on each seed: known clauses land whole in one passage, at the right place."""

from pathlib import Path

import pytest

from retrieval.ingest.corpus import load_corpus
from retrieval.domain import Document, DocumentMetadata, PassageKind
from retrieval.ingest.structure import MAX_PASSAGE_CHARS, segment, strip_markdown

CORPUS = Path(__file__).resolve().parents[3] / "corpus"


@pytest.fixture(scope="module")
def passages_by_doc():
    corpus = load_corpus(CORPUS, CORPUS / "documents.json")
    return {d.id: segment(d) for d in corpus.documents}


def _holding(passages, needle):
    found = [p for p in passages if needle in p.text]
    assert len(found) == 1, f"{needle!r} is in {len(found)} passages"
    return found[0]


@pytest.mark.parametrize(
    "doc, clause_start, clause_end, location",
    [
        ("000_9518dc1484de870f", "6. Tiếp tục thực hiện hiệu quả tín dụng", "người nghèo, đối tượng yếu thế khác.", "6. Tiếp tục thực hiện hiệu quả tín dụng chính sách xã hội; hằng năm…"),
        ("000_9518dc1484de870f", "Ngày 29/11/2021, đồng chí Nguyễn Đức Thanh", "định hướng đến năm 2030", "Mở đầu › đoạn 1"),
        ("002_ddeff8346f0332a1", "Nghiên cứu đổi mới biện pháp, cách thức hỗ trợ hộ nghèo", "chủ động vươn lên thoát nghèo.", "4. Đẩy mạnh thực hiện công tác giảm nghèo bền vững › đoạn 1"),
        ("002_ddeff8346f0332a1", "5.2. Ban cán sự đảng Ủy ban nhân dân tỉnh", "trong thời gian đến.", "5. Tổ chức thực hiện › 5.2. Ban cán sự đảng Ủy ban nhân dân tỉnh tăng cường lãnh đạo, chỉ…"),
        ("003_4ecbad9378f82ec3", "Nâng cao chất lượng hoạt động của Ban Chỉ đạo rà soát hộ nghèo", "trong tình hình mới.", "II. Một số giải pháp chủ yếu để triển khai thực hiện nghị quyết 09 › 3. Tiếp tục đổi mới, nâng cao hiệu lực, hiệu quả công tác quản lý nhà… › đoạn 1"),
        ("003_4ecbad9378f82ec3", "Giai đoạn 2021- 2025: Giảm từ 0,1% đến 0,13% hộ nghèo", "giảm nghèo bền vững.", "I. Mục đích, yêu cầu › 3. Mục tiêu › 3.2. Mục tiêu cụ thể › đoạn 1"),
        ("004_b366543ccdd4efef", "5. Củng cố tổ chức bộ máy", "vùng khó khăn.", "5. Củng cố tổ chức bộ máy, nâng cao hiệu quả hoạt động của cơ quan…"),
    ],
)
def test_known_clause_is_one_passage_at_its_place(passages_by_doc, doc, clause_start, clause_end, location):
    passage = _holding(passages_by_doc[doc], clause_start)
    assert passage.text.startswith(clause_start)
    assert passage.text.endswith(clause_end)
    assert passage.location_text == location
    assert passage.kind is PassageKind.CLAUSE


def test_sentence_broken_by_a_page_break_is_rejoined(passages_by_doc):
    passage = _holding(passages_by_doc["002_ddeff8346f0332a1"], "công tác lãnh đạo, chỉ đạo, điều hành và tổ chức thực hiện của một số cấp ủy")
    assert "thực hiện của" in passage.text


def test_footnote_is_its_own_passage_pointing_to_its_reference(passages_by_doc):
    note = _holding(passages_by_doc["002_ddeff8346f0332a1"], "Chương trình xây dựng nông thôn mới giai đoạn 2021 - 2025; Chương trình giảm nghèo bền vững")
    assert note.kind is PassageKind.FOOTNOTE
    assert note.location[-1] == "Chú thích ¹"
    assert "03 Chương trình mục tiêu quốc gia" in note.context
    _holding(passages_by_doc["002_ddeff8346f0332a1"], "gắn với 03 Chương trình mục tiêu quốc gia¹")
    # the footnote sat between two halves of the next bullet: they are joined again
    _holding(passages_by_doc["002_ddeff8346f0332a1"], "hiệu quả toàn diện, thực chất công tác xây dựng nông thôn mới")


@pytest.mark.parametrize(
    "doc, needle, kind",
    [
        ("004_b366543ccdd4efef", "Thống kê truy cập", PassageKind.WEB_DEBRIS),
        ("004_b366543ccdd4efef", "Tổng số điểm của bài viết", PassageKind.WEB_DEBRIS),
        ("004_b366543ccdd4efef", "Thứ hai - 30/08/2021", PassageKind.WEB_DEBRIS),
        ("003_4ecbad9378f82ec3", "Thường trực Thành ủy", PassageKind.RECIPIENTS),
        ("003_4ecbad9378f82ec3", "Nguyễn Văn Triệu", PassageKind.SIGNATURE),
        ("002_ddeff8346f0332a1", "Bùi Thị Quỳnh Vân", PassageKind.SIGNATURE),
    ],
)
def test_debris_recipients_and_signatures_are_kept_but_never_searchable(passages_by_doc, doc, needle, kind):
    passage = _holding(passages_by_doc[doc], needle)
    assert passage.kind is kind and not passage.searchable


def test_no_passage_is_too_long_and_nothing_is_lost(passages_by_doc):
    for passages in passages_by_doc.values():
        assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in passages)
        assert all(p.text.strip() for p in passages)
        assert [p.ordinal for p in passages] == list(range(1, len(passages) + 1))


def test_long_paragraph_split_at_sentence_boundaries(passages_by_doc):
    parts = [p for p in passages_by_doc["000_9518dc1484de870f"] if p.location[-1].startswith("phần ")]
    assert len(parts) >= 2
    assert all(p.text.rstrip().endswith((".", ";", "…")) for p in parts[:-1])


@pytest.mark.parametrize(
    "text, location",
    [
        ("Chương I\nQUY ĐỊNH CHUNG\nĐiều 1. Phạm vi điều chỉnh\n1. Nghị định này quy định chuẩn nghèo đa chiều.\n2. Áp dụng cho hộ gia đình:\na) Hộ nghèo ở nông thôn có thu nhập thấp.\nb) Hộ cận nghèo ở thành thị có thu nhập thấp.", "Điều 1. Phạm vi điều chỉnh › Khoản 2 › Điểm b"),
    ],
)
def test_legal_structure_gives_dieu_khoan_diem(text, location):
    doc = Document("nd", "nd.txt", text, DocumentMetadata(title="Nghị định"), "0")
    passage = _holding(segment(doc), "Hộ cận nghèo ở thành thị")
    assert passage.location_text.endswith(location)


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("CHỈ THỊ**về tăng cường**", "CHỈ THỊ về tăng cường"),
        ("- **Giai đoạn 2021- 2025:** Giảm", "- Giai đoạn 2021- 2025: Giảm"),
        ("(*sau đây viết tắt là Nghị quyết*)", "(sau đây viết tắt là Nghị quyết)"),
        ("## Tiêu đề", "Tiêu đề"),
    ],
)
def test_strip_markdown(raw, clean):
    assert strip_markdown(raw) == clean
