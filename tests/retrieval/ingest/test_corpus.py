import json
from datetime import date

import pytest

from retrieval.ingest.corpus import guess_metadata, load_corpus
from retrieval.domain import DocumentMetadata
from retrieval.errors import CorpusError


def _write_metadata(root, entries):
    (root / "corpus" / "documents.json").write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("latin1.txt", "Hộ nghèo".encode("cp1258", errors="replace") + b"\xe9\xff", "không phải UTF-8"),
        ("empty.txt", b"   \n", "tệp rỗng"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "nhị phân"),
        ("broken.pdf", b"%PDF-1.4", "PDF bị hỏng"),
        ("old.doc", b"\xd0\xcf\x11\xe0 word 97", "chưa được hỗ trợ"),
    ],
)
def test_bad_file_is_skipped_by_name_and_the_rest_load(seed_copy, name, content, reason):
    (seed_copy / "corpus" / name).write_bytes(content)
    corpus = load_corpus(seed_copy / "corpus", seed_copy / "corpus" / "documents.json")
    assert len(corpus.documents) == 4
    [skipped] = corpus.skipped
    assert skipped.path.name == name and reason in skipped.reason
    assert name in str(skipped)


def test_metadata_is_read_from_the_file(seed_copy):
    corpus = load_corpus(seed_copy / "corpus", seed_copy / "corpus" / "documents.json")
    doc = corpus.by_id()["000_9518dc1484de870f"]
    assert doc.metadata.code == "19-CT/TU"
    assert doc.metadata.date.isoformat() == "2021-11-29"
    assert doc.to_dict()["source_file"] == "000_9518dc1484de870f.txt"


def test_a_document_without_metadata_still_loads_with_a_guessed_title(seed_copy):
    (seed_copy / "corpus" / "moi.md").write_text("# KẾ HOẠCH số 12-KH/UBND\nVề hỗ trợ hộ cận nghèo\n\n1. Hỗ trợ vay vốn.\n", encoding="utf-8")
    corpus = load_corpus(seed_copy / "corpus", seed_copy / "corpus" / "documents.json")
    doc = corpus.by_id()["moi"]
    assert doc.metadata.title == "KẾ HOẠCH số 12-KH/UBND"
    assert doc.metadata.type == "kế hoạch" and doc.metadata.code == "12-KH/UBND"
    assert any("moi.md" in w for w in corpus.warnings)


@pytest.mark.parametrize(
    "entries, message",
    [
        ({"file": "x"}, "phải là một danh sách"),
        ([{"title": "no file"}], "thiếu trường 'file'"),
        ([{"file": "a.txt", "colour": "red"}], "trường lạ"),
    ],
)
def test_invalid_metadata_file_is_refused_clearly(seed_copy, entries, message):
    _write_metadata(seed_copy, entries)
    with pytest.raises(CorpusError, match=message):
        load_corpus(seed_copy / "corpus", seed_copy / "corpus" / "documents.json")


def test_bad_date_skips_only_that_document(seed_copy):
    entries = json.loads((seed_copy / "corpus" / "documents.json").read_text(encoding="utf-8"))
    entries[0]["date"] = "29/11/2021"
    _write_metadata(seed_copy, entries)
    corpus = load_corpus(seed_copy / "corpus", seed_copy / "corpus" / "documents.json")
    assert len(corpus.documents) == 3 and "YYYY-MM-DD" in corpus.skipped[0].reason


def test_guess_metadata_invents_nothing():
    meta = guess_metadata("Một bài viết\n\nNội dung.")
    assert meta.title == "Một bài viết" and meta.code is None and meta.type is None


UBND_HEADER = """ỦY BAN NHÂN DÂN
TỈNH QUẢNG NGÃI
-------
Số: 123/KH-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------
Quảng Ngãi, ngày 10 tháng 3 năm 2022
KẾ HOẠCH
Thực hiện giảm nghèo bền vững năm 2022
I. MỤC ĐÍCH
1. Hỗ trợ hộ nghèo.
"""

PARTY_HEADER = """TỈNH ỦY NINH THUẬN
*
Số 19-CT/TU
ĐẢNG CỘNG SẢN VIỆT NAM
Ninh Thuận, ngày 29 tháng 11 năm 2021
CHỈ THỊ
Về tăng cường sự lãnh đạo của cấp ủy Đảng đối với công tác giảm nghèo bền vững
"""

