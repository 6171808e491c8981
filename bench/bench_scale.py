"""Scale benchmark of the index layout (not a test): BM25 and the FAISS index kinds over a
synthetic corpus of N passages, each configuration in its own process so its peak memory is
its own. Writes bench/results/scale-N.json; docs/benchmarks.md quotes it.

    .venv/bin/python bench/bench_scale.py --passages 100000 500000 [--parts bm25 flat hnsw ivf]

How the synthetic corpus is made (embedding 500,000 passages with e5 on 2 cores would take
most of a day, so vectors are not computed by the model):
- the seed corpus is analysed and embedded for real (BM25 terms, e5 window vectors);
- each synthetic passage joins the terms of 2 to 4 random seed passages (so the vocabulary and
  the term statistics are the corpus's own) and gets a vector mixed from theirs plus noise,
  renormalized, the noise sized so that nearest-neighbour and pairwise cosines match those of
  the real vectors (e5's geometry: clustered, anisotropic);
- queries are the dev questions embedded for real, plus noisy copies of random passages.
The full-build time at N is extrapolated from the measured per-passage analysis and
embedding rates on the real corpus; the report says which figures are measured and which
are extrapolated.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_retrieval import machine, percentile  # noqa: E402

SEED_CACHE = Path(tempfile.gettempdir()) / "tro-ly-scale-seed.npz"
QUERIES = 200
NOISE = 0.015


def peak_rss_mb() -> float:
    # VmHWM, not ru_maxrss: ru_maxrss survives exec, so a worker would report its parent's peak
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def prepare_seed() -> dict:
    """Real analysis and embeddings of the seed corpus, with the rates they were made at."""
    from retrieval import load_settings
    from retrieval.ingest.corpus import load_corpus
    from retrieval.index.embeddings import load_embedder
    from retrieval.service.evaluation import load_questions
    from retrieval.index.analysis import analyse_document

    settings = load_settings(REPO / "config.toml")
    corpus = load_corpus(settings.corpus_dir, settings.metadata_path)
    started = time.perf_counter()
    analyses = [analyse_document(d, settings) for d in corpus.documents]
    analysis_seconds = time.perf_counter() - started
    terms = [t for a in analyses for t in a.terms]
    windows = [w[0] for a in analyses for w in a.windows]  # one window per passage
    embedder = load_embedder(settings)
    embedder.embed_passages(windows[:4])  # warm-up
    started = time.perf_counter()
    vectors = embedder.embed_passages(windows)
    embed_seconds = time.perf_counter() - started
    questions = [q.question for q in load_questions(REPO.parent / "shared" / "eval" / "dev.jsonl")]
    query_vectors = embedder.embed_queries(questions)
    np.savez(SEED_CACHE, vectors=vectors, query_vectors=query_vectors, terms=np.array(json.dumps(terms)), questions=np.array(json.dumps(questions)))
    return {
        "passages": len(terms),
        "analysis_ms_per_passage": round(analysis_seconds * 1000 / len(terms), 2),
        "embedding_ms_per_window": round(embed_seconds * 1000 / len(windows), 2),
    }


def synthetic(n: int, seed: int = 0) -> tuple[list[list[str]], np.ndarray, np.ndarray, list[list[str]]]:
    data = np.load(SEED_CACHE)
    base_vectors, base_queries = data["vectors"], data["query_vectors"]
    base_terms = json.loads(str(data["terms"]))
    questions = json.loads(str(data["questions"]))
    rng = np.random.default_rng(seed)
    parts = rng.integers(0, len(base_terms), size=(n, 4))
    used = rng.integers(2, 5, size=n)
    terms = [sum((base_terms[j] for j in parts[i, : used[i]]), []) for i in range(n)]
    vectors = np.zeros((n, base_vectors.shape[1]), np.float32)
    for i in range(4):
        weight = (used > i).astype(np.float32)[:, None] * rng.random((n, 1), dtype=np.float32)
        vectors += weight * base_vectors[parts[:, i]]
    # noise sized so that nearest-neighbour and pairwise cosines match the real seed vectors
    # (measured: real nn 0.95 / pairwise 0.89; this gives about 0.94 / 0.87)
    vectors += NOISE * rng.standard_normal(vectors.shape, dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    picks = rng.integers(0, n, QUERIES - len(base_queries))
    noisy = vectors[picks] + 2 * NOISE * rng.standard_normal((len(picks), vectors.shape[1]), dtype=np.float32)
    queries = np.vstack([base_queries, noisy / np.linalg.norm(noisy, axis=1, keepdims=True)]).astype(np.float32)
    query_terms = [q.split() for q in questions] + [terms[p][:8] for p in picks]
    return terms, vectors, queries, query_terms


def synthetic_terms(n: int, seed: int = 0):
    """The BM25 side of ``synthetic``: the same passages' terms, made one passage at a time (a
    generator, as a build reads them from each document's analysis), and query terms. Neither
    all the passages' term lists (~2.5 GB at 500,000) nor the vectors are ever held, so the
    peak measured is the BM25 build's own."""
    data = np.load(SEED_CACHE)
    base_terms = json.loads(str(data["terms"]))
    questions = json.loads(str(data["questions"]))
    rng = np.random.default_rng(seed)
    parts = rng.integers(0, len(base_terms), size=(n, 4))
    used = rng.integers(2, 5, size=n)

    def passage(i: int) -> list[str]:
        return sum((base_terms[j] for j in parts[i, : used[i]]), [])

    picks = np.random.default_rng(seed + 1).integers(0, n, QUERIES - len(questions))
    query_terms = [q.split() for q in questions] + [passage(int(p))[:8] for p in picks]
    return (passage(i) for i in range(n)), query_terms


