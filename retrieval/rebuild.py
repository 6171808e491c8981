"""Rebuilding the index while the service answers, then moving to it.

A build runs in its own process (``python -m retrieval.rebuild``), so a build that crashes,
runs out of memory or is killed (even with SIGKILL) never takes the service down: the service
keeps answering from the index it has, records the failure, and the next build starts clean
(a half-written build is never made current, see index.py). When a build succeeds, the
Assistant moves to it with ``reload()``. Requests for a build while one runs are merged into
one more build after it, which then sees every change made meanwhile.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from .assistant import Assistant, build
from .errors import RetrievalError
from .settings import Settings

log = logging.getLogger(__name__)

BuildState = Literal["idle", "running", "succeeded", "failed"]
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class BuildStatus:
    state: BuildState = "idle"
    queued: bool = False  # another build will follow the running one
    started_at: str | None = None
    finished_at: str | None = None
    seconds: float | None = None
    build_id: str | None = None  # of the last successful build
    documents: int | None = None
    analysed: int | None = None
    embedded: int | None = None
    skipped: tuple[str, ...] = ()  # files the last build could not use, with the reason
    error: str | None = None  # why the last build failed (the previous index still serves)
    pid: int | None = None  # of the running build process


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Rebuilder:
    """Runs builds one at a time in a background thread, each in a child process, and moves
    ``assistant`` to every build that succeeds."""

    def __init__(self, assistant: Assistant, settings: Settings, python: str = sys.executable) -> None:
        self.assistant = assistant
        self.settings = settings
        self.python = python
        self._status = BuildStatus()
        self._lock = threading.Lock()
        self._wanted = False
        self._thread: threading.Thread | None = None
        self._process: subprocess.Popen | None = None

    def status(self) -> BuildStatus:
        with self._lock:
            return self._status

    def request(self) -> BuildStatus:
        """Ask for a build; returns at once. A request while a build runs queues one more."""
        with self._lock:
            self._wanted = True
            if self._thread is None:  # the worker clears it, under this lock, as it ends
                self._status = replace(self._status, state="running", queued=False, started_at=_now(), finished_at=None, seconds=None, error=None, pid=None)
                self._thread = threading.Thread(target=self._loop, name="index-rebuild", daemon=True)
                self._thread.start()
            else:
                self._status = replace(self._status, queued=True)
            return self._status

    def wait(self, timeout: float | None = None) -> BuildStatus:
        """Until no build runs or is queued (for tests and the CLI)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                thread = self._thread
            if thread is None:
                return self.status()
            thread.join(timeout=0.1 if deadline is None else max(0.0, min(0.1, deadline - time.monotonic())))
            if deadline is not None and time.monotonic() >= deadline:
                return self.status()

    def stop(self) -> None:
        """Kill a running build (at shutdown): the index it was writing is never made current."""
        with self._lock:
            self._wanted = False
            process = self._process
        if process is not None and process.poll() is None:
            process.kill()

    def _loop(self) -> None:
        while True:
            with self._lock:
                if not self._wanted:
                    self._thread = None
                    return
                self._wanted = False
                self._status = replace(self._status, state="running", queued=False, started_at=_now(), finished_at=None, seconds=None, error=None, pid=None)
            self._run_once()

    def _run_once(self) -> None:
        started = time.perf_counter()
        payload = json.dumps({"base_dir": str(self.settings.base_dir), "settings": self.settings.model_dump(mode="json")})
        try:
            process = subprocess.Popen(
                [self.python, "-m", "retrieval.rebuild"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                cwd=str(REPO_ROOT), env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
            )
        except OSError as exc:
            self._finish(started, error=f"không chạy được tiến trình xây dựng chỉ mục: {exc}")
            return
        with self._lock:
            self._process = process
            self._status = replace(self._status, pid=process.pid)
        stdout, stderr = process.communicate(payload)
        with self._lock:
            self._process = None
        if process.returncode != 0:
            reason = _last_error_line(stderr) or f"tiến trình kết thúc với mã {process.returncode}"
            if process.returncode < 0:
                reason = f"tiến trình xây dựng bị dừng (tín hiệu {-process.returncode}); chỉ mục cũ vẫn phục vụ"
            log.error("Xây dựng chỉ mục thất bại: %s", reason)
            self._finish(started, error=reason)
            return
        try:
            report = json.loads(stdout.strip().splitlines()[-1])
            info = self.assistant.reload()
        except Exception as exc:  # noqa: BLE001 - whatever it is, the old index keeps serving
            log.exception("Không nạp được chỉ mục mới")
            self._finish(started, error=f"không nạp được chỉ mục mới: {exc}")
            return
        self._finish(started, report=report, build_id=info.build_id)

    def _finish(self, started: float, error: str | None = None, report: dict | None = None, build_id: str | None = None) -> None:
        with self._lock:
            changes: dict = {"state": "failed" if error else "succeeded", "finished_at": _now(), "seconds": round(time.perf_counter() - started, 1), "error": error, "pid": None}
            if report is not None:
                changes |= {"build_id": build_id, "documents": report["documents"], "analysed": report["analysed"], "embedded": report["embedded"], "skipped": tuple(report["skipped"])}
            self._status = replace(self._status, **changes)


def _last_error_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    return lines[-1][:500] if lines else ""


def main() -> int:
    """The child process: settings as JSON on stdin, the build report as JSON on stdout."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    data = json.loads(sys.stdin.read())
    settings = Settings.model_validate({**data["settings"], "base_dir": data["base_dir"]})
    try:
        report = build(settings)
    except RetrievalError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"build_id": report.build_id, "documents": report.documents, "analysed": report.analysed, "embedded": report.embedded, "skipped": report.skipped}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
