"""Every supported format read into plain text, from files the tests write themselves; every
unusable file refused with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.ingest.corpus import load_corpus
from retrieval.errors import CorpusError
from retrieval.ingest.formats import read_document, reflow_pdf_lines

FONT_CANDIDATES = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), Path("/usr/share/fonts/dejavu/DejaVuSans.ttf")]

PARAGRAPHS = [
    "KẾ HOẠCH",
    "Thực hiện Chương trình mục tiêu quốc gia giảm nghèo bền vững năm 2024",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "1. Hỗ trợ hộ nghèo, hộ cận nghèo tiếp cận vốn tín dụng chính sách để phát triển sản xuất, tạo việc làm bền vững và nâng cao thu nhập cho người lao động ở vùng đồng bào dân tộc thiểu số.",
    "2. Mỗi hộ nghèo được hỗ trợ tối đa 40 triệu đồng để xây mới nhà ở.",
    "a) Ưu tiên hộ có người khuyết tật.",
    "II. TỔ CHỨC THỰC HIỆN",
    "Ủy ban nhân dân xã chủ trì rà soát hộ nghèo hằng năm.",
]


def _font() -> Path:
    for path in FONT_CANDIDATES:
        if path.exists():
            return path
    pytest.fail("DejaVuSans.ttf is missing: scripts/test.sh installs fonts-dejavu-core")


def write_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    for text in PARAGRAPHS[:5]:
        document.add_paragraph(text)
    table = document.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "Chỉ tiêu", (0, 1): "Năm 2024", (1, 0): "Tỷ lệ hộ nghèo giảm", (1, 1): "1,5%"}.items():
        table.cell(r, c).text = text
    for text in PARAGRAPHS[5:]:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def write_pdf(path: Path, with_text: bool = True) -> Path:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    if with_text:
        pdf.add_font("DejaVu", fname=str(_font()))
        pdf.set_font("DejaVu", size=12)
        for text in PARAGRAPHS:
            pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")  # long paragraphs wrap over lines
    else:  # what a scanner produces: pictures of pages, no text layer
        for row in range(40):
            pdf.set_fill_color(30 + row, 30, 30)
            pdf.rect(20, 20 + row * 6, 150 - (row % 7) * 10, 3, style="F")
    pdf.output(str(path))
    return path


HTML_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Kế hoạch giảm nghèo</title></head><body>
<header><nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/tin-tuc">Tin tức</a></li><li><a href="/van-ban">Văn bản</a></li></ul></nav></header>
<aside class="sidebar"><h3>Liên kết website</h3><ul><li><a href="https://chinhphu.vn">Cổng thông tin điện tử Chính phủ</a></li><li><a href="https://molisa.gov.vn">Bộ Lao động</a></li></ul>
<p>Số lượt truy cập: 1.234.567</p></aside>
<main><article>
<h1>KẾ HOẠCH Thực hiện Chương trình mục tiêu quốc gia giảm nghèo bền vững năm 2024</h1>
<p>I. MỤC ĐÍCH, YÊU CẦU</p>
<p>1. Hỗ trợ hộ nghèo, hộ cận nghèo tiếp cận vốn tín dụng chính sách để phát triển sản xuất, tạo việc làm bền vững và nâng cao thu nhập cho người lao động ở vùng đồng bào dân tộc thiểu số.</p>
<p>2. Mỗi hộ nghèo được hỗ trợ tối đa 40 triệu đồng để xây mới nhà ở.</p>
<ul><li>a) Ưu tiên hộ có người khuyết tật.</li></ul>
<table><tr><td>Chỉ tiêu</td><td>Năm 2024</td></tr><tr><td>Tỷ lệ hộ nghèo giảm</td><td>1,5%</td></tr></table>
<p>II. TỔ CHỨC THỰC HIỆN</p>
<p>Ủy ban nhân dân xã chủ trì rà soát hộ nghèo hằng năm.</p>
</article></main>
<footer><p>Bản quyền © 2024 Ủy ban nhân dân tỉnh. Địa chỉ: số 1 đường Trần Hưng Đạo.</p><p>Đánh giá bài viết: ★★★★☆ (12 lượt)</p></footer>
</body></html>"""

DEBRIS = ["Trang chủ", "Liên kết website", "lượt truy cập", "Bản quyền", "Đánh giá bài viết", "Cổng thông tin điện tử Chính phủ"]


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def test_docx_gives_paragraphs_and_table_rows_in_order(tmp_path):
    lines = _lines(read_document(write_docx(tmp_path / "kh.docx")))
    assert lines == PARAGRAPHS[:5] + ["Chỉ tiêu | Năm 2024", "Tỷ lệ hộ nghèo giảm | 1,5%"] + PARAGRAPHS[5:]


