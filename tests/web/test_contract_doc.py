"""docs/api-contract.md is generated from the contract's models and the app's routes
(scripts/api_contract.py): the committed one must be what the code says now."""

from __future__ import annotations

import importlib.util
import subprocess

from pydantic import Field, create_model

from retrieval.contract import AnswerOut, HitOut
from support import PYTHON, REPO

SCRIPT = REPO / "scripts" / "api_contract.py"


def _generator():
    spec = importlib.util.spec_from_file_location("api_contract", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_doc_is_up_to_date():
    done = subprocess.run([str(PYTHON), str(SCRIPT), "--check"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr or "docs/api-contract.md is out of date: run python scripts/api_contract.py"


def test_the_doc_follows_the_models(monkeypatch):
    generator = _generator()
    template = generator.TEMPLATE.read_text(encoding="utf-8")
    committed = generator.OUTPUT.read_text(encoding="utf-8")
    assert generator.render(template) == committed
    assert "| `found` | boolean | yes |" in committed and "[CitationOut](#citationout)" in committed
    # a field added to a shape (say, the nearest clauses of a not-covered answer) is in the
    # document as soon as it is in the model: nobody writes the tables by hand
    extended = create_model("AnswerOut", __base__=AnswerOut, related=(list[HitOut], Field(description="Các đoạn gần nhất")))
    monkeypatch.setattr(generator, "SHAPES", tuple(extended if s is AnswerOut else s for s in generator.SHAPES))
    assert "| `related` | [[HitOut](#hitout)] | yes | Các đoạn gần nhất |" in generator.render(template)
