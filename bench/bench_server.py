"""Load benchmark of the web service (not a test): N concurrent clients send questions to
``POST /api/ask`` of a real ``server.py`` process on loopback for a fixed time.

    .venv/bin/python bench/bench_server.py [--clients 8] [--seconds 30] [--questions FILE ...] [--query-cache N]

The server runs on the bundled corpus and the repository's index (build it first:
``python -m retrieval build``), with the per-client rate limits lifted: every client here
shares one address, and the limits are measured by the tests, not by this script.

Each client is a thread with its own keep-alive connection that sends the next question as
soon as the previous answer arrives (a closed loop), so the figures are the service's
throughput at saturation and the latency a user sees at that load. Questions cycle through
the dev questions and the extra set, each also stripped of its diacritics, as citizens type.
Writes bench/results/server.json; docs/benchmarks.md quotes it.
"""

from __future__ import annotations

import argparse
import http.client
import json
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
from support import free_port  # noqa: E402
from retrieval import load_settings  # noqa: E402

PYTHON = REPO / ".venv" / "bin" / "python"
DEFAULT_QUESTIONS = [REPO.parent / "shared" / "eval" / "dev.jsonl", REPO / "bench" / "questions-extra.jsonl"]


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def load_questions(paths: list[Path]) -> list[str]:
    questions = []
    for path in paths:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                question = json.loads(line)["question"]
                questions += [question, strip_diacritics(question)]
    if not questions:
        raise SystemExit("no questions found")
    return questions


def write_config(folder: Path, port: int, query_cache: int = 0) -> Path:
    """The repository's own configuration, with every path absolute and the limits lifted."""
    settings = load_settings(REPO / "config.toml")
    model = settings.model_location
    config = folder / "config.toml"
    config.write_text(
        f"""
[corpus]
dir = "{settings.corpus_dir.as_posix()}"
metadata_file = "{settings.metadata_path.as_posix()}"
[index]
dir = "{settings.index_dir.as_posix()}"
[embedding]
model = "{model}"
prepare_from = "{settings.embedding.prepare_from}"
[search]
query_cache = {query_cache}
[server]
port = {port}
ask_rate_per_minute = 1000000
search_rate_per_minute = 1000000
""",
        encoding="utf-8",
    )
    assert Path(model).exists(), f"the model is not prepared: {model}"
    return config


def wait_ready(process: subprocess.Popen, port: int, log_path: Path, timeout: float = 180, poll: float = 0.5) -> None:
    """Until /healthz answers 200; ``poll`` small when the start-up time itself is measured."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(poll)
    raise SystemExit("the server did not become ready")


class Client(threading.Thread):
    def __init__(self, port: int, questions: list[str], offset: int, stop_at: float) -> None:
        super().__init__(daemon=True)
        self.port, self.questions, self.offset, self.stop_at = port, questions, offset, stop_at
        self.latencies_ms: list[float] = []
        self.statuses: dict[str, int] = {}
        self.answered = 0

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        i = self.offset
        while time.monotonic() < self.stop_at:
            body = json.dumps({"question": self.questions[i % len(self.questions)]}).encode()
            i += 1
            started = time.perf_counter()
            try:
                conn.request("POST", "/api/ask", body=body, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                payload = response.read()
                key = str(response.status)
                if response.status == 200 and json.loads(payload)["status"] == "answered":
                    self.answered += 1
            except (OSError, http.client.HTTPException, ValueError) as exc:
                key = type(exc).__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
            self.statuses[key] = self.statuses.get(key, 0) + 1
        conn.close()


def run_load(port: int, questions: list[str], clients: int, seconds: float) -> dict:
    stop_at = time.monotonic() + seconds
    started = time.perf_counter()
    workers = [Client(port, questions, offset=k * 7, stop_at=stop_at) for k in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    latencies = [ms for w in workers for ms in w.latencies_ms]
    statuses: dict[str, int] = {}
    for worker in workers:
        for key, count in worker.statuses.items():
            statuses[key] = statuses.get(key, 0) + count
    ok = statuses.get("200", 0)
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / elapsed, 2),
        "latency_ms": {q: round(percentile(latencies, p), 1) for q, p in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))} | {"max": round(max(latencies), 1)},
        "errors": len(latencies) - ok,
        "statuses": statuses,
        "answered_share": round(sum(w.answered for w in workers) / max(ok, 1), 3),
    }


def server_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--questions", type=Path, nargs="*", default=DEFAULT_QUESTIONS)
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results" / "server.json")
    parser.add_argument(
        "--query-cache", type=int, default=0,
        help="[search] query_cache of the server; 0 (the default here) encodes every question, since the "
        "clients cycle through the same questions and would otherwise measure the cache",
    )
    args = parser.parse_args()

    questions = load_questions(args.questions)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp), port, args.query_cache)
        log_path = Path(tmp) / "server.log"
        log = log_path.open("wb")
        python = str(PYTHON if PYTHON.exists() else sys.executable)
        process = subprocess.Popen([python, str(REPO / "server.py"), "--config", str(config), "--log-level", "warning"], stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_ready(process, port, log_path)
            run_load(port, questions, clients=1, seconds=3)  # warm-up: first calls load lazily
            single = run_load(port, questions, clients=1, seconds=min(args.seconds, 15))
            loaded = run_load(port, questions, clients=args.clients, seconds=args.seconds)
            rss = server_rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)

    result = {
        "machine": machine(),
        "note": "server and clients share the machine's cores; loopback HTTP/1.1 keep-alive",
        "questions": len(questions),
        "query_cache": args.query_cache,
        "one_client": single,
        "concurrent": loaded,
        "server_peak_rss_mb": rss,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
