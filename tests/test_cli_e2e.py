"""The CLI as a real process over a private copy of the corpus, with the real model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EVAL = REPO.parent / "shared" / "eval" / "dev.jsonl"


def run(config: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "retrieval", "--config", str(config), *args],
        cwd=REPO, capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    shutil.copytree(REPO / "corpus", root / "corpus")
    model = (REPO / "models" / "multilingual-e5-small").resolve()
    path = root / "config.toml"
    path.write_text(f'[embedding]\nmodel = "{model}"\n', encoding="utf-8")
    cache = REPO / "index" / "embedding-cache"
    if cache.exists():  # reuse vectors already computed on this machine: same result, faster
        shutil.copytree(cache, root / "index" / "embedding-cache")
    out = run(path, "build")
    assert "4 văn bản" in out.stdout
    return path


@pytest.mark.parametrize(
    "question, gold",
    [
        ("Chính sách tín dụng cho hộ nghèo, hộ cận nghèo được thực hiện qua ngân hàng nào?", "Ngân hàng Chính sách xã hội"),
        ("ho ngheo khong co kha nang lao dong duoc ho tro gi", "hộ nghèo không có khả năng lao động"),
        ("Kế hoạch 24-KH/TU của Tiền Giang có bao nhiêu nhiệm vụ và giải pháp?", "6 nhiệm vụ và giải pháp"),
    ],
)
def test_ask_answers_with_citations(config, question, gold):
    answer = json.loads(run(config, "ask", question, "--json").stdout)
    assert answer["found"] is True
    assert gold in answer["answer"]
    assert any(gold in c["text"] for c in answer["citations"])
    first = answer["citations"][0]
    assert set(first) >= {"passage_id", "text", "score", "location", "document", "number"}
    assert set(first["document"]) >= {"id", "title", "code", "issuer", "date", "type", "source_file", "url"}


@pytest.mark.parametrize("question", ["Giá vàng SJC hôm nay là bao nhiêu?", "Thời tiết Hà Nội ngày mai có mưa không?"])
def test_ask_abstains_out_of_scope(config, question):
    answer = json.loads(run(config, "ask", question, "--json").stdout)
    assert answer["found"] is False and answer["citations"] == []


def test_search_text_and_json(config):
    hits = json.loads(run(config, "search", "rà soát hộ nghèo hàng năm", "--k", "3", "--json").stdout)["hits"]
    assert len(hits) == 3 and "rà soát hộ nghèo" in hits[0]["text"].lower()
    text = run(config, "search", "OCOP", "--k", "2").stdout
    assert text.startswith("1. [") and "OCOP" in text


def test_run_questions_writes_one_line_per_question(config, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "a", "question": "Hộ nghèo được vay vốn ở đâu?"}\n{"id": "b", "question": "Giá vàng hôm nay?"}\n', encoding="utf-8")
    output = tmp_path / "out.jsonl"
    run(config, "run-questions", str(questions), "-o", str(output))
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert len(rows[0]["hits"]) == 10 and rows[0]["answer"]["found"] and not rows[1]["answer"]["found"]


@pytest.mark.skipif(not EVAL.exists(), reason="shared eval set not beside the repo")
def test_eval_meets_the_targets_on_the_dev_set(config):
    results = {r["mode"]: r for r in json.loads(run(config, "eval", str(EVAL), "--json").stdout)}
    hybrid = results["hybrid"]
    assert hybrid["recall_at_5"] >= 0.95 and hybrid["mrr_at_10"] >= 0.85
    assert hybrid["oos_abstention"] == 1.0 and hybrid["false_abstention"] == 0.0
    assert set(results) == {"hybrid", "bm25", "dense"}


def test_stale_index_is_refused_with_the_rebuild_command(config, tmp_path):
    stale_root = tmp_path / "stale"
    shutil.copytree(config.parent, stale_root)
    (stale_root / "corpus" / "extra.md").write_text("# Ghi chú\nHộ nghèo.", encoding="utf-8")
    result = run(stale_root / "config.toml", "ask", "hộ nghèo", check=False)
    assert result.returncode == 2
    assert "văn bản mới: extra.md" in result.stderr and "python -m retrieval build" in result.stderr
