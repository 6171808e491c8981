"""Index builds on disk.

Layout under ``index.dir``:
    CURRENT                  name of the build being served (replaced atomically)
    builds/<build id>/       manifest.json, documents.json, passages.jsonl, windows.json,
                             bm25.npz, bm25_vocabulary.json, dense.faiss, window_passage.npy
    embedding-cache/         window vectors by model and text, so rebuilds embed only changes
    analysis-cache/          each document's analysis (see ``analysis``)
A build is written in a temporary folder and becomes visible only when CURRENT names it,
so no half-written index is ever loaded.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from ..domain import Document, DocumentMetadata
from ..errors import IndexMissingError
from .manifest import REBUILD_HINT


def document_record(d: Document) -> dict:
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


def document_from_record(r: dict) -> Document:
    m = dict(r["metadata"])
    for key in ("date", "effective_from", "effective_to"):
        m[key] = date.fromisoformat(m[key]) if m.get(key) else None
    return Document(id=r["id"], source_file=r["source_file"], text=r["text"], metadata=DocumentMetadata(**m), sha256=r["sha256"])


def write_build(index_dir, build_id, manifest, documents, passages, window_texts, bm25, dense, accents) -> Path:
    builds = index_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=builds))
    try:
        (staging / "documents.json").write_text(json.dumps([document_record(d) for d in documents], ensure_ascii=False), encoding="utf-8")
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


def prune_builds(index_dir: Path, keep: int) -> None:
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
