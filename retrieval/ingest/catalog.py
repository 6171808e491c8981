"""Corpus administration: add a document file with its metadata, remove one, list them.

The corpus folder and ``documents.json`` are the source of truth; the index is rebuilt from
them (incrementally). Every write is atomic (a temporary file renamed into place) and writers
take a lock, so the CLI and the admin API can never leave a half-written metadata file or a
file without its entry.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..domain import DocumentMetadata
from ..errors import CorpusError
from ..settings import Settings
from .corpus import METADATA_KEYS, document_id_for, guess_metadata, load_metadata
from .formats import SUPPORTED_SUFFIXES, read_document

# The metadata a cadre may give; "file" and "id" are decided here.
EDITABLE_KEYS = ("title", "code", "issuer", "province", "date", "type", "url", "signer", "notes", "effective_from", "effective_to", "replaced_by", "province_now", "locality")
_DATE_KEYS = ("date", "effective_from", "effective_to")
_SAFE_NAME = re.compile(r"[^\w.-]+", re.UNICODE)


@dataclass(frozen=True)
class AddedDocument:
    document_id: str
    file: str
    entry: dict  # what documents.json now holds for it
    guessed: dict  # what was read from the document itself (before the cadre's values)


def metadata_as_entry(meta: DocumentMetadata) -> dict:
    entry = {key: getattr(meta, key, None) for key in EDITABLE_KEYS if hasattr(meta, key)}
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in entry.items()}


class Catalog:
    def __init__(self, settings: Settings) -> None:
        self.corpus_dir = settings.corpus_dir
        self.metadata_path = settings.metadata_path

    # -- reading ----------------------------------------------------------------------
    def entries(self) -> list[dict]:
        """The metadata entries, in file order, each with the document id it gets."""
        return [{"id": e.get("id") or document_id_for(name), **e} for name, e in sorted(load_metadata(self.metadata_path).items())]

    def guess(self, path: Path) -> tuple[str, dict]:
        """The text of a candidate file and the metadata read from it; CorpusError if the
        file cannot be used (nothing is written)."""
        text = read_document(path)
        return text, metadata_as_entry(guess_metadata(text))

    # -- writing ----------------------------------------------------------------------
    def add(self, source: Path, values: dict | None = None, *, file_name: str | None = None, replace: bool = False) -> AddedDocument:
        """Copy ``source`` into the corpus and record its metadata: what the document's header
        says, overridden by ``values``. Refuses an unusable file, unknown or invalid values,
        and (unless ``replace``) a document id or file name already in the corpus."""
        if not source.is_file():
            raise CorpusError(f"không tìm thấy tệp {source}")
        values = {k: v for k, v in (values or {}).items() if v is not None}
        unknown = set(values) - set(EDITABLE_KEYS)
        if unknown:
            raise CorpusError(f"trường không được hỗ trợ: {', '.join(sorted(unknown))}")
        for key in _DATE_KEYS:
            if key in values:
                values[key] = _iso_date(key, values[key])
        name = _safe_file_name(file_name or source.name)
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            raise CorpusError(f"{name}: định dạng chưa được hỗ trợ (nhận {', '.join(SUPPORTED_SUFFIXES)})")
        try:
            _, guessed = self.guess(source)
        except CorpusError as exc:
            raise CorpusError(f"{name}: {exc}") from exc
        entry = {"file": name, **{k: v for k, v in guessed.items() if v is not None}, **values}
        if entry.get("effective_from") and entry.get("effective_to") and entry["effective_to"] < entry["effective_from"]:
            raise CorpusError("ngày hết hiệu lực trước ngày có hiệu lực")
        document_id = document_id_for(name)
        with self._locked():
            metadata = load_metadata(self.metadata_path)
            taken = {(e.get("id") or document_id_for(f)): f for f, e in metadata.items()}
            on_disk = {document_id_for(p.name): p.name for p in self.corpus_dir.iterdir() if p.is_file() and not p.name.startswith(".")}
            clash = taken.get(document_id) or on_disk.get(document_id)
            if clash and not replace:
                raise CorpusError(f"đã có văn bản mã '{document_id}' ({clash}); dùng --replace để thay thế")
            if clash and clash != name:
                (self.corpus_dir / clash).unlink(missing_ok=True)
                metadata.pop(clash, None)
            _copy_atomically(source, self.corpus_dir / name)
            metadata[name] = entry
            self._write_metadata(metadata)
        return AddedDocument(document_id, name, entry, guessed)

    def remove(self, document_id: str) -> str:
        """Remove a document's file and its entry; returns the file name."""
        with self._locked():
            metadata = load_metadata(self.metadata_path)
            files = {p.name for p in self.corpus_dir.iterdir() if p.is_file() and not p.name.startswith(".") and p != self.metadata_path}
            by_id = {(metadata.get(f, {}).get("id") or document_id_for(f)): f for f in files | set(metadata)}
            name = by_id.get(document_id)
            if name is None:
                raise CorpusError(f"không có văn bản mã '{document_id}'")
            metadata.pop(name, None)
            self._write_metadata(metadata)  # entry first: a file without entry still loads; the reverse warns
            (self.corpus_dir / name).unlink(missing_ok=True)
        return name

    # -- internals --------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.corpus_dir.mkdir(parents=True, exist_ok=True)
        with open(self.corpus_dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write_metadata(self, metadata: dict[str, dict]) -> None:
        entries = [{k: v for k, v in metadata[name].items() if k in METADATA_KEYS} for name in sorted(metadata)]
        text = json.dumps(entries, ensure_ascii=False, indent=2) + "\n"
        fd, tmp = tempfile.mkstemp(dir=self.metadata_path.parent, prefix=".documents-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.metadata_path)


def _iso_date(key: str, value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    for pattern in (r"(\d{4})-(\d{1,2})-(\d{1,2})", r"(\d{1,2})/(\d{1,2})/(\d{4})"):
        found = re.fullmatch(pattern, text)
        if found:
            parts = [int(x) for x in found.groups()]
            year, month, day = parts if pattern.startswith("(\\d{4})") else (parts[2], parts[1], parts[0])
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                break
    raise CorpusError(f"'{key}' = {text!r} không phải ngày hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY)")


def _safe_file_name(name: str) -> str:
    """A plain file name inside the corpus folder, whatever the upload called itself."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = os.path.splitext(base)
    stem = _SAFE_NAME.sub("-", stem).strip("-.") or "van-ban"
    return f"{stem[:120]}{suffix.lower()}"


def _copy_atomically(source: Path, target: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