def run_bm25(n: int) -> dict:
    from retrieval.index.lexical import BM25Index

    passages, query_terms = synthetic_terms(n)
    started = time.perf_counter()
    bm25 = BM25Index.build(passages, 1.2, 0.75)
    build = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        bm25.save(Path(tmp))
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
    latencies = []
    for q in query_terms:
        t = time.perf_counter()
        scores = bm25.scores(q)
        np.argpartition(-scores, 50)[:50]
        latencies.append((time.perf_counter() - t) * 1000)
    return {"build_seconds": round(build, 1), "size_mb": round(size / 2**20, 1), "search_ms": {"p50": round(percentile(latencies, 0.5), 2), "p95": round(percentile(latencies, 0.95), 2)}, "peak_rss_mb": peak_rss_mb()}


def run_dense(n: int, kind: str) -> dict:
    from retrieval.index.dense import DenseIndex
    from retrieval.settings import IndexSettings

    _, vectors, queries, _ = synthetic(n)
    del _
    settings = IndexSettings(dense_index=kind)
    started = time.perf_counter()
    dense = DenseIndex.build(vectors, np.arange(n, dtype=np.int32), settings)
    build = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        dense.save(Path(tmp))
        size = (Path(tmp) / "dense.faiss").stat().st_size
    result = {"kind": kind, "build_seconds": round(build, 1), "size_mb": round(size / 2**20, 1), "peak_rss_mb": peak_rss_mb()}
    truth = None
    if kind != "flat":
        exact = DenseIndex.build(vectors, np.arange(n, dtype=np.int32), IndexSettings(dense_index="flat"))
        _, truth = exact.search_windows(queries, 10)
        del exact
    # the search-time parameter moves recall against speed with no rebuild: measure several
    sweep = {"hnsw": [("hnsw_ef_search", v) for v in (128, 256, 512)], "ivf": [("ivf_nprobe", v) for v in (16, 32, 64, 128)]}.get(kind, [(None, None)])
    result["search"] = []
    for name, value in sweep:
        if name:
            dense.tune(IndexSettings(**{name: value}))
        latencies, found = [], []
        for q in queries:
            t = time.perf_counter()
            _, rows = dense.search_windows(q[None, :], 10)
            latencies.append((time.perf_counter() - t) * 1000)
            found.append(rows[0])
        row = {"p50_ms": round(percentile(latencies, 0.5), 2), "p95_ms": round(percentile(latencies, 0.95), 2)}
        if name:
            row = {name: value, **row, "recall_at_10_vs_exact": round(float(np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found)])), 4)}
        result["search"].append(row)
    if kind == "hnsw":
        result["build_settings"] = {"hnsw_m": settings.hnsw_m, "hnsw_ef_construction": settings.hnsw_ef_construction}
    elif kind == "ivf":
        result["build_settings"] = {"ivf_nlist": int(faiss_nlist(dense))}
    return result


def faiss_nlist(dense) -> int:
    import faiss

    return faiss.downcast_index(dense.index).nlist


def in_subprocess(*args: str) -> dict:
    python = REPO / ".venv" / "bin" / "python"
    out = subprocess.run([str(python if python.exists() else sys.executable), __file__, "--worker", *args], capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--passages", type=int, nargs="+", default=[100_000])
    parser.add_argument("--parts", nargs="+", default=["bm25", "flat", "hnsw", "ivf"], help="what to measure; results of other parts already in the file are kept")
    parser.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        what, n = args.worker[0], int(args.worker[1])
        print(json.dumps(run_bm25(n) if what == "bm25" else run_dense(n, what)))
        return

    rates = prepare_seed()
    kinds = [p for p in args.parts if p != "bm25"]
    for n in args.passages:
        out = REPO / "bench" / "results" / f"scale-{n}.json"
        previous = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
        dense = {d["kind"]: d for d in previous.get("dense", [])}
        dense.update({kind: in_subprocess(kind, str(n)) for kind in kinds})
        result = {
            "machine": machine(),
            "passages": n,
            "method": "synthetic passages recombined from the analysed and embedded seed corpus (see the script's docstring); one window per passage",
            "seed_rates_measured": rates,
            "full_build_extrapolated_hours": {
                "analysis (underthesea)": round(n * rates["analysis_ms_per_passage"] / 3.6e6, 2),
                "embedding (e5-small, 1.4 windows per passage)": round(n * 1.4 * rates["embedding_ms_per_window"] / 3.6e6, 2),
            },
            "bm25": in_subprocess("bm25", str(n)) if "bm25" in args.parts else previous.get("bm25"),
            "dense": [dense[k] for k in ("flat", "hnsw", "ivf") if k in dense],
        }
        out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
