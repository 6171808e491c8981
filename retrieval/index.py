"""Building, saving and loading the index, with a manifest that guards against staleness.

Layout under ``index.dir``:
    CURRENT                  name of the build being served (replaced atomically)
    builds/<build id>/       manifest.json, documents.json, passages.jsonl, windows.json,
                             bm25.npz, bm25_vocabulary.json, dense.faiss, window_passage.npy
    embedding-cache/         window vectors by model and text, so rebuilds embed only changes
A build is written in a temporary folder and becomes visible only when CURRENT names it,
so no half-written index is ever loaded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np

from .accents import AccentRestorer
from .corpus import Corpus, file_sha256, load_corpus
from .dense import DenseIndex
from .domain import Document, DocumentMetadata, Passage
from .embedding_cache import EmbeddingCache
from .embeddings import Embedder, model_identity, windows
from .errors import IndexMissingError, StaleIndexError
from .lexical import BM25Builder, BM25Index
from .settings import Settings
from .structure import segment
from .text import lexical_terms, truncate_words

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
# Bump when segmentation or tokenization changes what an index holds.
SEGMENTER_VERSION = 1
LEXICAL_VERSION = 2
REBUILD_HINT = "Hãy xây dựng lại chỉ mục: python -m retrieval build"


@dataclass
class BuildReport:
    build_id: str
    directory: Path
    documents: int
    passages: int
    searchable_passages: int
    windows: int
    embedded: int  # windows embedded now (the rest came from the cache)
    analysed: int  # documents segmented and tokenized now (the rest came from the cache)
    seconds: float
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    content_digest: str = ""


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


def settings_fingerprint(settings: Settings) -> dict:
    """Every setting that changes what the index holds."""
    e, s, i = settings.embedding, settings.search, settings.index
    return {
        "format": FORMAT_VERSION,
        "segmenter": SEGMENTER_VERSION,
        "lexical": LEXICAL_VERSION,
        "model": model_identity(settings),
        "query_prompt": e.query_prompt,
        "passage_prompt": e.passage_prompt,
        "window_syllables": e.window_syllables,
        "bm25_k1": s.bm25_k1,
        "bm25_b": s.bm25_b,
        # the dense index's kind and build parameters (search-time ones need no rebuild)
        "dense_index": [i.dense_index, i.exact_below, i.hnsw_m, i.hnsw_ef_construction, i.ivf_nlist],
    }


def corpus_state(corpus_dir: Path, metadata_path: Path) -> dict:
    """What the corpus looks like now: file hashes and the metadata file's hash."""
    files = {}
    if corpus_dir.is_dir():
        for path in sorted(corpus_dir.iterdir()):
            if path.is_file() and not path.name.startswith(".") and path.resolve() != metadata_path.resolve():
                files[path.name] = file_sha256(path)
    metadata = file_sha256(metadata_path) if metadata_path.exists() else None
    return {"files": files, "metadata_sha256": metadata}


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


