"""Retrieval and answer quality on a question file (see shared eval/README.md for the measures)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .assistant import Assistant
from .domain import Answer, Hit
from .settings import SearchMode
from .text import fold, squash_spaces


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    kind: str
    gold: tuple[str, ...]

    @property
    def in_scope(self) -> bool:
        return self.kind != "oos"


def load_questions(path: Path) -> list[EvalQuestion]:
    questions = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if "id" not in row or "question" not in row:
            raise ValueError(f"{path}:{n}: each line needs 'id' and 'question'")
        questions.append(EvalQuestion(str(row["id"]), row["question"], row.get("kind") or ("oos" if row.get("gold") == [] else "fact"), tuple(row.get("gold") or ())))
    return questions


def contains_gold(text: str, gold: tuple[str, ...]) -> bool:
    haystack = squash_spaces(text)
    return any(squash_spaces(g) in haystack for g in gold)


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

    def summary(self) -> dict:
        data = asdict(self)
        data.pop("per_question")
        return data


def _first_relevant_rank(hits: list[Hit], gold: tuple[str, ...]) -> int | None:
    for rank, hit in enumerate(hits[:10], start=1):
        if contains_gold(hit.passage.text, gold):
            return rank
    return None


def _answer_contains(answer: Answer, gold: tuple[str, ...]) -> bool:
    if not answer.found or not contains_gold(answer.text, gold):
        return False
    return any(contains_gold(c.hit.passage.text, gold) for c in answer.citations)


def evaluate(assistant: Assistant, questions: list[EvalQuestion], mode: SearchMode | None = None, fold_questions: bool = False) -> EvalResult:
    texts = [fold(q.question) if fold_questions else q.question for q in questions]
    hits_per_question = assistant.batch_search(texts, k=10, mode=mode)
    answers = assistant.batch_ask(texts, mode=mode)
    scope = [q for q in questions if q.in_scope]
    oos = [q for q in questions if not q.in_scope]
    r1 = r5 = rr = contained = abstained_in = abstained_oos = 0.0
    per_question = []
    for q, text, hits, answer in zip(questions, texts, hits_per_question, answers):
        rank = _first_relevant_rank(hits, q.gold) if q.in_scope else None
        row = {"id": q.id, "kind": q.kind, "question": text, "rank": rank, "found": answer.found, "evidence": answer.evidence}
        if q.in_scope:
            r1 += rank == 1
            r5 += rank is not None and rank <= 5
            rr += 1.0 / rank if rank else 0.0
            abstained_in += not answer.found
            row["answer_contains_gold"] = _answer_contains(answer, q.gold)
            contained += row["answer_contains_gold"]
        else:
            abstained_oos += not answer.found
        per_question.append(row)
    n, m = max(1, len(scope)), max(1, len(oos))
    return EvalResult(
        mode=mode or assistant.settings.search.mode,
        folded_questions=fold_questions,
        in_scope=len(scope),
        out_of_scope=len(oos),
        recall_at_1=r1 / n,
        recall_at_5=r5 / n,
        mrr_at_10=rr / n,
        oos_abstention=abstained_oos / m if oos else 1.0,
        false_abstention=abstained_in / n,
        answer_containment=contained / n,
        per_question=per_question,
    )
