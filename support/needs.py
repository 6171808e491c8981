"""What a test needs that the set-up makes — the prepared model — checked so that a missing one
fails the test with the command that provides it. A skip would let a machine without it pass
the suite unseen. (No test reads ../shared: the development questions a test uses are copied
into tests/data/.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.corpus import MODEL_DIR


def require_model() -> Path:
    """The prepared embedding model (``scripts/setup.sh`` or ``scripts/test.sh`` prepares it)."""
    if not MODEL_DIR.is_dir():
        pytest.fail(
            f"the embedding model is not prepared: {MODEL_DIR} is missing. "
            "Run `bash scripts/test.sh` (or `.venv/bin/python scripts/prepare_model.py`).",
            pytrace=False,
        )
    return MODEL_DIR.resolve()

