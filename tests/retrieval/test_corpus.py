import json

import pytest

from retrieval.corpus import guess_metadata, load_corpus
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
