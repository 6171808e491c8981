"""What a test needs from outside the repository's code — the prepared model, the shared
evaluation set beside the repository — checked so that a missing one fails the test with the
command that provides it. A skip would let a machine without them pass the suite unseen."""

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


def require_shared(path: Path) -> Path:
    """A file of ``../shared`` (evaluation sets, notes) that the project is developed beside."""
    if not path.exists():
        pytest.fail(f"{path} is missing: these tests read the shared evaluation set beside the repository (../shared).", pytrace=False)
    return path