DECREE_HEADER = """CHÍNH PHỦ
Số: 07/2021/NĐ-CP
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Hà Nội, ngày 27 tháng 01 năm 2021
NGHỊ ĐỊNH
Quy định chuẩn nghèo đa chiều giai đoạn 2021 - 2025
"""

NEWS_PAGE = """Tiền Giang thực hiện mục tiêu giảm nghèo
Thứ hai - 30/08/2021 00:44
Ngày 16/8/2021, Ban Thường vụ Tỉnh ủy ban hành Kế hoạch 24-KH/TU về thực hiện Chỉ thị 05-CT/TW ngày 23 tháng 6 năm 2021.
"""


@pytest.mark.parametrize(
    "text, expected",
    [
        (UBND_HEADER, {"title": "Kế hoạch thực hiện giảm nghèo bền vững năm 2022", "type": "kế hoạch", "code": "123/KH-UBND", "issuer": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "province": "Quảng Ngãi", "date": date(2022, 3, 10)}),
        (PARTY_HEADER, {"type": "chỉ thị", "code": "19-CT/TU", "issuer": "TỈNH ỦY NINH THUẬN", "province": "Ninh Thuận", "date": date(2021, 11, 29)}),
        (DECREE_HEADER, {"title": "Nghị định quy định chuẩn nghèo đa chiều giai đoạn 2021 - 2025", "code": "07/2021/NĐ-CP", "issuer": "CHÍNH PHỦ", "province": "Hà Nội", "date": date(2021, 1, 27)}),
        # a news page: the code it mentions, but no issuer and no date from the story's narrative
        (NEWS_PAGE, {"title": "Tiền Giang thực hiện mục tiêu giảm nghèo", "code": "24-KH/TU", "issuer": None, "date": None}),
        ("Một bài viết\n\nNội dung.", {"title": "Một bài viết", "code": None, "type": None, "issuer": None, "province": None, "date": None}),
        ("ỦY BAN NHÂN DÂN\nSố: 5/KH-UBND\nngày 31 tháng 2 năm 2022\nKẾ HOẠCH\nAbc", {"code": "5/KH-UBND", "date": None, "issuer": "ỦY BAN NHÂN DÂN"}),  # no 31 February
    ],
)
def test_guess_metadata_reads_the_header(text, expected):
    meta = guess_metadata(text)
    assert {key: getattr(meta, key) for key in expected} == expected


def test_validity_metadata_is_read_and_checked(seed_copy):
    entries = json.loads((seed_copy / "corpus" / "documents.json").read_text(encoding="utf-8"))
    entries[0] |= {"effective_from": "2021-11-29", "effective_to": "2025-12-31", "replaced_by": "Chỉ thị 30-CT/TU"}
    entries[1] |= {"effective_from": "2022-01-01", "effective_to": "2021-01-01"}
    _write_metadata(seed_copy, entries)
    corpus = load_corpus(seed_copy / "corpus", seed_copy / "corpus" / "documents.json")
    [skipped] = corpus.skipped
    assert skipped.path.name == entries[1]["file"] and "hết hiệu lực trước" in skipped.reason
    meta = corpus.by_id()[entries[0]["file"].removesuffix(".txt")].metadata
    assert (meta.effective_from, meta.effective_to, meta.replaced_by) == (date(2021, 11, 29), date(2025, 12, 31), "Chỉ thị 30-CT/TU")


@pytest.mark.parametrize(
    "fields, on, in_force, note",
    [
        ({}, date(2024, 1, 1), True, None),
        ({"effective_from": date(2022, 1, 1)}, date(2021, 12, 31), False, "có hiệu lực từ 01/01/2022"),
        ({"effective_from": date(2022, 1, 1)}, date(2022, 1, 1), True, None),
        ({"effective_to": date(2025, 12, 31)}, date(2025, 12, 31), True, None),
        ({"effective_to": date(2025, 12, 31)}, date(2026, 1, 1), False, "hết hiệu lực từ 01/01/2026"),
        ({"replaced_by": "Kế hoạch 99-KH/TU"}, date(2024, 1, 1), False, "đã được thay thế bởi Kế hoạch 99-KH/TU"),
    ],
)
def test_in_force_on_a_day(fields, on, in_force, note):
    meta = DocumentMetadata(title="x", **fields)
    assert meta.in_force(on) is in_force
    assert meta.validity_note(on) == note
