"""A real Redis server for the tests of shared rate limits: Debian's redis-server, which
scripts/test.sh installs, on a free loopback port, keeping nothing on disk."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.live import free_port

SETUP_HINT = "run `bash scripts/test.sh` once: it installs redis-server (apt-get) and the redis client (requirements-dev.txt)"


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """Start redis-server; yields its URL (redis://127.0.0.1:PORT) and stops it after."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(f"redis-server is missing: {SETUP_HINT}.", pytrace=False)
    try:
        import redis
    except ImportError:
        pytest.fail(f"the redis package is not installed: {SETUP_HINT}.", pytrace=False)
    for _attempt in range(5):
        port = free_port()
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        url = f"redis://127.0.0.1:{port}"
        # Another test process may have taken the same free port a moment earlier: then this
        # server exits, and a ping would be answered by that other one (which later goes away).
        if _answers_as(redis, url, process):
            break
        process.terminate()
        process.wait(timeout=10)
    else:
        pytest.fail("redis-server did not start on a free port after 5 tries", pytrace=False)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _answers_as(redis, url: str, process: subprocess.Popen) -> bool:
    """Whether ``process`` itself answers at ``url`` (not another server on that port)."""
    client = redis.Redis.from_url(url, socket_timeout=5)
    deadline = time.monotonic() + 10
    while process.poll() is None and time.monotonic() < deadline:
        try:
            return int(client.info("server")["process_id"]) == process.pid
        except redis.ConnectionError:
            time.sleep(0.05)
    return False
