"""Retrieval and answer quality on a question file (see shared eval/README.md for the measures).

Every measure is reported for the whole file and, with ``by_kind``, per ``kind`` and per
``style``. A question with ``history`` is asked with those earlier turns (search and answer
alike), and counts as answered only if its answer holds its own gold, not the first turn's.
``part`` keeps half of the questions by the parity of the number in their id ("tune": odd,
"test": even), so thresholds chosen on one half can be reported on the other.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from ..domain import Answer, Hit
from ..settings import SearchMode
from ..text.core import fold, squash_spaces
from .assistant import Assistant

Part = Literal["all", "tune", "test"]


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    kind: str
    gold: tuple[str, ...]
    history: tuple[str, ...] = ()
    style: tuple[str, ...] = ()

    @property
    def in_scope(self) -> bool:
        return self.kind != "oos"

    @property
    def part(self) -> Literal["tune", "test"]:
        """Odd-numbered ids tune thresholds, even-numbered ones test them."""
        digits = re.findall(r"\d+", self.id)
        return "tune" if digits and int(digits[-1]) % 2 == 1 else "test"


def load_questions(path: Path, part: Part = "all") -> list[EvalQuestion]:
    questions = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if "id" not in row or "question" not in row:
            raise ValueError(f"{path}:{n}: each line needs 'id' and 'question'")
        history = row.get("history") or []
        if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
            raise ValueError(f"{path}:{n}: 'history' must be a list of earlier questions")
        style = row.get("style") or []
        questions.append(
            EvalQuestion(
                str(row["id"]), row["question"], row.get("kind") or ("oos" if row.get("gold") == [] else "fact"),
                tuple(row.get("gold") or ()), tuple(history), tuple(style) if isinstance(style, list) else (str(style),),
            )
        )
    return [q for q in questions if part == "all" or q.part == part]


def contains_gold(text: str, gold: tuple[str, ...]) -> bool:
    haystack = squash_spaces(text)
    return any(squash_spaces(g) in haystack for g in gold)


@dataclass
class Scores:
    """The measures over one group of questions."""

    in_scope: int
    out_of_scope: int
    recall_at_1: float
    recall_at_5: float
    mrr_at_10: float
    oos_abstention: float  # share of out-of-scope questions answered "not found"
    false_abstention: float  # share of in-scope questions wrongly answered "not found"
    answer_containment: float  # share of in-scope answers holding a gold string, cited

    @classmethod
    def over(cls, rows: list[dict]) -> "Scores":
        scope = [r for r in rows if r["kind"] != "oos"]
        oos = [r for r in rows if r["kind"] == "oos"]
        n, m = max(1, len(scope)), max(1, len(oos))
        return cls(
            in_scope=len(scope),
            out_of_scope=len(oos),
            recall_at_1=sum(r["rank"] == 1 for r in scope) / n,
            recall_at_5=sum(r["rank"] is not None and r["rank"] <= 5 for r in scope) / n,
            mrr_at_10=sum(1.0 / r["rank"] for r in scope if r["rank"]) / n,
            oos_abstention=sum(not r["found"] for r in oos) / m if oos else 1.0,
            false_abstention=sum(not r["found"] for r in scope) / n,
            answer_containment=sum(bool(r.get("answer_contains_gold")) for r in scope) / n,
        )


@dataclass
class EvalResult:
    mode: str
    folded_questions: bool
    in_scope: int
    out_of_scope: int
    recall_at_1: float
    recall_at_5: float
    mrr_at_10: float
    oos_abstention: float
    false_abstention: float
    answer_containment: float
    per_question: list[dict] = field(default_factory=list)
    groups: dict[str, Scores] = field(default_factory=dict)  # "kind=…", "style=…" -> scores

    def summary(self) -> dict:
        data = asdict(self)
        data.pop("per_question")
        data["groups"] = {name: asdict(s) for name, s in self.groups.items()}
        return data


def _first_relevant_rank(hits: list[Hit] | tuple[Hit, ...], gold: tuple[str, ...]) -> int | None:
    for rank, hit in enumerate(hits[:10], start=1):
        if contains_gold(hit.passage.text, gold):
            return rank
    return None


def _answer_contains(answer: Answer, gold: tuple[str, ...]) -> bool:
    if not answer.found or not contains_gold(answer.text, gold):
        return False
    return any(contains_gold(c.hit.passage.text, gold) for c in answer.citations)


def evaluate(
    assistant: Assistant, questions: list[EvalQuestion], mode: SearchMode | None = None, fold_questions: bool = False, by_kind: bool = False
) -> EvalResult:
    texts = [fold(q.question) if fold_questions else q.question for q in questions]
    histories = [[fold(h) if fold_questions else h for h in q.history] for q in questions]
    hits_per_question = assistant.batch_search(texts, k=10, mode=mode, histories=histories)
    answers = assistant.batch_ask(texts, histories, mode=mode)
    per_question = []
    for q, text, hits, answer in zip(questions, texts, hits_per_question, answers):
        rank = _first_relevant_rank(hits, q.gold) if q.in_scope else None
        row = {
            "id": q.id, "kind": q.kind, "style": list(q.style), "question": text, "rank": rank, "found": answer.found,
            "status": answer.status.value, "evidence": answer.evidence,
        }
        if q.in_scope:
            row["answer_contains_gold"] = _answer_contains(answer, q.gold)
        per_question.append(row)
    overall = Scores.over(per_question)
    groups: dict[str, Scores] = {}
    if by_kind:
        for kind in dict.fromkeys(r["kind"] for r in per_question):
            groups[f"kind={kind}"] = Scores.over([r for r in per_question if r["kind"] == kind])
        styles = dict.fromkeys(s for r in per_question for s in r["style"])
        for style in styles:
            groups[f"style={style}"] = Scores.over([r for r in per_question if style in r["style"]])
        if styles:
            groups["style=(none)"] = Scores.over([r for r in per_question if not r["style"] and r["kind"] == "colloquial"])
    return EvalResult(
        mode=mode or assistant.settings.search.mode,
        folded_questions=fold_questions,
        per_question=per_question,
        groups=groups,
        **asdict(overall),
    )
