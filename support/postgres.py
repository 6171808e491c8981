"""A real PostgreSQL server for the tests of shared records: Debian's binaries (the
``postgresql`` package, which scripts/test.sh installs), a throwaway cluster in a temporary
folder on a free loopback port.

``initdb`` and ``postgres`` refuse to run as root, and the tests run as root in CI: then the
cluster belongs to the ``postgres`` system user the Debian package creates, and the server runs
as that user (``runuser``). Durability is off (``fsync``): the server is never killed in a test,
and a test's data is thrown away with it.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.live import free_port

SETUP_HINT = "run `bash scripts/test.sh` once: it installs postgresql (apt-get) and psycopg (requirements.txt)"
DATABASE = "tro_ly"


def _binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder (/usr/lib/postgresql/<version>/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    return Path(found[-1]).parent if found else None


def _as_owner(user: str | None) -> dict:
    """Popen's arguments that run a command as ``user`` (no wrapper such as runuser between
    the test and the server, so signals reach the server itself)."""
    return {"user": user, "group": pwd.getpwnam(user).pw_gid, "env": {**os.environ, "HOME": pwd.getpwnam(user).pw_dir}} if user else {}


@contextmanager
def postgres_server(database: str | None = DATABASE) -> Iterator[str]:
    """Start a throwaway PostgreSQL; yields the URL of an empty database
    (postgresql://postgres@127.0.0.1:PORT/tro_ly; with ``database=None`` none is created and the
    URL names the ``postgres`` database) and removes everything after."""
    binaries = _binaries()
    if binaries is None:
        pytest.fail(f"PostgreSQL is missing: {SETUP_HINT}.", pytrace=False)
    try:
        import psycopg
    except ImportError:
        pytest.fail(f"the psycopg package is not installed: {SETUP_HINT}.", pytrace=False)
    user = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail(f"running as root, but there is no 'postgres' user to run the server as: {SETUP_HINT}.", pytrace=False)
        user = "postgres"
    # not under pytest's tmp_path: its folders are root's alone, and the server runs as postgres
    root = Path(tempfile.mkdtemp(prefix="tro-ly-pg-"))
    if user:
        shutil.chown(root, user)
    data, socket_dir = root / "data", root
    port = free_port()
    init = subprocess.run(
        [str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"],
        capture_output=True, text=True, cwd=root, **_as_owner(user),
    )
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed:\n{init.stdout}{init.stderr}")
    log = (root / "server.log").open("wb")
    process = subprocess.Popen(
        [
            str(binaries / "postgres"), "-D", str(data), "-p", str(port), "-k", str(socket_dir),
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_connections=50", "-c", "shared_buffers=16MB",
        ],
        stdout=log, stderr=subprocess.STDOUT, cwd=root, **_as_owner(user),
    )
    admin = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(admin, autocommit=True, connect_timeout=2) as connection:
                    if database:
                        connection.execute(f"CREATE DATABASE {database}")
                break
            except psycopg.OperationalError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"PostgreSQL did not start:\n{(root / 'server.log').read_text(errors='replace')}") from None
                time.sleep(0.1)
        yield f"postgresql://postgres@127.0.0.1:{port}/{database or 'postgres'}"
    finally:
        process.send_signal(signal.SIGINT)  # "fast" shutdown; SIGTERM's "smart" one waits for clients
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
        shutil.rmtree(root, ignore_errors=True)


_created = 0


def fresh_database(url: str) -> str:
    """A new empty database on the server of ``url`` (one per test: no test sees another's rows)."""
    import psycopg

    global _created
    _created += 1
    name = f"t{os.getpid()}_{_created}"
    server, _, _ = url.rpartition("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"
