"""Scale benchmark of the index layout (not a test): BM25, the FAISS index kinds and the whole
ask (``Assistant.ask``: reading, the encoder, BM25, FAISS, the answer) over a synthetic corpus
of N passages, each part in its own process so its peak memory is its own. Writes
bench/results/scale-N.json (scale-N-generated.json with ``--corpus generated``, whose passages
are new text: see ``GeneratedText``); docs/benchmarks.md quotes them.

    .venv/bin/python bench/bench_scale.py --passages 100000 500000 [--parts bm25 flat hnsw ivf ask] [--corpus generated]

How the synthetic corpus is made (embedding 500,000 passages with e5 on 2 cores would take
most of a day, so vectors are not computed by the model):
- the seed corpus is analysed and embedded for real (BM25 terms, e5 window vectors);
- each synthetic passage joins the terms of 2 to 4 random seed passages (so the vocabulary and
  the term statistics are the corpus's own) and gets a vector mixed from theirs plus noise,
  renormalized, the noise sized so that nearest-neighbour and pairwise cosines match those of
  the real vectors (e5's geometry: clustered, anisotropic);
- dense queries are the dev questions embedded for real, plus noisy copies of random passages;
  BM25 queries are the dev and dev-citizen questions as the service reads them (their folded
  syllables, pairs, words and the documents' words), plus runs of terms of random passages.
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
ROUNDS = 3  # rounds of the ask questions
METHODS = {
    "recombined": "synthetic passages recombined from the analysed and embedded seed corpus (see the script's docstring); one window per passage",
    "generated": "passages of new text walked by a bigram chain of the seed corpus and general Vietnamese (GeneratedText), vectors mixed from the seed's; one window per passage",
}
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
    from retrieval.index.load import load_index
    from retrieval.service.assistant import Assistant

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
    # BM25 is measured with the terms the service searches: the questions of both dev sets read
    # as the searcher reads them (folded syllables, pairs, words, the documents' words)
    everyone = questions + [q.question for q in load_questions(REPO.parent / "shared" / "eval" / "dev-citizen.jsonl")]
    reading = Assistant(settings, load_index(settings), None).read(everyone)
    lexical = [q.lexical for q in reading]
    np.savez(SEED_CACHE, vectors=vectors, query_vectors=query_vectors, terms=np.array(json.dumps(terms)), questions=np.array(json.dumps(lexical)))
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
    query_terms = questions + [terms[p][:8] for p in picks]
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
    query_terms = questions + [passage(int(p))[:8] for p in picks]
    return (passage(i) for i in range(n)), query_terms


def seed_texts() -> list[str]:
    from retrieval import load_settings
    from retrieval.index.load import load_index

    return [f"{p.context}\n{p.text}" for p in load_index(load_settings(REPO / "config.toml")).passages]


def run_bm25(n: int, corpus: str = "recombined") -> dict:
    from retrieval.index.lexical import BM25Index

    read_questions = json.loads(str(np.load(SEED_CACHE)["questions"]))
    if corpus == "generated":
        passages = (terms for _, terms in GeneratedText(seed_texts(), 0).passages(n))
        query_terms = read_questions
    else:
        passages, query_terms = synthetic_terms(n)
    read = len(read_questions)
    started = time.perf_counter()
    bm25 = BM25Index.build(passages, 1.2, 0.75)
    build = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        bm25.save(Path(tmp))
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
    full, pruned = [], []
    for q in query_terms:  # side by side: every passage scored, and the pruned top 50
        t = time.perf_counter()
        bm25._best(bm25.scores(q), 50, None)
        full.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        bm25.top(q, 50)
        pruned.append((time.perf_counter() - t) * 1000)

    def spread(values: list[float]) -> dict:
        return {"p50": round(percentile(values, 0.5), 2), "p95": round(percentile(values, 0.95), 2)}

    return {
        "build_seconds": round(build, 1),
        "size_mb": round(size / 2**20, 1),
        "queries": f"{read} dev and dev-citizen questions as read, {len(query_terms) - read} runs of 8 terms of random passages",
        "search_ms": spread(pruned),
        "search_ms_every_passage_scored": spread(full),
        "peak_rss_mb": peak_rss_mb(),
    }


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


class GeneratedText:
    """Passages of new text, none a copy of another: syllables walked by a bigram chain mixed
    half from the seed corpus's own pairs and half from general Vietnamese (Viet74K's words,
    weighed by wordfreq: the restorer's lexicon), restarting from the mixed unigram frequencies
    at a phrase boundary (one step in five) or where a syllable has no known successor.
    Lengths follow the seed passages'. Recombining seed passages (``synthetic``) makes each of
    them appear in thousands of passages, so every query term is common and thousands of
    passages tie at the top: the worst case for BM25. A real corpus of 500,000 clauses has a
    long tail of rare terms and few near-copies; this chain has a realistic tail, though its
    text reads as no document does."""

    RESTART = 0.2
    SENTENCE = 20  # syllables per sentence, so the answer step finds sentences

    def __init__(self, seed_texts: list[str], seed: int) -> None:
        import re
        from collections import Counter

        from retrieval.text.lexicon import general_lexicon

        word = re.compile(r"[^\W\d_]+", re.UNICODE)
        runs = [word.findall(line.lower()) for text in seed_texts for line in text.split("\n")]
        corpus_unigrams = Counter(w for run in runs for w in run)
        corpus_pairs = Counter((a, b) for run in runs for a, b in zip(run, run[1:]))
        lexicon = general_lexicon()
        general = {w: f for forms in lexicon.forms.values() for w, f in forms}
        self.vocabulary = sorted(corpus_unigrams.keys() | general.keys())
        ids = {w: i for i, w in enumerate(self.vocabulary)}
        unigram = np.zeros(len(ids))
        for w, c in corpus_unigrams.items():
            unigram[ids[w]] += 0.5 * c / sum(corpus_unigrams.values())
        total = sum(general.values())
        for w, f in general.items():
            unigram[ids[w]] += 0.5 * f / total
        self.unigram_cdf = np.cumsum(unigram / unigram.sum())
        # transitions: per source row, the mixed successor probabilities
        rows: dict[int, dict[int, float]] = {}
        corpus_out: dict[str, list[tuple[str, int]]] = {}
        for (a, b), c in corpus_pairs.items():
            corpus_out.setdefault(a, []).append((b, c))
        lexicon_out: dict[str, list[str]] = {}
        for pair in lexicon.pairs:
            a, b = pair.split(" ")
            if a in ids and b in ids:
                lexicon_out.setdefault(a, []).append(b)
        for a in set(corpus_out) | set(lexicon_out):
            mixed: dict[int, float] = {}
            seen_after = sum(c for _, c in corpus_out.get(a, []))
            own = [(b, c / seen_after) for b, c in corpus_out.get(a, [])]
            general_next = lexicon_out.get(a, [])
            share = 0.5 if own and general_next else 1.0
            for b, prob in own:
                mixed[ids[b]] = mixed.get(ids[b], 0.0) + share * prob
            weights = np.array([general.get(b, 1e-3) for b in general_next])
            for b, w in zip(general_next, weights / weights.sum() if len(weights) else weights):
                mixed[ids[b]] = mixed.get(ids[b], 0.0) + share * w
            rows[ids[a]] = mixed
        self.row_start = np.zeros(len(ids) + 1, dtype=np.int64)  # row a's successors: [row_start[a], row_start[a + 1])
        successors, cumulative = [], []
        for a in range(len(ids)):
            self.row_start[a] = len(successors)
            mixed = rows.get(a)
            if mixed:
                successors.extend(mixed)
                cdf = np.cumsum(list(mixed.values()))
                cumulative.extend(a + cdf / cdf[-1])  # row a's successors live in (a, a + 1]
        self.row_start[len(ids)] = len(successors)
        self.successors = np.array(successors, dtype=np.int32)
        self.cumulative = np.array(cumulative)
        self.lengths = np.array([len(r) for r in (word.findall(t.lower()) for t in seed_texts)])
        self.rng = np.random.default_rng(seed)

    def walk(self, count: int) -> list[np.ndarray]:
        """``count`` passages as syllable ids."""
        lengths = self.rng.choice(self.lengths, size=count)
        steps = int(lengths.max())
        out = np.zeros((count, steps), dtype=np.int32)
        current = np.searchsorted(self.unigram_cdf, self.rng.random(count))
        out[:, 0] = current
        for step in range(1, steps):
            has_next = self.row_start[current + 1] > self.row_start[current]
            restart = ~has_next | (self.rng.random(count) < self.RESTART)
            chained = np.flatnonzero(~restart)
            target = current[chained] + self.rng.random(len(chained)) * (1 - 1e-9) + 1e-12
            nxt = current.copy()
            nxt[chained] = self.successors[np.minimum(np.searchsorted(self.cumulative, target), len(self.successors) - 1)]
            fresh = np.flatnonzero(restart)
            nxt[fresh] = np.minimum(np.searchsorted(self.unigram_cdf, self.rng.random(len(fresh))), len(self.vocabulary) - 1)
            current = nxt
            out[:, step] = current
        return [out[i, : lengths[i]] for i in range(count)]

    def passages(self, count: int, chunk: int = 20_000):
        """``count`` passages as (text, BM25 terms), made a chunk at a time."""
        for start in range(0, count, chunk):
            for ids in self.walk(min(chunk, count - start)):
                text = self.text(ids)
                yield text, generated_terms(text)

    def text(self, ids: np.ndarray) -> str:
        words = [self.vocabulary[i] for i in ids]
        sentences = [" ".join(words[i : i + self.SENTENCE]) for i in range(0, len(words), self.SENTENCE)]
        return " ".join(s[:1].upper() + s[1:] + "." for s in sentences)


def generated_terms(text: str) -> list[str]:
    """BM25 terms of generated text: folded syllables and their pairs, as ``lexical_terms`` makes
    them, without underthesea's words (segmenting 500,000 passages takes hours)."""
    from retrieval.text.core import syllables

    tokens = syllables(text)
    return tokens + [f"{a}+{b}" for a, b in zip(tokens, tokens[1:])]