def build_index(settings: Settings, embedder: Embedder, corpus: Corpus | None = None) -> BuildReport:
    started = time.perf_counter()
    corpus = corpus or load_corpus(settings.corpus_dir, settings.metadata_path)
    state = corpus_state(settings.corpus_dir, settings.metadata_path)

    analyses = DocumentAnalysisCache(settings.index_dir / "analysis-cache", settings)
    all_passages: list[Passage] = []
    lexical = BM25Builder()  # takes each passage's terms as it comes: they are not all kept
    rows = 0
    window_texts: list[str] = []
    window_passage: list[int] = []
    analysed = 0
    for document in corpus.documents:
        analysis = analyses.get(document)
        if analysis is None:
            analysis = analyse_document(document, settings)
            analyses.put(document, analysis)
            analysed += 1
        for passage, passage_terms, passage_windows in analysis.searchable_parts():
            lexical.add(passage_terms)
            window_texts.extend(passage_windows)
            window_passage.extend([rows] * len(passage_windows))
            rows += 1
        all_passages.extend(analysis.passages)
    analyses.keep_only({d.id for d in corpus.documents})
    searchable = [p for p in all_passages if p.searchable]

    bm25 = lexical.finish(settings.search.bm25_k1, settings.search.bm25_b)
    accents = AccentRestorer.build([f"{p.context}\n{p.text}" for p in searchable])

    cache = EmbeddingCache(settings.index_dir / "embedding-cache", embedder.identity, embedder.dim)
    embedded = 0

    def compute(texts: list[str]) -> np.ndarray:
        nonlocal embedded
        embedded += len(texts)
        log.info("Đang nhúng %d cửa sổ văn bản…", len(texts))
        return embedder.embed_passages(texts)

    vectors = cache.embed(window_texts, compute)
    cache.save()
    dense = DenseIndex.build(vectors.reshape(len(window_texts), embedder.dim), np.array(window_passage, dtype=np.int32), settings.index)

    digest = _content_digest(all_passages, bm25, vectors)
    build_id = _new_build_id(settings.index_dir, digest)
    manifest = {
        "format": FORMAT_VERSION,
        "build_id": build_id,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": {"name": embedder.name, "identity": embedder.identity, "dim": embedder.dim},
        "settings": settings_fingerprint(settings),
        "corpus": state,
        "documents": {d.id: d.source_file for d in corpus.documents},
        "dense_index": dense.kind,
        "counts": {
            "documents": len(corpus.documents),
            "passages": len(all_passages),
            "searchable_passages": len(searchable),
            "windows": len(window_texts),
            "vocabulary": len(bm25.vocabulary),
        },
        "content_digest": digest,
        "skipped": [str(s) for s in corpus.skipped],
    }
    directory = _write_build(settings.index_dir, build_id, manifest, corpus.documents, all_passages, window_texts, bm25, dense, accents)
    _prune_builds(settings.index_dir, settings.index.keep_builds)
    return BuildReport(
        build_id=build_id,
        directory=directory,
        documents=len(corpus.documents),
        passages=len(all_passages),
        searchable_passages=len(searchable),
        windows=len(window_texts),
        embedded=embedded,
        analysed=analysed,
        seconds=time.perf_counter() - started,
        skipped=[str(s) for s in corpus.skipped],
        warnings=corpus.warnings,
        content_digest=digest,
    )


def _new_build_id(index_dir: Path, digest: str) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    build_id, n = f"{stamp}-{digest[:8]}", 1
    while (index_dir / "builds" / build_id).exists():  # equal builds within one second
        n += 1
        build_id = f"{stamp}-{digest[:8]}-{n}"
    return build_id


def _content_digest(passages: list[Passage], bm25: BM25Index, vectors: np.ndarray) -> str:
    """A hash of what the index holds (not when it was built): equal builds, equal digests."""
    h = hashlib.sha256()
    for p in passages:
        h.update(json.dumps(p.to_dict(), ensure_ascii=False, sort_keys=True).encode())
    for part in bm25.digest_parts():
        h.update(part)
    h.update(np.round(vectors, 5).astype(np.float32).tobytes())
    return h.hexdigest()


def _document_record(d: Document) -> dict:
    m = d.metadata
    return {
        "id": d.id,
        "source_file": d.source_file,
        "sha256": d.sha256,
        "text": d.text,
        "metadata": {
            "title": m.title, "code": m.code, "issuer": m.issuer, "province": m.province,
            "date": m.date.isoformat() if m.date else None, "type": m.type, "url": m.url, "signer": m.signer,
            "effective_from": m.effective_from.isoformat() if m.effective_from else None,
            "effective_to": m.effective_to.isoformat() if m.effective_to else None,
            "replaced_by": m.replaced_by,
            "province_now": m.province_now, "locality": m.locality,
        },
    }


