"""Side by side, in one run: the query encoder main served with before (sentence-transformers on
torch, float32) and the ONNX exports onnxruntime serves now (float32, int8). Not a test.

    .venv/bin/python bench/bench_encoders.py [--runs 3] [--seconds 20] [--encoders st fp32 int8]

For each encoder, over the bundled corpus (each with its own index, built by that encoder):

- cold start to the first vector, query encode p50/p95 (one question at a time, the 216 dev,
  dev-citizen and extra questions with and without accents) and the process's peak RSS: each a
  median over ``--runs`` fresh processes;
- agreement with sentence-transformers: cosine of every question's and every corpus window's
  vector (mean/min), and how often a question's nearest window is the same;
- the eval figures (dev, dev-citizen, extra; hybrid, BM25, dense, with and without accents);
- ``Assistant.ask`` p50/p95 in-process (warm, one question at a time);
- the real ``server.py``: start to ``/healthz`` 200 and to the first answer (median over
  ``--runs`` starts), the bot's first ``getUpdates`` when hosted (fake Bot API), requests/s and
  latency at 1 and 8 closed-loop clients on ``POST /api/ask``, and its peak RSS.

The machine is shared: the 1-minute load average is recorded beside each figure. Writes
bench/results/encoders.json; docs/benchmarks.md quotes it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_retrieval import machine, percentile  # noqa: E402
from bench.bench_server import run_load, server_rss_mb, wait_ready  # noqa: E402
from support import free_port  # noqa: E402

PYTHON = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable
EVAL_DIR = REPO.parent / "shared" / "eval"
EVAL_SETS = {"dev": EVAL_DIR / "dev.jsonl", "dev-citizen": EVAL_DIR / "dev-citizen.jsonl", "extra": REPO / "bench" / "questions-extra.jsonl"}
ENCODERS = {
    "st": {"label": "sentence-transformers + torch, float32 (before)", "runtime": "sentence-transformers", "quantize": "none"},
    "fp32": {"label": "onnxruntime, fused float32", "runtime": "onnx", "quantize": "none"},
    "int8": {"label": "onnxruntime, fused int8 (dynamic, per channel)", "runtime": "onnx", "quantize": "int8"},
}
TOKEN = "123456:bench-token-0123456789abcdefghij"


def load() -> float:
    return round(os.getloadavg()[0], 2)


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def questions() -> list[str]:
    found = []
    for path in EVAL_SETS.values():
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    q = json.loads(line)["question"]
                    found += [q, strip_diacritics(q)]
    return found


def write_config(root: Path, key: str, port: int = 8000, telegram: str = "") -> Path:
    spec = ENCODERS[key]
    model = REPO / "models" / "multilingual-e5-small"
    config = root / f"config-{key}.toml"
    config.write_text(
        f"""
[corpus]
dir = "{(root / "corpus").as_posix()}"
metadata_file = "{(root / "corpus" / "documents.json").as_posix()}"
[index]
dir = "{(root / f"index-{key}").as_posix()}"
[embedding]
model = "{model.as_posix()}"
prepare_from = "none"
runtime = "{spec["runtime"]}"
quantize = "{spec["quantize"]}"
[search]
query_cache = 0
[server]
port = {port}
ask_rate_per_minute = 1000000
search_rate_per_minute = 1000000
{telegram}
""",
        encoding="utf-8",
    )
    return config


def run_python(code: str, timeout: float = 1800) -> dict:
    """Run ``code`` in a fresh interpreter; its last stdout line is JSON."""
    result = subprocess.run([PYTHON, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=timeout, env={**os.environ, "PYTHONPATH": str(REPO)})
    if result.returncode != 0:
        raise SystemExit(f"failed:\n{code}\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


ENCODE = """
import time; started = time.perf_counter()
import json, resource, sys
import numpy as np
from retrieval import load_settings
from retrieval.index.embeddings import load_embedder
settings = load_settings({config!r})
encoder = load_embedder(settings)
encoder.embed_queries(["hộ nghèo được vay vốn ở đâu?"])
first = time.perf_counter() - started
questions = json.loads(open({questions!r}, encoding="utf-8").read())
for q in questions[:10]:
    encoder.embed_queries([q])
latencies, vectors = [], []
for q in questions:
    t = time.perf_counter()
    vectors.append(encoder.embed_queries([q])[0])
    latencies.append((time.perf_counter() - t) * 1000)
out = {{"first_vector_s": first, "latencies_ms": latencies, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
       "torch": "torch" in sys.modules, "identity": encoder.identity}}
