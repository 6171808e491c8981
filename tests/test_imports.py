"""What each face imports, checked in a fresh process through ``sys.modules``: serving (the web
service, the bot, the CLI's query commands) never imports torch or sentence-transformers, and a
command that needs no model loads none."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval import build, load_settings
from support import (
    free_port,
    make_corpus,
    seed_embedding_cache,
    write_config,
)
from support.needs import require_model

pytestmark = pytest.mark.slow  # a real process, browser or engine: the full suite only

REPO = Path(__file__).resolve().parent.parent
TORCH = ["sentence_transformers", "torch", "transformers"]
MODEL = ["onnxruntime", "tokenizers", *TORCH]
SEGMENTER = ["underthesea"]
MARK = "IMPORTED:"


def imported_after(code: str, watch: list[str]) -> list[str]:
    """Run ``code`` in a new interpreter; the watched modules it left in ``sys.modules``."""
    script = f"{code}\nimport json, sys\nprint({MARK!r} + json.dumps(sorted(m for m in {watch!r} if m in sys.modules)))\n"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TRO_LY_"))}, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith(MARK))
    return json.loads(line[len(MARK):])


@pytest.fixture(scope="module")
def config(tmp_path_factory, real_embedder) -> Path:
    require_model()
    root = tmp_path_factory.mktemp("imports")
    make_corpus(root, with_attack=False)
    path = write_config(root, free_port(), [])
    settings = load_settings(path)
    seed_embedding_cache(settings.index_dir)
    build(settings, real_embedder)
    return path


def cli(config: Path, *args: str) -> str:
    return f"from retrieval.cli import main\nassert main({['--config', str(config), *args]!r}) == 0"


@pytest.mark.parametrize(
    "args, not_imported",
    [
        (["list"], MODEL + SEGMENTER),
        (["kiemtra", "--questions"], MODEL + SEGMENTER),
        (["ask", "ho ngheo duoc vay von o dau?"], TORCH),
        (["search", "rà soát hộ nghèo", "--k", "3"], TORCH),
    ],
)
def test_cli_commands_import_only_what_they_need(config, args, not_imported):
    assert imported_after(cli(config, *args), not_imported) == []


def test_the_web_service_and_the_bot_answer_without_torch(config):
    code = f"""
from fastapi.testclient import TestClient
import bot
from retrieval import load_settings
from web import create_app
with TestClient(create_app(load_settings({str(config)!r}))) as client:
    response = client.post("/api/ask", json={{"question": "Hộ nghèo được vay vốn ưu đãi ở đâu?"}})
    assert response.status_code == 200 and response.json()["found"], response.text
"""
    assert imported_after(code, TORCH) == []
