"""Building the index from the corpus: analyse (cached per document), embed (cached per
window), then write a new build and make it current (``builds``)."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ..domain import Passage
from ..ingest.corpus import Corpus, load_corpus
from ..settings import Settings
from ..text.accents import AccentRestorer
from ..text.lexicon import general_lexicon
from .analysis import DocumentAnalysisCache, analyse_document
from .builds import prune_builds, write_build
from .dense import DenseIndex
from .embedding_cache import EmbeddingCache
from .embeddings import Embedder
from .lexical import BM25Builder, BM25Index
from .manifest import FORMAT_VERSION, corpus_state, settings_fingerprint

log = logging.getLogger(__name__)


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
    accents = AccentRestorer.build([f"{p.context}\n{p.text}" for p in searchable], general_lexicon())

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
    directory = write_build(settings.index_dir, build_id, manifest, corpus.documents, all_passages, window_texts, bm25, dense, accents)
    prune_builds(settings.index_dir, settings.index.keep_builds)
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
