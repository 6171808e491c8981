"""Loading the current build for serving, refusing one that no longer matches the corpus or
the configuration (unless told not to check, as a hot reload does)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..domain import Document, Passage
from ..errors import StaleIndexError
from ..settings import Settings
from ..text.accents import AccentRestorer
from .builds import current_build_dir, document_from_record, read_manifest
from .dense import DenseIndex
from .lexical import BM25Index
from .manifest import REBUILD_HINT, staleness


@dataclass
class LoadedIndex:
    manifest: dict
    directory: Path
    documents: dict[str, Document]
    passages: list[Passage]  # searchable passages, row order of bm25 and dense
    all_passages: dict[str, list[Passage]]  # every passage of each document, for the document page
    window_texts: list[str]
    bm25: BM25Index
    dense: DenseIndex
    accents: AccentRestorer

    @property
    def passage_by_id(self) -> dict[str, Passage]:
        return {p.id: p for ps in self.all_passages.values() for p in ps}


def load_index(settings: Settings, check_fresh: bool = True) -> LoadedIndex:
    manifest = read_manifest(settings.index_dir)
    if check_fresh:
        reasons = staleness(manifest, settings)
        if reasons:
            raise StaleIndexError("Chỉ mục không còn khớp với văn bản hoặc cấu hình: " + "; ".join(reasons) + f". {REBUILD_HINT}")
    directory = current_build_dir(settings.index_dir)
    documents = {r["id"]: document_from_record(r) for r in json.loads((directory / "documents.json").read_text(encoding="utf-8"))}
    all_passages: dict[str, list[Passage]] = {doc_id: [] for doc_id in documents}
    with (directory / "passages.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            passage = Passage.from_dict(json.loads(line))
            all_passages[passage.document_id].append(passage)
    searchable = [p for doc_id in documents for p in all_passages[doc_id] if p.searchable]
    bm25 = BM25Index.load(directory)
    dense = DenseIndex.load(directory, settings.index)
    if bm25.size != len(searchable) or dense.window_passage.max(initial=-1) >= len(searchable):
        raise StaleIndexError(f"Chỉ mục {directory.name} không nhất quán. {REBUILD_HINT}")
    window_texts = json.loads((directory / "windows.json").read_text(encoding="utf-8"))
    return LoadedIndex(manifest, directory, documents, searchable, all_passages, window_texts, bm25, dense, AccentRestorer.load(directory))
