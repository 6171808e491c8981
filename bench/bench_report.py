"""Benchmark of the cadres' report (not a test): grouping 10,000 logged questions and building
the whole report over them, on the stored rows (already masked, as the store keeps them). Two
logs: one like a real one (8 needs asked many times, typed many ways, plus a long tail of other
questions) and a worst case where every question is worded differently. Also masking speed.
Writes bench/results/report.json.

    .venv/bin/python bench/bench_report.py [--questions 10000]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_retrieval import machine  # noqa: E402
from retrieval.privacy import mask  # noqa: E402
from retrieval.records import QuestionRecord, QuestionStatus, normal_form  # noqa: E402
from retrieval.report import build_report, group_questions  # noqa: E402
from support.generated_questions import SIZES_200, generate  # noqa: E402

FACES = ("telegram", "widget", "api", "cli")
STATUSES = (QuestionStatus.ANSWERED, QuestionStatus.ANSWERED, QuestionStatus.NOT_COVERED, QuestionStatus.ELIGIBILITY_HINT, QuestionStatus.REFUSED)


def corpus_words() -> list[str]:
    text = " ".join(p.read_text(encoding="utf-8", errors="ignore") for p in (REPO / "corpus").glob("*") if p.suffix in (".txt", ".md"))
    return sorted({w for w in re.findall(r"[^\W\d_]+", text.lower()) if len(w) > 1})


def long_tail(rng: random.Random, words: list[str], n: int) -> list[str]:
    """Questions nobody else asks: 5–12 words of the corpus's vocabulary."""
    return [" ".join(rng.choices(words, k=rng.randint(5, 12))) + "?" for _ in range(n)]


def rows_of(texts: list[str], rng: random.Random) -> list[QuestionRecord]:
    start = date(2026, 6, 1)
    rows = []
    for text in texts:
        status = rng.choice(STATUSES)
        cited = (f"doc{rng.randint(1, 4)}-{rng.randint(1, 60)}",) if status is QuestionStatus.ANSWERED else ()
        nearest = cited[0] if cited else f"doc{rng.randint(1, 4)}-{rng.randint(1, 60)}"
        rows.append(QuestionRecord(start + timedelta(days=rng.randint(0, 179)), rng.choice(FACES), text, normal_form(text), status, cited, nearest, (nearest.split("-")[0],)))
    return rows


def timed(fn, rounds: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(rounds):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(15)
    words = corpus_words()
    n = args.questions

    # masking: what the store pays per question (the NER loaded once before)
    sample = [g.text for g in generate(seed=3)]
    mask(sample[0])
    started = time.perf_counter()
    masked_sample = [mask(t).text for t in sample]
    mask_ms = (time.perf_counter() - started) / len(sample) * 1000

    scale = n * 0.7 / sum(SIZES_200.values())
    realistic_texts = [mask(g.text).text for g in generate({t: round(s * scale) for t, s in SIZES_200.items()}, seed=15)] + long_tail(rng, words, n - round(n * 0.7))
    realistic_texts = realistic_texts[:n]
    distinct_texts = long_tail(rng, words, n)
    results = {"machine": machine(), "questions": n, "mask_ms_per_question": round(mask_ms, 2), "masked_sample_size": len(masked_sample)}
    for name, texts in (("realistic", realistic_texts), ("all_distinct", distinct_texts)):
        rows = rows_of(texts, rng)
        not_covered = [r.question for r in rows if r.status is QuestionStatus.NOT_COVERED]
        group_all_s, groups = timed(lambda: group_questions(texts), args.rounds)
        report_s, report = timed(lambda: build_report(rows, []), args.rounds)
        results[name] = {
            "group_all_seconds": round(group_all_s, 3),
            "groups_of_all": len(groups),
            "report_seconds": round(report_s, 3),
            "not_covered_questions": len(not_covered),
            "not_covered_groups": len(report.not_covered),
        }
        print(f"{name:<13} group {n} questions: {group_all_s:.2f} s ({len(groups)} groups); whole report: {report_s:.2f} s ({len(not_covered)} not covered -> {len(report.not_covered)} groups)")
    print(f"masking: {mask_ms:.1f} ms per question")
    out = REPO / "bench" / "results" / "report.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