def test_pdf_text_layer_gives_whole_paragraphs(tmp_path):
    lines = _lines(read_document(write_pdf(tmp_path / "kh.pdf")))
    assert lines == PARAGRAPHS  # the long item, wrapped over lines in the PDF, is one line again


def test_html_keeps_the_main_content_and_drops_the_debris(tmp_path):
    (tmp_path / "trang.html").write_text(HTML_PAGE, encoding="utf-8")
    text = read_document(tmp_path / "trang.html")
    lines = _lines(text)
    for paragraph in PARAGRAPHS[2:]:
        assert paragraph in lines
    assert "Chỉ tiêu | Năm 2024" in lines
    for debris in DEBRIS:
        assert debris.casefold() not in text.casefold(), debris


@pytest.mark.parametrize(
    "name, make, reason",
    [
        ("scan.pdf", lambda p: write_pdf(p, with_text=False), "OCR"),
        ("truncated.pdf", lambda p: p.write_bytes(write_pdf(p).read_bytes()[:400]), "PDF"),
        ("garbage.pdf", lambda p: p.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20), "PDF"),
        ("truncated.docx", lambda p: p.write_bytes(write_docx(p).read_bytes()[:1500]), ".docx"),
        ("not-a-zip.docx", lambda p: p.write_bytes(b"PK\x03\x04 this is not really a zip file"), ".docx"),
        ("empty.docx", lambda p: p.write_bytes(b""), ".docx"),
        ("empty.html", lambda p: p.write_bytes(b"  "), "rỗng"),
        ("nav-only.html", lambda p: p.write_text("<html><body><nav><a href='/'>Trang chủ</a></nav></body></html>", encoding="utf-8"), "nội dung chính"),
        ("old.doc", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0"), "chưa được hỗ trợ"),
    ],
)
def test_unusable_files_are_refused_with_their_reason(tmp_path, name, make, reason):
    path = tmp_path / name
    make(path)
    with pytest.raises(CorpusError, match=reason):
        read_document(path)


def test_a_bad_file_of_each_format_leaves_the_others_loading(seed_copy):
    corpus_dir = seed_copy / "corpus"
    write_docx(corpus_dir / "kh-word.docx")
    write_pdf(corpus_dir / "kh-pdf.pdf")
    (corpus_dir / "kh-web.html").write_text(HTML_PAGE, encoding="utf-8")
    write_pdf(corpus_dir / "scan.pdf", with_text=False)
    (corpus_dir / "hong.docx").write_bytes(b"PK\x03\x04 broken")
    corpus = load_corpus(corpus_dir, corpus_dir / "documents.json")
    assert {d.source_file for d in corpus.documents} >= {"kh-word.docx", "kh-pdf.pdf", "kh-web.html"}
    assert len(corpus.documents) == 7
    assert {s.path.name: ("OCR" in s.reason or ".docx" in s.reason) for s in corpus.skipped} == {"scan.pdf": True, "hong.docx": True}


def test_the_same_document_in_two_formats_is_loaded_once(seed_copy):
    corpus_dir = seed_copy / "corpus"
    write_docx(corpus_dir / "kh.docx")
    write_pdf(corpus_dir / "kh.pdf")
    corpus = load_corpus(corpus_dir, corpus_dir / "documents.json")
    assert [d.source_file for d in corpus.documents if d.id == "kh"] == ["kh.docx"]
    assert [(s.path.name, "trùng" in s.reason) for s in corpus.skipped] == [("kh.pdf", True)]


@pytest.mark.parametrize(
    "page, expected",
    [
        ("Một câu rất dài được ngắt dòng ở giữa vì khổ giấy\nkhông đủ rộng để chứa hết.", ["Một câu rất dài được ngắt dòng ở giữa vì khổ giấy không đủ rộng để chứa hết."]),
        ("KẾ HOẠCH\nThực hiện giảm nghèo", ["KẾ HOẠCH", "Thực hiện giảm nghèo"]),  # a short line ends its paragraph
        ("Các nhiệm vụ trọng tâm của năm gồm những việc sau\n1. Rà soát hộ nghèo", ["Các nhiệm vụ trọng tâm của năm gồm những việc sau", "1. Rà soát hộ nghèo"]),
        ("Dòng này kết thúc một câu hoàn chỉnh ở cuối.\nDòng sau là đoạn mới", ["Dòng này kết thúc một câu hoàn chỉnh ở cuối.", "Dòng sau là đoạn mới"]),
        ("Phấn đấu giảm tỷ lệ hộ nghèo bình quân 1,5% mỗi năm giai đoạn 2021-\n2025 theo chuẩn mới", ["Phấn đấu giảm tỷ lệ hộ nghèo bình quân 1,5% mỗi năm giai đoạn 2021-2025 theo chuẩn mới"]),
        ("", []),
    ],
)
def test_reflow_pdf_lines(page, expected):
    assert _lines(reflow_pdf_lines(page)) == expected
