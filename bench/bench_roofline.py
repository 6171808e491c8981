"""How close the query encoder runs to what this CPU can do at all (not a test).

A question's vector costs a fixed number of multiply-adds: e5-small's 12 layers each multiply
every token by the query, key, value and output projections (4 x 384 x 384) and the feed-forward
pair (2 x 384 x 1,536), ~21.2 million multiply-adds per token (attention's own products are
~1 % at 30 tokens). This script measures, on one core and then on all of them:

- the floating-point rate of a large float32 matrix product (numpy's BLAS): the machine's
  practical ceiling;
- onnxruntime running the exported encoder on the dev questions as the searcher reads them
  (its prompt included), one question at a time: CPU per question, tokens, the rate it reaches;

and from them the most new questions per second this machine can encode with every core on
nothing else, which bounds any server on it. Results in bench/results/roofline.json.

    .venv/bin/python bench/bench_roofline.py
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_retrieval import machine  # noqa: E402

MULTIPLY_ADDS_PER_TOKEN = 12 * (4 * 384 * 384 + 2 * 384 * 1536)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def blas_gflops(threads: int) -> float:
    from threadpoolctl import threadpool_limits

    a = np.random.default_rng(0).random((1024, 1024), dtype=np.float32)
    with threadpool_limits(threads):
        a @ a
        best = 0.0
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(10):
                a @ a
            best = max(best, 10 * 2 * 1024**3 / (time.perf_counter() - started) / 1e9)
    return round(best, 1)


def cpu_flags() -> list[str]:
    flags = next((line.split(":", 1)[1].split() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags")), [])
    return sorted(f for f in flags if f in {"avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8"})


def main() -> None:
    from retrieval import load_settings
    from retrieval.index.embeddings import load_embedder
    from retrieval.index.load import load_index
    from retrieval.service.assistant import Assistant
    from retrieval.service.evaluation import load_questions

    settings = load_settings(REPO / "config.toml")
    eval_dir = REPO.parent / "shared" / "eval"
    reader = Assistant(settings, load_index(settings), None)
    result = {"machine": {**machine(), "flags": cpu_flags()}, "blas_gflops": {"1 core": blas_gflops(1), f"{os.cpu_count()} cores": blas_gflops(os.cpu_count())}}
    rows = {}
    for threads in (1, os.cpu_count()):
        embedder = load_embedder(settings.with_overrides(embedding={"threads": threads}))
        tokenizer = embedder._tokenizer  # the encoder's own: the counts are what the model reads
        for name in ("dev.jsonl", "dev-citizen.jsonl"):
            texts = [q.dense for q in reader.read([q.question for q in load_questions(eval_dir / name)])]
            tokens = [len(tokenizer.encode(settings.embedding.query_prompt + t).ids) for t in texts]
            for text in texts[:3]:
                embedder.embed_queries([text])  # warm-up
            best_cpu, best_wall = float("inf"), float("inf")
            for _ in range(3):
                c, w = cpu_seconds(), time.perf_counter()
                for text in texts:
                    embedder.embed_queries([text])
                best_cpu, best_wall = min(best_cpu, cpu_seconds() - c), min(best_wall, time.perf_counter() - w)
            flops = 2 * MULTIPLY_ADDS_PER_TOKEN * sum(tokens)
            rows[f"{name}, {threads} thread(s)"] = {
                "questions": len(texts),
                "tokens_mean": round(float(np.mean(tokens)), 1),
                "gflop_per_question": round(flops / len(texts) / 1e9, 2),
                "cpu_ms_per_question": round(best_cpu * 1000 / len(texts), 1),
                "wall_ms_per_question": round(best_wall * 1000 / len(texts), 1),
                "gflops_reached_per_core_busy": round(flops / best_cpu / 1e9, 1),
            }
    result["encoder"] = rows
    # every core on the encoder and nothing else: the ceiling of any server on this machine
    all_cores = result["blas_gflops"][f"{os.cpu_count()} cores"]
    result["new_questions_per_second_at_most"] = {name: round(all_cores / rows[f"{name}, 1 thread(s)"]["gflop_per_question"], 1) for name in ("dev.jsonl", "dev-citizen.jsonl")}
    out = REPO / "bench" / "results" / "roofline.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
