"""What indexing derives from one document alone — its passages, the BM25 terms and the texts
embedded for each searchable one — and the per-document cache that spares a rebuild the slow
part (underthesea) for documents that did not change."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..domain import Document, Passage
from ..ingest.structure import segment
from ..settings import Settings
from ..text.core import lexical_terms, truncate_words
from .embeddings import windows
from .manifest import LEXICAL_VERSION, SEGMENTER_VERSION


def window_inputs(passage: Passage, max_syllables: int) -> list[str]:
    """What is embedded for a passage: each window, led by its nearest heading so a bullet
    under '4. Đẩy mạnh … giảm nghèo' still says what it is about."""
    heading = passage.context.split(" › ")[-1] if passage.context else ""
    lead = f"{truncate_words(heading, 100)}: " if heading else ""
    return [lead + w for w in windows(passage.text, max_syllables)]


def lexical_input(passage: Passage, document: Document) -> str:
    """What BM25 sees of a passage: the document's name and place (a question that names
    "Bảo Lộc" or "24-KH/TU" is about that document, though the clause never repeats it),
    the headings above the passage, and the passage."""
    meta = document.metadata
    name = " ".join(x for x in (meta.title, meta.code, meta.province) if x)
    return "\n".join(x for x in (name, passage.context, passage.text) if x)


@dataclass
class DocumentAnalysis:
    """What indexing derives from one document alone: its passages and, for each searchable
    one, the BM25 terms and the texts embedded. The slow part of a build (underthesea), so it
    is cached per document and a new document costs only its own analysis."""

    passages: list[Passage]
    terms: list[list[str]]  # per searchable passage, in order
    windows: list[list[str]]  # per searchable passage, in order

    def searchable_parts(self):
        return zip([p for p in self.passages if p.searchable], self.terms, self.windows, strict=True)

    def to_dict(self) -> dict:
        return {"passages": [p.to_dict() for p in self.passages], "terms": self.terms, "windows": self.windows}

    @classmethod
    def from_dict(cls, data: dict) -> "DocumentAnalysis":
        return cls([Passage.from_dict(p) for p in data["passages"]], data["terms"], data["windows"])


def analyse_document(document: Document, settings: Settings) -> DocumentAnalysis:
    passages = segment(document)
    searchable = [p for p in passages if p.searchable]
    return DocumentAnalysis(
        passages,
        [lexical_terms(lexical_input(p, document)) for p in searchable],
        [window_inputs(p, settings.embedding.window_syllables) for p in searchable],
    )


class DocumentAnalysisCache:
    """One JSON file per document under index/analysis-cache/, valid while the document's
    text, the metadata that BM25 sees, and the analysis settings and versions are unchanged."""

    def __init__(self, directory: Path, settings: Settings) -> None:
        self.directory = directory
        self._settings_key = json.dumps([SEGMENTER_VERSION, LEXICAL_VERSION, settings.embedding.window_syllables])

    def _key(self, document: Document) -> str:
        m = document.metadata
        material = json.dumps([self._settings_key, document.sha256, document.text, m.title, m.code, m.province], ensure_ascii=False)
        return hashlib.sha256(material.encode("utf-8")).hexdigest()[:24]

    def _path(self, document: Document) -> Path:
        return self.directory / f"{document.id}.json"

    def get(self, document: Document) -> DocumentAnalysis | None:
        try:
            data = json.loads(self._path(document).read_text(encoding="utf-8"))
            return DocumentAnalysis.from_dict(data["analysis"]) if data.get("key") == self._key(document) else None
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or damaged: only costs time

    def put(self, document: Document, analysis: DocumentAnalysis) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"key": self._key(document), "analysis": analysis.to_dict()}, ensure_ascii=False)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(payload)
        os.replace(tmp, self._path(document))

    def keep_only(self, document_ids: set[str]) -> None:
        if self.directory.is_dir():
            for path in self.directory.glob("*.json"):
                if path.stem not in document_ids:
                    path.unlink(missing_ok=True)
