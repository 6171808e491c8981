"""The small test corpus every face's tests use: the bundled documents plus one whose text and
title carry HTML, and a seeded embedding cache so a test index builds quickly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

__all__ = [
    "CORPUS", "HTML_ATTACK", "MODEL_DIR", "REPO", "SCRIPT_ATTACK", "XSS_ENTRY", "XSS_FILE", "XSS_ID", "XSS_TEXT", "XSS_TITLE",
    "make_corpus", "seed_embedding_cache",
]

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
MODEL_DIR = REPO / "models" / "multilingual-e5-small"

HTML_ATTACK = "<img src=x onerror=alert(1)>"
SCRIPT_ATTACK = "<script>alert('xss')</script>"
XSS_FILE = "090_thu_nghiem_hien_thi.txt"
XSS_ID = "090_thu_nghiem_hien_thi"
XSS_TITLE = f"Kế hoạch thử nghiệm hiển thị {SCRIPT_ATTACK}"
XSS_TEXT = f"""KẾ HOẠCH
Thử nghiệm hiển thị nội dung văn bản {HTML_ATTACK}

I. MỤC ĐÍCH, YÊU CẦU
1. Bảo đảm mọi nội dung văn bản được hiển thị nguyên văn {HTML_ATTACK} và không bao giờ được chạy như mã trang web {SCRIPT_ATTACK}.
2. Hỗ trợ hộ nghèo vùng cao nuôi cá tầm nước lạnh, mỗi hộ được cấp 200 con giống cá tầm và 50 kg thức ăn.

II. TỔ CHỨC THỰC HIỆN
Ủy ban nhân dân xã chủ trì, phối hợp với Hội Nông dân xã triển khai mô hình nuôi cá tầm nước lạnh.
"""
XSS_ENTRY = {
    "file": XSS_FILE,
    "title": XSS_TITLE,
    "code": "99-KH/TN",
    "issuer": "Ban thử nghiệm",
    "province": None,
    "date": "2023-05-10",
    "type": "kế hoạch",
    "url": None,
}


def make_corpus(root: Path, files: list[str] | None = None, with_attack: bool = True) -> Path:
    """Copy some (default: all) bundled documents and their metadata into ``root/corpus``,
    plus the document carrying HTML. Returns the corpus folder."""
    target = root / "corpus"
    target.mkdir(parents=True, exist_ok=True)
    entries = json.loads((CORPUS / "documents.json").read_text(encoding="utf-8"))
    names = files or sorted(p.name for p in CORPUS.glob("*.txt"))
    for name in names:
        shutil.copy2(CORPUS / name, target / name)
    kept = [e for e in entries if e["file"] in names]
    if with_attack:
        (target / XSS_FILE).write_text(XSS_TEXT, encoding="utf-8")
        kept.append(XSS_ENTRY)
    (target / "documents.json").write_text(json.dumps(kept, ensure_ascii=False, indent=2), encoding="utf-8")
    return target


def seed_embedding_cache(index_dir: Path) -> None:
    """Copy the repository's embedding cache (if any) so unchanged windows are not embedded
    again; a cache that does not match only costs time."""
    source = REPO / "index" / "embedding-cache"
    if source.is_dir():
        target = index_dir / "embedding-cache"
        target.mkdir(parents=True, exist_ok=True)
        for path in source.glob("*.npz"):
            shutil.copy2(path, target / path.name)