def _document_from_record(r: dict) -> Document:
    m = dict(r["metadata"])
    for key in ("date", "effective_from", "effective_to"):
        m[key] = date.fromisoformat(m[key]) if m.get(key) else None
    return Document(id=r["id"], source_file=r["source_file"], text=r["text"], metadata=DocumentMetadata(**m), sha256=r["sha256"])


def _write_build(index_dir, build_id, manifest, documents, passages, window_texts, bm25, dense, accents) -> Path:
    builds = index_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=builds))
    try:
        (staging / "documents.json").write_text(json.dumps([_document_record(d) for d in documents], ensure_ascii=False), encoding="utf-8")
        with (staging / "passages.jsonl").open("w", encoding="utf-8") as out:
            for p in passages:
                out.write(json.dumps(p.to_dict(), ensure_ascii=False) + "\n")
        (staging / "windows.json").write_text(json.dumps(window_texts, ensure_ascii=False), encoding="utf-8")
        bm25.save(staging)
        dense.save(staging)
        accents.save(staging)
        # the manifest goes last: a folder without one is never a finished build
        (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        final = builds / build_id
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _point_current(index_dir, build_id)
    return final


def _point_current(index_dir: Path, build_id: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=index_dir, prefix=".current-")
    with os.fdopen(fd, "w") as out:
        out.write(build_id + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, index_dir / "CURRENT")


def _prune_builds(index_dir: Path, keep: int) -> None:
    current = current_build_dir(index_dir)
    builds = sorted((p for p in (index_dir / "builds").iterdir() if p.is_dir()), key=lambda p: p.name)
    finished = [p for p in builds if not p.name.startswith(".")]
    for old in finished[:-keep]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in builds:
        if leftover.name.startswith(".staging-") and time.time() - leftover.stat().st_mtime > 3600:
            shutil.rmtree(leftover, ignore_errors=True)  # a build killed mid-way


def current_build_dir(index_dir: Path) -> Path | None:
    pointer = index_dir / "CURRENT"
    if not pointer.exists():
        return None
    directory = index_dir / "builds" / pointer.read_text().strip()
    return directory if (directory / "manifest.json").exists() else None


def read_manifest(index_dir: Path) -> dict:
    directory = current_build_dir(index_dir)
    if directory is None:
        raise IndexMissingError(f"Chưa có chỉ mục trong {index_dir}. {REBUILD_HINT}")
    return json.loads((directory / "manifest.json").read_text(encoding="utf-8"))


def staleness(manifest: dict, settings: Settings) -> list[str]:
    """Why the index no longer matches the corpus or the configuration ([] if it does)."""
    reasons = []
    expected = settings_fingerprint(settings)
    for key, value in expected.items():
        built = manifest.get("settings", {}).get(key)
        if built != value:
            reasons.append(f"cấu hình '{key}' đã đổi ({built!r} → {value!r})")
    now = corpus_state(settings.corpus_dir, settings.metadata_path)
    built_files = manifest.get("corpus", {}).get("files", {})
    for name in sorted(set(now["files"]) - set(built_files)):
        reasons.append(f"văn bản mới: {name}")
    for name in sorted(set(built_files) - set(now["files"])):
        reasons.append(f"văn bản đã xóa: {name}")
    for name in sorted(set(now["files"]) & set(built_files)):
        if now["files"][name] != built_files[name]:
            reasons.append(f"văn bản đã sửa: {name}")
    if now["metadata_sha256"] != manifest.get("corpus", {}).get("metadata_sha256"):
        reasons.append(f"tệp mô tả {settings.metadata_path.name} đã sửa")
    return reasons


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
    _point_current(settings.index_dir, build_id)
    _prune_builds(settings.index_dir, settings.index.keep_builds)
    return loaded


def load_build(settings: Settings, directory: Path, manifest: dict) -> LoadedIndex:
    """One build's files, checked for consistency."""
    documents = {r["id"]: _document_from_record(r) for r in json.loads((directory / "documents.json").read_text(encoding="utf-8"))}
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
