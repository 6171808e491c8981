"""Benchmark of the retrieval core (not a test): seed-corpus build time, warm search and
ask latency, peak memory. Writes bench/results/retrieval.json; docs/benchmarks.md quotes it.

    .venv/bin/python bench/bench_retrieval.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from retrieval import Assistant, build, load_settings  # noqa: E402
from retrieval.index.embeddings import load_embedder  # noqa: E402
from retrieval.service.evaluation import load_questions  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1), "python": platform.python_version()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--questions", default=str(REPO.parent / "shared" / "eval" / "dev.jsonl"))
    args = parser.parse_args()

    base = load_settings(REPO / "config.toml")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "corpus", root / "corpus")
        settings = base.with_overrides(
            corpus={"dir": str(root / "corpus"), "metadata_file": str(root / "corpus" / "documents.json")},
            index={"dir": str(root / "index")},
            embedding={"model": str(base.resolve(Path(base.embedding.model)))},
            # the rounds repeat the questions: every one is encoded, as a new question would be
            search={"query_cache": 0},
        )
        started = time.perf_counter()
        embedder = load_embedder(settings)
        model_load = time.perf_counter() - started
        cold = build(settings, embedder)  # empty embedding cache: every window embedded
        warm = build(settings, embedder)  # same corpus again: all from the cache

        started = time.perf_counter()
        assistant = Assistant.open(settings, embedder=embedder)
        open_seconds = time.perf_counter() - started
        questions = [q.question for q in load_questions(Path(args.questions))]
        assistant.ask(questions[0])  # warm-up
        search_ms, ask_ms = [], []
        for _ in range(args.rounds):
            for q in questions:
                t = time.perf_counter()
                assistant.search(q, k=10)
                search_ms.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                assistant.ask(q)
                ask_ms.append((time.perf_counter() - t) * 1000)

    result = {
        "machine": machine(),
        "corpus": {"documents": cold.documents, "passages": cold.passages, "searchable": cold.searchable_passages, "windows": cold.windows},
        "model_load_seconds": round(model_load, 2),
        "build_seconds_cold_cache": round(cold.seconds, 2),
        "build_seconds_warm_cache": round(warm.seconds, 2),
        "open_index_seconds": round(open_seconds, 3),
        "queries": len(search_ms),
        "search_ms": {"p50": round(percentile(search_ms, 0.5), 1), "p95": round(percentile(search_ms, 0.95), 1)},
        "ask_ms": {"p50": round(percentile(ask_ms, 0.5), 1), "p95": round(percentile(ask_ms, 0.95), 1), "mean": round(statistics.mean(ask_ms), 1)},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    out = REPO / "bench" / "results" / "retrieval.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
