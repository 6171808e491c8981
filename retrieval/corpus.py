"""Loading the corpus: document files plus one metadata file describing them.

A bad file never stops the others from loading: it is skipped and reported by name.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .domain import Document, DocumentMetadata
from .errors import CorpusError
from .formats import read_document
from .text import normalize

log = logging.getLogger(__name__)

METADATA_KEYS = {"id", "file", "title", "code", "issuer", "province", "date", "type", "url", "signer", "notes"}


@dataclass(frozen=True)
class SkippedFile:
    path: Path
    reason: str

    def __str__(self) -> str:
        return f"Bỏ qua {self.path.name}: {self.reason}"


@dataclass
class Corpus:
    documents: list[Document]
    skipped: list[SkippedFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def by_id(self) -> dict[str, Document]:
        return {d.id: d for d in self.documents}


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_metadata(path: Path) -> dict[str, dict]:
    """Metadata entries keyed by file name."""
    if not path.exists():
        return {}
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorpusError(f"Tệp mô tả văn bản {path} không đọc được: {exc}") from exc
    if not isinstance(entries, list):
        raise CorpusError(f"Tệp mô tả văn bản {path} phải là một danh sách JSON")
    by_file: dict[str, dict] = {}
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise CorpusError(f"{path}: mục thứ {position} thiếu trường 'file'")
        unknown = set(entry) - METADATA_KEYS
        if unknown:
            raise CorpusError(f"{path}: mục {entry['file']} có trường lạ {sorted(unknown)}")
        by_file[entry["file"]] = entry
    return by_file


def document_id_for(file_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", Path(file_name).stem).strip("-") or "van-ban"


def _metadata_from_entry(entry: dict, text: str, file_name: str) -> DocumentMetadata:
    guessed = guess_metadata(text)
    raw_date = entry.get("date")
    try:
        issued = date.fromisoformat(raw_date) if raw_date else None
    except ValueError as exc:
        raise CorpusError(f"{file_name}: ngày '{raw_date}' không đúng dạng YYYY-MM-DD") from exc
    return DocumentMetadata(
        title=entry.get("title") or guessed.title,
        code=entry["code"] if "code" in entry else guessed.code,
        issuer=entry.get("issuer"),
        province=entry.get("province"),
        date=issued,
        type=entry.get("type") or guessed.type,
        url=entry.get("url"),
        signer=entry.get("signer"),
    )


_TYPES = ("chương trình hành động", "chỉ thị", "kế hoạch", "nghị quyết", "nghị định", "quyết định", "thông tư", "công văn", "hướng dẫn", "thông báo", "luật")
_CODE = re.compile(r"\b\d{1,4}(?:/\d{4})?[-/](?:CT|KH|NQ|QĐ|CTr|TB|HD|NĐ|TT|BC)(?:[-/][A-ZĐ]+)+\b")


def guess_metadata(text: str) -> DocumentMetadata:
    """What can be read from a document with no metadata entry: its first line as the
    title, its type and code if the opening names them. Nothing more is invented."""
    clean = normalize(text)
    lines = [line.strip("*# ") for line in clean.split("\n") if line.strip("*# ")]
    title = lines[0][:200] if lines else "Văn bản"
    opening = " ".join(lines[:4]).casefold()
    doc_type = next((t for t in _TYPES if t in opening), None)
    code = _CODE.search(" ".join(lines[:6]))
    return DocumentMetadata(title=title, type=doc_type, code=code.group(0) if code else None)


def load_corpus(corpus_dir: Path, metadata_path: Path) -> Corpus:
    """Every readable document in ``corpus_dir``, sorted by file name (so builds are reproducible)."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"Không tìm thấy thư mục văn bản {corpus_dir}")
    metadata = load_metadata(metadata_path)
    corpus = Corpus(documents=[])
    seen_ids: dict[str, str] = {}
    files = sorted(p for p in corpus_dir.iterdir() if p.is_file() and not p.name.startswith(".") and p.resolve() != metadata_path.resolve())
    for path in files:
        try:
            text = read_document(path)
            entry = metadata.get(path.name, {})
            doc_id = entry.get("id") or document_id_for(path.name)
            if doc_id in seen_ids:
                raise CorpusError(f"mã văn bản '{doc_id}' trùng với {seen_ids[doc_id]}")
            meta = _metadata_from_entry(entry, text, path.name)
        except CorpusError as exc:
            corpus.skipped.append(SkippedFile(path, str(exc)))
            continue
        except OSError as exc:
            corpus.skipped.append(SkippedFile(path, f"không đọc được ({exc.strerror})"))
            continue
        if not entry:
            corpus.warnings.append(f"{path.name} chưa có trong {metadata_path.name}: dùng tiêu đề đọc từ dòng đầu")
        seen_ids[doc_id] = path.name
        corpus.documents.append(
            Document(id=doc_id, source_file=path.name, text=normalize(text), metadata=meta, sha256=file_sha256(path))
        )
    present = {p.name for p in files}
    for file_name in metadata:
        if file_name not in present:
            corpus.warnings.append(f"{metadata_path.name} mô tả {file_name} nhưng tệp không có trong {corpus_dir.name}/")
    for skipped in corpus.skipped:
        log.warning("%s", skipped)
    return corpus
