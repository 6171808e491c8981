"""Helpers shared by the web-layer tests: a small test corpus (the bundled documents plus one
whose text and title carry HTML), a seeded embedding cache, free ports, an SSE parser, and the
real server process (`python server.py --config … --port …`) started over such a corpus."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
MODEL_DIR = REPO / "models" / "multilingual-e5-small"
PYTHON = REPO / ".venv" / "bin" / "python"
PYTHON = PYTHON if PYTHON.exists() else Path(sys.executable)
STARTUP_SECONDS = 180

HTML_ATTACK = "<img src=x onerror=alert(1)>"
SCRIPT_ATTACK = "<script>alert('xss')</script>"
XSS_FILE = "090_thu_nghiem_hien_thi.txt"
XSS_ID = "090_thu_nghiem_hien_thi"
XSS_TITLE = f"Kế hoạch thử nghiệm hiển thị {SCRIPT_ATTACK}"
XSS_TEXT = f"""KẾ HOẠCH
Thử nghiệm hiển thị nội dung văn bản {HTML_ATTACK}

I. MỤC ĐÍCH, YÊU CẦU
1. Bảo đảm mọi nội dung văn bản được hiển thị nguyên văn {HTML_ATTACK} và không bao giờ được chạy như mã trang web {SCRIPT_ATTACK}.
2. Hỗ trợ hộ nghèo vùng cao nuôi cá tầm nước lạnh, mỗi hộ được cấp 200 con giống cá tầm và 50 kg thức ăn.

II. TỔ CHỨC THỰC HIỆN
Ủy ban nhân dân xã chủ trì, phối hợp với Hội Nông dân xã triển khai mô hình nuôi cá tầm nước lạnh.
"""
XSS_ENTRY = {
    "file": XSS_FILE,
    "title": XSS_TITLE,
    "code": "99-KH/TN",
    "issuer": "Ban thử nghiệm",
    "province": None,
    "date": "2023-05-10",
    "type": "kế hoạch",
    "url": None,
}


def make_corpus(root: Path, files: list[str] | None = None, with_attack: bool = True) -> Path:
    """Copy some (default: all) bundled documents and their metadata into ``root/corpus``,
    plus the document carrying HTML. Returns the corpus folder."""
    target = root / "corpus"
    target.mkdir(parents=True, exist_ok=True)
    entries = json.loads((CORPUS / "documents.json").read_text(encoding="utf-8"))
    names = files or sorted(p.name for p in CORPUS.glob("*.txt"))
    for name in names:
        shutil.copy2(CORPUS / name, target / name)
    kept = [e for e in entries if e["file"] in names]
    if with_attack:
        (target / XSS_FILE).write_text(XSS_TEXT, encoding="utf-8")
        kept.append(XSS_ENTRY)
    (target / "documents.json").write_text(json.dumps(kept, ensure_ascii=False, indent=2), encoding="utf-8")
    return target


def seed_embedding_cache(index_dir: Path) -> None:
    """Copy the repository's embedding cache (if any) so unchanged windows are not embedded
    again; a cache that does not match only costs time."""
    source = REPO / "index" / "embedding-cache"
    if source.is_dir():
        target = index_dir / "embedding-cache"
        target.mkdir(parents=True, exist_ok=True)
        for path in source.glob("*.npz"):
            shutil.copy2(path, target / path.name)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_sse(text: str) -> list[tuple[str, object]]:
    """(event, JSON data) pairs of a text/event-stream body."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[len("event:"):].strip()
            elif line.startswith("data:"):
                data.append(line[len("data:"):].lstrip(" "))
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


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
ask_rate_per_minute = 1000
search_rate_per_minute = 1000

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
