"""The real service process (`python server.py --config … --port …`) for end-to-end tests:
a config over a test corpus, a free loopback port, start, wait until healthy, stop."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

from support.corpus import MODEL_DIR, REPO

__all__ = [
    "PYTHON", "STARTUP_SECONDS", "Live", "ServerDied", "free_port", "start_live_server", "start_server", "stop", "wait_until_healthy",
    "write_config", "write_toml",
]

PYTHON = REPO / ".venv" / "bin" / "python"
PYTHON = PYTHON if PYTHON.exists() else Path(sys.executable)
STARTUP_SECONDS = 180


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_toml(path: Path, sections: dict[str, dict[str, object]]) -> Path:
    """A config file from tables of plain values (strings, numbers, booleans, lists)."""

    def value(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return "[" + ", ".join(value(item) for item in v) + "]"
        return json.dumps(v) if isinstance(v, str) else str(v)  # JSON's string escapes are TOML's

    lines = []
    for name, table in sections.items():
        lines += [f"[{name}]", *(f"{key} = {value(v)}" for key, v in table.items()), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_config(root: Path, port: int, allowed_origins: list[str], index_dir: Path | None = None, as_of: str = "2026-06-01") -> Path:
    """A config file for the corpus in ``root/corpus``, generous rate limits, the poverty
    standard of a fixed day (``as_of``: nothing depends on the clock)."""
    corpus = root / "corpus"
    config = root / "config.toml"
    config.write_text(
        f"""
[corpus]
dir = "{corpus.as_posix()}"
metadata_file = "{(corpus / "documents.json").as_posix()}"

[index]
dir = "{(index_dir or root / "index").as_posix()}"

[embedding]
model = "{MODEL_DIR.as_posix()}"
prepare_from = "none"

[server]
host = "127.0.0.1"
port = {port}
allowed_origins = {json.dumps(allowed_origins)}
ask_rate_per_minute = 100000  # limits are tested on their own (tests/web/test_rate_limits.py)
search_rate_per_minute = 100000

[eligibility]
as_of = "{as_of}"
""",
        encoding="utf-8",
    )
    return config


def start_server(config: Path, port: int, log_path: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """``env``: extra environment variables (secrets such as $TRO_LY_ADMIN_TOKEN)."""
    log_file = log_path.open("wb")
    return subprocess.Popen(
        [str(PYTHON), str(REPO / "server.py"), "--config", str(config), "--port", str(port)],
        cwd=REPO,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        # never a real bot from a developer's shell: only the secrets a test passes
        env={**{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TRO_LY_ADMIN"))}, **(env or {})},
    )


def stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    return process.returncode


class ServerDied(RuntimeError):
    """The server exited or never answered; the message carries its log."""


def wait_until_healthy(process: subprocess.Popen, base_url: str, log_path: Path, timeout: float = STARTUP_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise ServerDied(f"the server exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise ServerDied(f"the server did not answer /healthz in {timeout:.0f} s:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.3)


class Live:
    """A running server process, its address and its log."""

    def __init__(self, process: subprocess.Popen, base_url: str, log_path: Path) -> None:
        self.process = process
        self.base_url = base_url
        self.log_path = log_path

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_live_server(config: Path, port: int, log_path: Path, env: dict[str, str] | None = None) -> Live:
    """Start server.py with ``config`` (see write_config; its index must be built) and return
    once /healthz answers. Raises ServerDied, with the server's log, otherwise."""
    process = start_server(config, port, log_path, env)
    live = Live(process, f"http://127.0.0.1:{port}", log_path)
    try:
        wait_until_healthy(process, live.base_url, log_path)
    except BaseException:
        stop(process)
        raise
    return live
