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

from ..domain import Document, DocumentMetadata
from ..errors import CorpusError
from ..text.core import fold, normalize
from .formats import read_document

log = logging.getLogger(__name__)

METADATA_KEYS = {
    "id", "file", "title", "code", "issuer", "province", "date", "type", "url", "signer", "notes",
    "effective_from", "effective_to", "replaced_by", "province_now", "locality",
}
DATE_KEYS = ("date", "effective_from", "effective_to")


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
    """A URL-safe id from the file name: 'Kế hoạch 2024.docx' -> 'ke-hoach-2024'. ASCII names
    keep their case, so existing ids never change."""
    stem = Path(file_name).stem
    if not stem.isascii():
        stem = fold(stem)
    return re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-") or "van-ban"


def _metadata_from_entry(entry: dict, text: str, file_name: str) -> DocumentMetadata:
    guessed = guess_metadata(text)
    dates: dict[str, date | None] = {}
    for key in DATE_KEYS:
        raw = entry.get(key)
        try:
            dates[key] = date.fromisoformat(raw) if raw else None
        except (TypeError, ValueError) as exc:
            raise CorpusError(f"{file_name}: '{key}' = {raw!r} không đúng dạng ngày YYYY-MM-DD") from exc
    if dates["effective_from"] and dates["effective_to"] and dates["effective_to"] < dates["effective_from"]:
        raise CorpusError(f"{file_name}: ngày hết hiệu lực trước ngày có hiệu lực")
    return DocumentMetadata(
        title=entry.get("title") or guessed.title,
        code=entry["code"] if "code" in entry else guessed.code,
        issuer=entry["issuer"] if "issuer" in entry else guessed.issuer,
        province=entry["province"] if "province" in entry else guessed.province,
        date=dates["date"] if "date" in entry else guessed.date,
        type=entry.get("type") or guessed.type,
        url=entry.get("url"),
        signer=entry.get("signer"),
        effective_from=dates["effective_from"],
        effective_to=dates["effective_to"],
        replaced_by=entry.get("replaced_by"),
        province_now=entry.get("province_now"),
        locality=entry.get("locality"),
    )


_TYPES = ("chương trình hành động", "chỉ thị", "kế hoạch", "nghị quyết", "nghị định", "quyết định", "thông tư", "công văn", "hướng dẫn", "thông báo", "luật")
_CODE = re.compile(r"\b\d{1,4}(?:/\d{4})?[-/](?:CT|KH|NQ|QĐ|CTr|TB|HD|NĐ|TT|BC|KL|QC)(?:[-/][A-ZĐ][A-Za-zĐ]*)+")
_NUMBER_LINE = re.compile(r"^Số\s*:?\s*(\S+)", re.IGNORECASE)
_HEADER_DATE = re.compile(r"(?:^|([^\d,]{2,40}),\s*)ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_NATIONAL_HEADINGS = ("cộng hòa xã hội chủ nghĩa việt nam", "cộng hoà xã hội chủ nghĩa việt nam", "độc lập - tự do - hạnh phúc", "đảng cộng sản việt nam")
_PLACE_IN_ISSUER = re.compile(r"\b(?:TỈNH|THÀNH PHỐ|TP\.?)\s+([A-ZÀ-ỸĐ][A-ZÀ-ỸĐ ]+?)\s*$")
HEADER_LINES = 12


def guess_metadata(text: str) -> DocumentMetadata:
    """What can be read from the document itself, for the cadre to confirm or correct: the
    title (the first line), the type and code its opening names, and from an administrative
    header the issuing body, the place and the date of issue. Nothing is invented: what the
    header does not say stays empty."""
    clean = normalize(text)
    lines = [line.strip("*# \t") for line in clean.split("\n") if line.strip("*# \t-_=")]
    header = lines[:HEADER_LINES]
    title = lines[0][:200] if lines else "Văn bản"
    opening = " ".join(lines[:4]).casefold()
    doc_type = next((t for t in _TYPES if t in opening), None)
    for i, line in enumerate(header[:-1]):
        if line.casefold() in _TYPES:  # "KẾ HOẠCH" on its own line, the subject on the next
            doc_type = line.casefold()
            title = f"{line[:1]}{line[1:].lower()} {header[i + 1][:1].lower()}{header[i + 1][1:]}"[:200]
            break

    code = None
    for line in header:
        number = _NUMBER_LINE.match(line)
        if number and _CODE.search(number.group(1) + " "):
            code = _CODE.search(number.group(1) + " ").group(0)
            break
    if code is None:
        found = _CODE.search(" ".join(lines[:6]))
        code = found.group(0) if found else None

    issued, place = None, None
    for line in header:
        found = _HEADER_DATE.search(line)
        if found:
            try:
                issued = date(int(found.group(4)), int(found.group(3)), int(found.group(2)))
            except ValueError:
                issued = None
            place = found.group(1).strip() if found.group(1) else None
            break

    issuer_lines: list[str] = []
    for line in header:
        plain = line.strip()
        if plain.casefold() in _NATIONAL_HEADINGS or _NUMBER_LINE.match(plain) or _HEADER_DATE.search(plain):
            if issuer_lines:
                break
            continue
        if plain.isupper() and not any(t == plain.casefold() for t in _TYPES) and len(plain) <= 80:
            issuer_lines.append(plain)
        elif issuer_lines:
            break
    issuer = " ".join(issuer_lines) if issuer_lines and (code or issued) else None  # upper-case lines alone may be the title
    province = place
    if province is None and issuer:
        named = _PLACE_IN_ISSUER.search(issuer)
        province = named.group(1).title() if named else None
    return DocumentMetadata(title=title, type=doc_type, code=code, issuer=issuer, province=province, date=issued)


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
