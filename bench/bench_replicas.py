"""Load benchmark of several replicas behind nginx (not a test): requests/s and latency of
``POST /api/ask`` through Debian's nginx (the deployment's proxy rules,
deploy/nginx/tro-ly-proxy.conf) in front of 1 and then 2 ``server.py`` replicas sharing a real
redis-server and PostgreSQL ([state]), with one replica on its own (embedded state, no nginx)
as the reference.

    .venv/bin/python bench/bench_replicas.py [--clients 8] [--seconds 15] [--rounds 3]

Needs redis-server, PostgreSQL and nginx installed (scripts/test.sh installs them) and the
repository's index (python -m retrieval build). Run as root, PostgreSQL runs as the postgres
user. Each client is a thread with its own keep-alive connection sending the next question
as soon as the previous answer arrives (bench/bench_server.py's closed loop), so the figures
are throughput at saturation and the latency a user sees then. The per-client limits are
lifted (every client here is 127.0.0.1) but still counted in Redis on every request.
Writes bench/results/replicas.json; docs/benchmarks.md quotes it.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_retrieval import machine  # noqa: E402
from bench.bench_server import DEFAULT_QUESTIONS, PYTHON, load_questions, run_load, wait_ready, write_config  # noqa: E402
from support import free_port  # noqa: E402

PROXY_RULES = REPO / "deploy" / "nginx" / "tro-ly-proxy.conf"


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


@contextlib.contextmanager
def redis(folder: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """A throwaway cluster run as the postgres user when root (initdb refuses root)."""
    import psycopg

    binaries = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="tro-ly-bench-pg-"))
    owner: dict = {}
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        shutil.chown(root, "postgres")
        owner = {"user": "postgres", "group": user.pw_gid, "env": {**os.environ, "HOME": user.pw_dir}}
    port = free_port()
    subprocess.run([str(binaries / "initdb"), "-D", str(root / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"], check=True, capture_output=True, cwd=root, **owner)
    # durable as a deployment would be (fsync on): the benchmark measures the real cost
    process = subprocess.Popen([str(binaries / "postgres"), "-D", str(root / "data"), "-p", str(port), "-k", str(root), "-c", "listen_addresses=127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=root, **owner)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True) as connection:
                    connection.execute("CREATE DATABASE tro_ly")
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield f"postgresql://postgres@127.0.0.1:{port}/tro_ly"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def nginx(folder: Path, upstreams: list[int]) -> Iterator[int]:
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    servers = "\n".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in upstreams)
    config = folder / "nginx.conf"
    config.write_text(
        f"""{"user root root;" if os.geteuid() == 0 else ""}
daemon off; worker_processes 1; pid {folder}/nginx.pid; error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy; fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
    upstream tro_ly {{ {servers} keepalive 16; }}
    server {{ listen 127.0.0.1:{port}; include {PROXY_RULES}; }}
}}
""",
        encoding="utf-8",
    )
    process = subprocess.Popen(["nginx", "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log")])
    try:
        time.sleep(0.5)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def replicas(folder: Path, count: int, state: dict[str, str]) -> Iterator[list[int]]:
    """``count`` server.py processes on the repository's index; ``state``: [state]'s URLs."""
    ports = [free_port() for _ in range(count)]
    processes = []
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TRO_LY_"))}
    env |= {"TRO_LY_REDIS_URL": state.get("redis_url", ""), "TRO_LY_DATABASE_URL": state.get("database_url", "")}
    try:
        for n, port in enumerate(ports):
            replica = folder / f"replica-{n}"
            replica.mkdir(parents=True, exist_ok=True)
            config = write_config(replica, port)
            log = (replica / "server.log").open("wb")
            processes.append((subprocess.Popen([str(PYTHON if PYTHON.exists() else sys.executable), str(REPO / "server.py"), "--config", str(config), "--log-level", "warning"], stdout=log, stderr=subprocess.STDOUT, env=env), port, replica / "server.log"))
        for process, port, log_path in processes:
            wait_ready(process, port, log_path)
        yield ports
    finally:
        for process, _, _ in processes:
            process.terminate()
        for process, _, _ in processes:
            process.wait(timeout=30)


def measure(port: int, questions: list[str], clients: int, seconds: float) -> dict:
    before = load_average()
    result = run_load(port, questions, clients=clients, seconds=seconds)
    return result | {"load_average_before": before, "load_average_after": load_average()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15, help="per configuration and round")
    parser.add_argument("--rounds", type=int, default=3, help="the configurations take turns, so that the load others put on the machine falls on each alike")
    parser.add_argument("--questions", type=Path, nargs="*", default=DEFAULT_QUESTIONS)
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results" / "replicas.json")
    args = parser.parse_args()
    questions = load_questions(args.questions)
    names = ["1 replica, no nginx, embedded state", "1 replica behind nginx, Redis + PostgreSQL", "2 replicas behind nginx, Redis + PostgreSQL"]
    rounds: dict[str, list[dict]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        # every configuration up at once (idle replicas cost memory, not CPU), measured in turns
        [alone] = stack.enter_context(replicas(folder / "alone", 1, {}))
        redis_url = stack.enter_context(redis(folder))
        database_url = stack.enter_context(postgres())
        state = {"redis_url": redis_url, "database_url": database_url}
        one = stack.enter_context(nginx(folder / "nginx-1", stack.enter_context(replicas(folder / "shared-1", 1, state))))
        two = stack.enter_context(nginx(folder / "nginx-2", stack.enter_context(replicas(folder / "shared-2", 2, state))))
        ports = dict(zip(names, (alone, one, two)))
        for name, port in ports.items():
            run_load(port, questions, clients=1, seconds=3)  # warm-up: first calls load lazily
        for _ in range(args.rounds):
            for name, port in ports.items():
                rounds[name].append(measure(port, questions, args.clients, args.seconds))
    runs = {name: summarize(results) for name, results in rounds.items()}
    result = {
        "machine": machine(),
        "note": "replicas, nginx, Redis, PostgreSQL and the clients all share the machine's 2 cores, as do other engineers' jobs (load average beside each round); loopback HTTP/1.1 keep-alive",
        "questions": len(questions),
        "clients": args.clients,
        "seconds_per_round": args.seconds,
        "runs": runs,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for name, run in runs.items():
        print(f"{name}: {run['requests_per_second']} req/s (rounds {run['rounds_requests_per_second']}), p50 {run['latency_ms']['p50']} ms, p95 {run['latency_ms']['p95']} ms (rounds {run['rounds_p95_ms']}), errors {run['errors']}, load {run['load_averages']}")


def summarize(results: list[dict]) -> dict:
    """The rounds of one configuration: medians, and every round's figures beside them."""
    def median(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[len(ordered) // 2]

    return {
        "requests": sum(r["requests"] for r in results),
        "requests_per_second": median([r["requests_per_second"] for r in results]),
        "latency_ms": {q: median([r["latency_ms"][q] for r in results]) for q in ("p50", "p95", "p99")},
        "errors": sum(r["errors"] for r in results),
        "rounds_requests_per_second": [r["requests_per_second"] for r in results],
        "rounds_p95_ms": [r["latency_ms"]["p95"] for r in results],
        "load_averages": [[r["load_average_before"], r["load_average_after"]] for r in results],
        "rounds": results,
    }


if __name__ == "__main__":
    main()
