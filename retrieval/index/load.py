"""Loading the current build for serving, refusing one that no longer matches the corpus or
the configuration (unless told not to check, as a hot reload does); making a build copied from
another machine the current one (use_build)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..domain import Document, Passage
from ..errors import IndexMissingError, StaleIndexError
from ..settings import Settings
from ..text.accents import AccentRestorer
from .builds import current_build_dir, document_from_record, point_current, prune_builds, read_manifest
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
    return load_build(settings, current_build_dir(settings.index_dir), manifest)


def use_build(settings: Settings, build_id: str) -> LoadedIndex:
    """Make ``index/builds/<build_id>`` — a build made on another machine and copied here —
    the current one: checked first (complete, loadable, made for this configuration, model and
    corpus), then named in CURRENT atomically; older builds beyond ``keep_builds`` are pruned.
    A running service moves to it on SIGHUP. StaleIndexError / IndexMissingError say why not."""
    directory = settings.index_dir / "builds" / build_id
    if "/" in build_id or build_id.startswith(".") or not (directory / "manifest.json").is_file():
        raise IndexMissingError(f"Không có bản chỉ mục hoàn chỉnh {directory} (thiếu manifest.json: chép chưa xong?)")
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    reasons = staleness(manifest, settings)
    if reasons:
        raise StaleIndexError(f"Bản chỉ mục {build_id} không khớp với máy này: " + "; ".join(reasons) + ". Hãy chép cả thư mục văn bản và cấu hình cùng bản chỉ mục.")
    loaded = load_build(settings, directory, manifest)  # every file there and consistent
    point_current(settings.index_dir, build_id)
    prune_builds(settings.index_dir, settings.index.keep_builds)
    return loaded


def load_build(settings: Settings, directory: Path, manifest: dict) -> LoadedIndex:
    """One build's files, checked for consistency."""
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
