"""Corpus administration: adding, replacing and removing documents keeps the folder and its
metadata file consistent, refuses what cannot be used, and the next build sees the change."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from retrieval import Assistant, build
from retrieval.ingest.catalog import Catalog
from retrieval.ingest.corpus import document_id_for, load_corpus
from retrieval.errors import CorpusError

from tests.conftest import make_settings
from .test_formats import write_docx, write_pdf

NEW_PLAN = """ỦY BAN NHÂN DÂN
TỈNH KON TUM
Số: 88/KH-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Kon Tum, ngày 3 tháng 4 năm 2024
KẾ HOẠCH
Hỗ trợ hộ nghèo nuôi bò sinh sản năm 2024
I. NỘI DUNG
1. Mỗi hộ nghèo tham gia mô hình được hỗ trợ một con bò cái giống và 2 triệu đồng làm chuồng trại.
"""


def _write(path, content: bytes):
    path.write_bytes(content)
    return path


@pytest.fixture
def catalog(seed_copy):
    settings = make_settings(seed_copy)
    return settings, Catalog(settings)


@pytest.mark.parametrize(
    "file_name, expected",
    [
        ("000_9518dc1484de870f.txt", "000_9518dc1484de870f"),
        ("Kế hoạch 2024.docx", "ke-hoach-2024"),
        ("Quyết định số 12_QĐ.pdf", "quyet-dinh-so-12_qd"),
        ("!!!.html", "van-ban"),
    ],
)
def test_document_ids_are_url_safe(file_name, expected):
    assert document_id_for(file_name) == expected


def test_add_reads_the_header_and_the_cadres_values_win(catalog, tmp_path):
    settings, cat = catalog
    source = tmp_path / "kh 88.txt"
    source.write_text(NEW_PLAN, encoding="utf-8")
    added = cat.add(source, {"province": "Kon Tum", "effective_from": "01/05/2024", "title": None})
    assert added.document_id == "kh-88" and added.file == "kh-88.txt"
    assert added.guessed["code"] == "88/KH-UBND" and added.guessed["date"] == "2024-04-03"
    assert added.entry["effective_from"] == "2024-05-01"  # DD/MM/YYYY accepted, stored ISO
    assert added.entry["title"] == "Kế hoạch hỗ trợ hộ nghèo nuôi bò sinh sản năm 2024"  # None leaves the guess
    corpus = load_corpus(settings.corpus_dir, settings.metadata_path)
    meta = corpus.by_id()["kh-88"].metadata
    assert (meta.code, meta.issuer, str(meta.date), str(meta.effective_from)) == ("88/KH-UBND", "ỦY BAN NHÂN DÂN TỈNH KON TUM", "2024-04-03", "2024-05-01")
    assert not corpus.skipped and not corpus.warnings


@pytest.mark.parametrize(
    "make, values, message",
    [
        (lambda p: write_pdf(p.with_suffix(".pdf"), with_text=False), {}, "OCR"),
        (lambda p: _write(p.with_suffix(".doc"), b"\xd0\xcf\x11\xe0"), {}, "chưa được hỗ trợ"),
        (lambda p: _write(p.with_suffix(".txt"), NEW_PLAN.encode()), {"date": "31/02/2024"}, "không phải ngày hợp lệ"),
        (lambda p: _write(p.with_suffix(".txt"), NEW_PLAN.encode()), {"effective_from": "2025-01-01", "effective_to": "2024-01-01"}, "hết hiệu lực trước"),
        (lambda p: _write(p.with_suffix(".txt"), NEW_PLAN.encode()), {"colour": "đỏ"}, "không được hỗ trợ"),
    ],
)
def test_add_refuses_without_writing_anything(catalog, tmp_path, make, values, message):
    settings, cat = catalog
    before = sorted(p.name for p in settings.corpus_dir.iterdir()), settings.metadata_path.read_bytes()
    source = make(tmp_path / "upload")
    with pytest.raises(CorpusError, match=message):
        cat.add(source, values)
    assert (sorted(p.name for p in settings.corpus_dir.iterdir() if p.name != ".lock"), settings.metadata_path.read_bytes()) == before


def test_an_existing_id_needs_replace(catalog, tmp_path):
    settings, cat = catalog
    write_docx(tmp_path / "kh.docx")
    cat.add(tmp_path / "kh.docx")
    write_pdf(tmp_path / "kh.pdf")
    with pytest.raises(CorpusError, match="--replace"):
        cat.add(tmp_path / "kh.pdf")
    cat.add(tmp_path / "kh.pdf", replace=True)  # the same document, now as a PDF
    names = {p.name for p in settings.corpus_dir.iterdir()}
    assert "kh.pdf" in names and "kh.docx" not in names
    assert [e["file"] for e in cat.entries() if e["id"] == "kh"] == ["kh.pdf"]


def test_remove_takes_the_file_and_its_entry(catalog):
    settings, cat = catalog
    assert cat.remove("004_b366543ccdd4efef") == "004_b366543ccdd4efef.txt"
    corpus = load_corpus(settings.corpus_dir, settings.metadata_path)
    assert len(corpus.documents) == 3 and not corpus.warnings
    with pytest.raises(CorpusError, match="không có văn bản"):
        cat.remove("004_b366543ccdd4efef")


def test_concurrent_adds_all_land_in_the_metadata(catalog, tmp_path):
    settings, cat = catalog
    sources = []
    for i in range(8):
        path = tmp_path / f"kh-{i}.txt"
        path.write_text(NEW_PLAN.replace("88/KH", f"{i}/KH"), encoding="utf-8")
        sources.append(path)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(cat.add, sources))
    entries = json.loads(settings.metadata_path.read_text(encoding="utf-8"))
    assert {e["file"] for e in entries} >= {f"kh-{i}.txt" for i in range(8)}
    assert len(load_corpus(settings.corpus_dir, settings.metadata_path).documents) == 12


def test_an_added_document_is_found_after_the_incremental_build(catalog, tmp_path, fake_embedder):
    settings, cat = catalog
    build(settings, fake_embedder)
    source = tmp_path / "bo.txt"
    source.write_text(NEW_PLAN, encoding="utf-8")
    cat.add(source)
    report = build(settings, fake_embedder)
    assert report.analysed == 1 and report.documents == 5
    hits = Assistant.open(settings, embedder=fake_embedder).search("hỗ trợ bò cái giống chuồng trại", k=3)
    assert hits[0].document.id == "bo" and hits[0].document.metadata.code == "88/KH-UBND"