if {save!r}:
    windows = json.loads(open({windows!r}, encoding="utf-8").read())
    np.savez({save!r}, queries=np.stack(vectors), windows=encoder.embed_passages(windows))
print(json.dumps(out))
"""

ASK = """
import json, time, resource, sys
from retrieval import Assistant, load_settings
assistant = Assistant.open(load_settings({config!r}))
questions = json.loads(open({questions!r}, encoding="utf-8").read())
for q in questions[:20]:
    assistant.ask(q)
latencies = []
for _ in range({rounds}):
    for q in questions:
        t = time.perf_counter()
        assistant.ask(q)
        latencies.append((time.perf_counter() - t) * 1000)
print(json.dumps({{"latencies_ms": latencies, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "torch": "torch" in sys.modules}}))
"""


PARTS = """
import time; t = time.perf_counter(); parts = {{}}
def mark(name):
    global t
    now = time.perf_counter(); parts[name] = round(now - t, 3); t = now
import server
mark("import server.py (FastAPI, bot, retrieval)")
from retrieval import load_settings
from retrieval.index.load import load_index
settings = load_settings({config!r})
index = load_index(settings)
mark("load the index (seed corpus)")
from retrieval.index.onnx_encoder import TOKENIZER_FILE, export_dir
from tokenizers import Tokenizer
Tokenizer.from_file(str(export_dir(settings) / TOKENIZER_FILE))
mark("tokenizer.json (250,002 pieces)")
from retrieval.index.embeddings import load_embedder
encoder = load_embedder(settings)
mark("encoder (onnxruntime session + tokenizer again)")
encoder.embed_queries(["hộ nghèo"])
mark("first vector")
from retrieval.text.core import word_segments
word_segments("hộ nghèo được vay vốn")
mark("word segmenter: import + model (as the project loads it)")
import json, sys; print(json.dumps({{"parts_s": parts, "torch": "torch" in sys.modules}}))
"""

SEGMENTER_BEFORE = """
import time; t = time.perf_counter()
from underthesea import word_tokenize
word_tokenize("hộ nghèo được vay vốn")
import json, sys; print(json.dumps({"s": time.perf_counter() - t, "torch": "torch" in sys.modules}))
"""


def startup_parts(root: Path, runs: int) -> dict:
    """Where a service's start goes (ONNX float32), and the word segmenter's load before and now."""
    config = write_config(root, "fp32")
    results = [run_python(PARTS.format(config=str(config))) for _ in range(runs)]
    before = [run_python(SEGMENTER_BEFORE) for _ in range(runs)]
    names = list(results[0]["parts_s"])
    return {
        "parts_s_median": {n: round(statistics.median(r["parts_s"][n] for r in results), 2) for n in names},
        "imports_torch": results[0]["torch"],
        "segmenter_plain_import_underthesea_s": round(statistics.median(b["s"] for b in before), 2),
        "segmenter_plain_import_imports_torch": before[0]["torch"],
        "load_average": load(),
    }


def summary(values: list[float], digits: int = 1) -> dict:
    return {"p50": round(percentile(values, 0.5), digits), "p95": round(percentile(values, 0.95), digits)}


def measure_encoder(key: str, root: Path, runs: int) -> dict:
    config = write_config(root, key)
    runs_out, loads = [], []
    for n in range(runs):
        loads.append(load())
        save = str(root / f"vectors-{key}.npz") if n == 0 else ""
        code = ENCODE.format(config=str(config), questions=str(root / "questions.json"), windows=str(root / "windows.json"), save=save)
        runs_out.append(run_python(code))
    per_run = [summary(r["latencies_ms"]) for r in runs_out]
    return {
        "identity": runs_out[0]["identity"],
        "imports_torch": runs_out[0]["torch"],
        "first_vector_s": round(statistics.median(r["first_vector_s"] for r in runs_out), 2),
        "first_vector_s_runs": [round(r["first_vector_s"], 2) for r in runs_out],
        "encode_ms": {"p50": round(statistics.median(p["p50"] for p in per_run), 1), "p95": round(statistics.median(p["p95"] for p in per_run), 1)},
        "encode_ms_runs": per_run,
        "rss_mb": round(statistics.median(r["rss_mb"] for r in runs_out)),
        "load_average": loads,
    }


def agreement(root: Path, key: str) -> dict:
    import numpy as np

    ref, got = np.load(root / "vectors-st.npz"), np.load(root / f"vectors-{key}.npz")
    out = {}
    for part in ("queries", "windows"):
        a, b = ref[part], got[part]
        cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
        out[part] = {"n": len(cos), "cosine_mean": round(float(cos.mean()), 5), "cosine_min": round(float(cos.min()), 5)}
    top_ref = np.argsort(-(ref["queries"] @ ref["windows"].T), axis=1)[:, :5]
    top_got = np.argsort(-(got["queries"] @ got["windows"].T), axis=1)[:, :5]
    out["same_nearest_window"] = f"{int((top_ref[:, 0] == top_got[:, 0]).sum())}/{len(top_ref)}"
    out["same_top5_windows_as_a_set"] = f"{sum(set(a) == set(b) for a, b in zip(top_ref, top_got))}/{len(top_ref)}"
    return out


def build_and_eval(key: str, root: Path) -> dict:
    config = write_config(root, key)
    started = time.perf_counter()
    out = subprocess.run([PYTHON, "-m", "retrieval", "--config", str(config), "build"], cwd=REPO, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    if out.returncode != 0:
        raise SystemExit(out.stdout + out.stderr)
    result = {"build": out.stdout.strip(), "build_process_s": round(time.perf_counter() - started, 1), "eval": {}}
    for name, path in EVAL_SETS.items():
        if not path.exists():
            continue
        out = subprocess.run([PYTHON, "-m", "retrieval", "--config", str(config), "eval", str(path), "--fold", "--json"], cwd=REPO, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
        if out.returncode != 0:
            raise SystemExit(out.stdout + out.stderr)
        result["eval"][name] = {f"{r['mode']}{' (no accents)' if r.get('folded_questions') else ''}": {k: v for k, v in r.items() if isinstance(v, float)} for r in json.loads(out.stdout)}
    return result


def eval_differences(evals: dict, key: str) -> dict:
    """Largest |figure - sentence-transformers' figure| per eval set."""
    out = {}
    for name, modes in evals[key]["eval"].items():
        ref = evals["st"]["eval"][name]
        out[name] = round(max(abs(v - ref[mode][k]) for mode, figures in modes.items() for k, v in figures.items()), 4)
    return out