PASSAGES_PER_DOCUMENT = 100


class Timed:
    """Wall time of each call of one method, kept per call (the parts of an ask)."""

    def __init__(self, owner, name: str) -> None:
        self.calls: list[float] = []
        inner = getattr(owner, name)

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.calls.append((time.perf_counter() - t) * 1000)

        setattr(owner, name, timed)


def synthetic_index(n: int, settings, corpus: str = "recombined", seed: int = 0):
    """A LoadedIndex of N passages in N/100 documents, each document a copy of a seed document
    (its metadata, so places and in-force dates are real) whose passages join 2 to 4 of that
    seed document's clauses: their text (what answers quote), their BM25 terms, and a vector
    mixed from theirs as ``synthetic`` mixes them. The real passages' order and windows are
    kept; only the model's vectors of the joined texts are not computed."""
    from dataclasses import replace

    from retrieval.domain import Passage, PassageKind
    from retrieval.index.analysis import analyse_document
    from retrieval.index.dense import DenseIndex
    from retrieval.index.lexical import BM25Builder
    from retrieval.index.load import LoadedIndex, load_index
    from retrieval.ingest.corpus import load_corpus

    seed_index = load_index(settings, check_fresh=False)  # only its restorer and manifest are used
    corpus = load_corpus(settings.corpus_dir, settings.metadata_path)
    seed_vectors = np.load(SEED_CACHE)["vectors"]  # windows[0] of each searchable passage, in corpus order
    by_document: list[tuple] = []  # (document, [(passage, terms, vector row)])
    row = 0
    for document in corpus.documents:
        parts = []
        for passage, terms, _ in analyse_document(document, settings).searchable_parts():
            parts.append((passage, terms, row))
            row += 1
        by_document.append((document, parts))
    rng = np.random.default_rng(seed)
    documents, passages, all_passages = {}, [], {}
    lexical = BM25Builder()
    vectors = np.zeros((n, seed_vectors.shape[1]), np.float32)
    generated = GeneratedText(seed_texts(), seed).passages(n) if corpus == "generated" else None
    for copy in range((n + PASSAGES_PER_DOCUMENT - 1) // PASSAGES_PER_DOCUMENT):
        source, parts = by_document[copy % len(by_document)]
        document = replace(source, id=f"{source.id}~{copy}")
        documents[document.id] = document
        own = all_passages.setdefault(document.id, [])
        for ordinal in range(min(PASSAGES_PER_DOCUMENT, n - len(passages))):
            picked = [parts[int(j)] for j in rng.integers(0, len(parts), size=int(rng.integers(2, 5)))]
            first = picked[0][0]
            if generated is not None:  # new text; the vector still mixed from seed passages'
                text, terms = next(generated)
            else:
                text, terms = "\n".join(p.text for p, _, _ in picked), [t for _, terms, _ in picked for t in terms]
            passage = Passage(f"{document.id}-{ordinal}", document.id, ordinal, text, first.location, first.context, PassageKind.CLAUSE)
            lexical.add(terms)
            vectors[len(passages)] = sum(rng.random(dtype=np.float32) * seed_vectors[r] for _, _, r in picked)
            passages.append(passage)
            own.append(passage)
    vectors += NOISE * rng.standard_normal(vectors.shape, dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    bm25 = lexical.finish(settings.search.bm25_k1, settings.search.bm25_b)
    dense = DenseIndex.build(vectors, np.arange(n, dtype=np.int32), settings.index)
    del vectors
    return LoadedIndex(seed_index.manifest, seed_index.directory, documents, passages, all_passages, [p.text for p in passages], bm25, dense, seed_index.accents)


def run_ask(n: int, corpus: str = "recombined") -> dict:
    """The whole ask, as the service runs it (question reading, the encoder, BM25, FAISS,
    fusion, the answer), over ``synthetic_index(n)``, for the dev and dev-citizen questions
    (follow-ups with their earlier turns), every question encoded (no question-vector cache)."""
    from retrieval import load_settings
    from retrieval.index.dense import DenseIndex
    from retrieval.index.embeddings import load_embedder
    from retrieval.index.lexical import BM25Index
    from retrieval.service.assistant import Assistant
    from retrieval.service.evaluation import load_questions

    base = load_settings(REPO / "config.toml")
    settings = base.with_overrides(search={"query_cache": 0}, embedding={"model": str(base.resolve(Path(base.embedding.model)))})
    started = time.perf_counter()
    index = synthetic_index(n, settings, corpus)
    made = time.perf_counter() - started
    embedder = load_embedder(settings)
    started = time.perf_counter()
    assistant = Assistant(settings, index, embedder)
    engine_seconds = time.perf_counter() - started
    eval_dir = REPO.parent / "shared" / "eval"
    questions = [q for name in ("dev.jsonl", "dev-citizen.jsonl") for q in load_questions(eval_dir / name)]
    assistant.ask(questions[0].question)  # warm-up: the filters' masks and the model's first run
    parts = {"encoder": Timed(embedder, "embed_queries"), "bm25": Timed(BM25Index, "top"), "faiss": Timed(DenseIndex, "search_windows")}
    latencies = []
    for _ in range(ROUNDS):
        for q in questions:
            t = time.perf_counter()
            assistant.ask(q.question, list(q.history))
            latencies.append((time.perf_counter() - t) * 1000)

    def spread(values: list[float]) -> dict:
        return {"p50": round(percentile(values, 0.5), 1), "p95": round(percentile(values, 0.95), 1)}

    return {
        "passages": n,
        "corpus": corpus,
        "documents": len(index.documents),
        "dense_index": index.dense.kind,
        "questions": len(questions),
        "rounds": ROUNDS,
        "index_made_seconds": round(made, 1),
        "assistant_ready_seconds": round(engine_seconds, 2),
        "ask_ms": spread(latencies),
        "parts_ms": {name: spread(t.calls) for name, t in parts.items()},
        "peak_rss_mb": peak_rss_mb(),
    }


def faiss_nlist(dense) -> int:
    import faiss

    return faiss.downcast_index(dense.index).nlist


def in_subprocess(*args: str) -> dict:
    python = REPO / ".venv" / "bin" / "python"
    out = subprocess.run([str(python if python.exists() else sys.executable), __file__, "--worker", *args], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    if out.returncode != 0:  # a worker's failure is the part's result: the others are still written
        print(out.stderr, file=sys.stderr)
        return {"failed": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--passages", type=int, nargs="+", default=[100_000])
    parser.add_argument("--parts", nargs="+", default=["bm25", "flat", "hnsw", "ivf", "ask"], help="what to measure; results of other parts already in the file are kept")
    parser.add_argument("--corpus", choices=["recombined", "generated"], default="recombined", help="how passages are made (see GeneratedText); generated results go to scale-N-generated.json")
    parser.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        what, n, corpus = args.worker[0], int(args.worker[1]), (args.worker[2:] or ["recombined"])[0]
        runs = {"bm25": run_bm25, "ask": run_ask}
        print(json.dumps(runs[what](n, corpus) if what in runs else run_dense(n, what)))
        return

    rates = prepare_seed()
    kinds = [p for p in args.parts if p not in ("bm25", "ask")]
    for n in args.passages:
        out = REPO / "bench" / "results" / (f"scale-{n}.json" if args.corpus == "recombined" else f"scale-{n}-{args.corpus}.json")
        previous = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
        dense = {d["kind"]: d for d in previous.get("dense", [])}
        dense.update({kind: in_subprocess(kind, str(n)) for kind in kinds})  # vectors only: the same for either corpus
        result = {
            "machine": machine(),
            "passages": n,
            "method": METHODS[args.corpus],
            "seed_rates_measured": rates,
            "full_build_extrapolated_hours": {
                "analysis (underthesea)": round(n * rates["analysis_ms_per_passage"] / 3.6e6, 2),
                "embedding (e5-small, 1.4 windows per passage)": round(n * 1.4 * rates["embedding_ms_per_window"] / 3.6e6, 2),
            },
            "bm25": in_subprocess("bm25", str(n), args.corpus) if "bm25" in args.parts else previous.get("bm25"),
            "dense": [dense[k] for k in ("flat", "hnsw", "ivf") if k in dense],
            "ask": in_subprocess("ask", str(n), args.corpus) if "ask" in args.parts else previous.get("ask"),
        }
        out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
