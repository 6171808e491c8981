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
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
