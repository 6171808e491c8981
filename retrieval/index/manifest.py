"""What an index build records about itself, and whether it still matches the corpus and the
configuration: the versions of what shapes it, the settings fingerprint, the corpus's file
hashes. A stale index is refused with the reasons and the command that rebuilds it."""

from __future__ import annotations

from pathlib import Path

from ..ingest.corpus import file_sha256
from ..settings import Settings
from .embeddings import model_identity

FORMAT_VERSION = 1
# Bump when segmentation or tokenization changes what an index holds.
SEGMENTER_VERSION = 2  # 2: a numbered heading that is a whole sentence is also a clause
LEXICAL_VERSION = 3  # 3: adjacent syllable pairs are BM25 terms; diacritics restored with a general lexicon
REBUILD_HINT = "Hãy xây dựng lại chỉ mục: python -m retrieval build"



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