def ask_latency(key: str, root: Path, runs: int) -> dict:
    config = write_config(root, key)
    code = ASK.format(config=str(config), questions=str(root / "server-questions.json"), rounds=3)
    results, loads = [], []
    for _ in range(runs):
        loads.append(load())
        results.append(run_python(code))
    per_run = [summary(r["latencies_ms"]) for r in results]
    return {
        "ask_ms": {"p50": round(statistics.median(p["p50"] for p in per_run), 1), "p95": round(statistics.median(p["p95"] for p in per_run), 1)},
        "ask_ms_runs": per_run,
        "rss_mb": round(statistics.median(r["rss_mb"] for r in results)),
        "imports_torch": results[0]["torch"],
        "load_average": loads,
    }


def first_answer(port: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", "/api/ask", body=json.dumps({"question": "hộ nghèo được vay vốn ưu đãi ở đâu?"}).encode(), headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    assert response.status == 200 and json.loads(response.read())["found"]


def server(key: str, root: Path, runs: int, seconds: float, questions_: list[str]) -> dict:
    from support.fake_telegram import FakeTelegram

    starts, firsts, polls, loads = [], [], [], []
    with FakeTelegram(TOKEN) as fake:
        telegram = f'[telegram]\napi_base_url = "{fake.base_url}"\nfile_base_url = "{fake.file_base_url}"\nstate_dir = "{(root / "state").as_posix()}"\n'
        for n in range(runs + 1):
            port = free_port()
            hosted_bot = n < runs  # the last start, without the bot, is the one measured under load
            config = write_config(root, key, port, telegram if hosted_bot else "")
            log_path = root / f"server-{key}.log"
            env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TRO_LY_"))}
            if hosted_bot:
                env["TELEGRAM_BOT_TOKEN"] = TOKEN
            polls_before = len(fake.calls_of("getUpdates"))
            loads.append(load())
            poll_seen: list[float] = []
            if hosted_bot:  # a call's ``at`` is when it was answered (a long poll: 10 s later): watch for its arrival

                def watch(before: int = polls_before, seen: list[float] = poll_seen) -> None:
                    deadline = time.monotonic() + 120
                    while len(fake.calls_of("getUpdates")) <= before and time.monotonic() < deadline:
                        time.sleep(0.005)
                    seen.append(time.monotonic())

                watcher = threading.Thread(target=watch, daemon=True)
                watcher.start()
            started = time.monotonic()
            process = subprocess.Popen([PYTHON, str(REPO / "server.py"), "--config", str(config), "--log-level", "warning"], stdout=log_path.open("wb"), stderr=subprocess.STDOUT, env=env, cwd=REPO)
            try:
                wait_ready(process, port, log_path, timeout=300, poll=0.01)
                ready = time.monotonic() - started
                first_answer(port)
                answered = time.monotonic() - started
                if hosted_bot:
                    watcher.join()
                    polls.append(poll_seen[0] - started)
                    starts.append(ready)
                    firsts.append(answered)
                    continue
                run_load(port, questions_, clients=1, seconds=3)  # warm-up
                single = run_load(port, questions_, clients=1, seconds=min(seconds, 15))
                load_single = load()
                loaded = run_load(port, questions_, clients=8, seconds=seconds)
                load_loaded = load()
                rss = server_rss_mb(process.pid)
            finally:
                process.terminate()
                process.wait(timeout=30)
    return {
        "ready_s": round(statistics.median(starts), 2),
        "first_answer_s": round(statistics.median(firsts), 2),
        "bot_first_getupdates_s": round(statistics.median(polls), 2),
        "starts": {"ready_s": [round(x, 2) for x in starts], "first_answer_s": [round(x, 2) for x in firsts], "bot_first_getupdates_s": [round(x, 2) for x in polls]},
        "one_client": {**single, "load_average_after": load_single},
        "eight_clients": {**loaded, "load_average_after": load_loaded},
        "peak_rss_mb": rss,
        "load_average_at_starts": loads,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--encoders", nargs="*", default=list(ENCODERS), choices=list(ENCODERS))
    parser.add_argument("--skip", nargs="*", default=[], choices=["encode", "eval", "startup", "ask", "server"])
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results" / "encoders.json")
    args = parser.parse_args()
    keys = ["st"] + [k for k in args.encoders if k != "st"]  # the reference first

    from retrieval import load_settings
    from scripts.model.onnx_export import ensure_exported

    base = load_settings(REPO / "config.toml")
    for key in keys:  # exports made at set-up; int8 only if asked for there
        if ENCODERS[key]["runtime"] == "onnx":
            ensure_exported(base.with_overrides(embedding={"quantize": ENCODERS[key]["quantize"]}))

    result: dict = {"machine": machine(), "encoders": {k: ENCODERS[k]["label"] for k in keys}, "load_average_start": load()}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "corpus", root / "corpus")
        windows = json.loads(next((REPO / "index" / "builds").glob("*/windows.json")).read_text(encoding="utf-8"))
        (root / "windows.json").write_text(json.dumps(windows, ensure_ascii=False), encoding="utf-8")
        (root / "questions.json").write_text(json.dumps(questions(), ensure_ascii=False), encoding="utf-8")
        server_questions = [q for name in ("dev", "extra") for q in questions_of(EVAL_SETS[name])]
        (root / "server-questions.json").write_text(json.dumps(server_questions, ensure_ascii=False), encoding="utf-8")
        for key in keys:  # the analysis is the same for all: copy it, do not redo it
            cache = REPO / "index" / "analysis-cache"
            if cache.is_dir():
                shutil.copytree(cache, root / f"index-{key}" / "analysis-cache")

        if "encode" not in args.skip:
            result["encode"] = {k: measure_encoder(k, root, args.runs) for k in keys}
            result["agreement_with_sentence_transformers"] = {k: agreement(root, k) for k in keys if k != "st"}
        evals = {k: build_and_eval(k, root) for k in keys}
        if "startup" not in args.skip and "fp32" in keys:
            result["startup_parts"] = startup_parts(root, args.runs)
        if "eval" not in args.skip:
            result["eval"] = evals
            result["eval_largest_difference_from_sentence_transformers"] = {k: eval_differences(evals, k) for k in keys if k != "st"}
        if "ask" not in args.skip:
            result["ask"] = {k: ask_latency(k, root, args.runs) for k in keys}
        if "server" not in args.skip:
            result["server"] = {k: server(k, root, args.runs, args.seconds, server_questions) for k in keys}
    result["load_average_end"] = load()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


def questions_of(path: Path) -> list[str]:
    out = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                q = json.loads(line)["question"]
                out += [q, strip_diacritics(q)]
    return out


if __name__ == "__main__":
    main()
