"""Rebuilding the index while the service answers, then moving to it.

Builds run in a worker process (``python -m retrieval.service.rebuild``), never in the service: a build
that crashes, runs out of memory or is killed (even with SIGKILL) never takes the service down.
The service keeps answering from the index it has, records the failure, and the next build
starts a new worker (a half-written build is never made current, see index.py). The worker
stays up between builds with the encoder and the word segmenter loaded, so a build pays only
for what changed (adding a document: about half a second) instead of loading them again; it
runs at a lower CPU priority than the service. When a build succeeds, the Assistant moves to it
with ``reload()``. Requests for a build while one runs are merged into one more build after it,
which then sees every change made meanwhile.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from ..errors import RetrievalError
from ..index.embeddings import Embedder, load_embedder, model_identity
from ..settings import Settings
from ..text.core import word_segments
from .assistant import Assistant, build

log = logging.getLogger(__name__)

BuildState = Literal["idle", "running", "succeeded", "failed"]
REPO_ROOT = Path(__file__).resolve().parents[2]


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


class _Worker:
    """The build process: one JSON line in per request, one JSON line out per build."""

    def __init__(self, python: str) -> None:
        self.process = subprocess.Popen(
            [python, "-m", "retrieval.service.rebuild"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
            cwd=str(REPO_ROOT), env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )
        self.stderr: deque[str] = deque(maxlen=50)  # the last lines, for the reason of a failure
        threading.Thread(target=self._drain, name="index-rebuild-stderr", daemon=True).start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def _drain(self) -> None:
        for line in self.process.stderr:
            if line.strip():
                self.stderr.append(line.rstrip())

    def send(self, message: dict) -> None:
        self.process.stdin.write(json.dumps(message, ensure_ascii=False) + "\n")
        self.process.stdin.flush()

    def build(self, message: dict) -> dict | None:
        """The worker's reply, or None if it died (see ``self.process.returncode``)."""
        try:
            self.send(message)
            line = self.process.stdout.readline()
        except (BrokenPipeError, OSError, ValueError):
            line = ""
        if not line:
            self.process.wait()
            return None
        return json.loads(line)

    def kill(self) -> None:
        """Builds are atomic (index.py), so killing the worker, idle or not, loses nothing."""
        if self.alive():
            self.process.kill()
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


class Rebuilder:
    """Runs builds one at a time in a background thread, each in the worker process (started
    when needed, again after it dies), and moves ``assistant`` to every build that succeeds."""

    def __init__(self, assistant: Assistant, settings: Settings, python: str = sys.executable) -> None:
        self.assistant = assistant
        self.settings = settings
        self.python = python
        self._status = BuildStatus()
        self._lock = threading.Lock()
        self._wanted = False
        self._thread: threading.Thread | None = None
        self._worker: _Worker | None = None

    def _message(self, kind: str) -> dict:
        return {"kind": kind, "base_dir": str(self.settings.base_dir), "settings": self.settings.model_dump(mode="json")}

    def start(self) -> None:
        """Start the worker now, so that the first build does not wait for it to load the
        encoder and the segmenter (the service calls this once it is ready)."""
        with self._lock:
            self._ensure_worker()

    def _ensure_worker(self) -> _Worker:
        if self._worker is None or not self._worker.alive():
            self._worker = _Worker(self.python)
            self._worker.send(self._message("warm"))
        return self._worker

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
        """Stop the worker (at shutdown), killing a running build: the index it was writing is
        never made current."""
        with self._lock:
            self._wanted = False
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.kill()

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
        with self._lock:
            try:
                worker = self._ensure_worker()
            except OSError as exc:
                worker = None
                error = f"không chạy được tiến trình xây dựng chỉ mục: {exc}"
            else:
                self._status = replace(self._status, pid=worker.pid)
        if worker is None:
            self._finish(started, error=error)
            return
        reply = worker.build(self._message("build"))
        if reply is None or "error" in reply:
            if reply is not None:
                reason = reply["error"]
            elif worker.process.returncode is not None and worker.process.returncode < 0:
                reason = f"tiến trình xây dựng bị dừng (tín hiệu {-worker.process.returncode}); chỉ mục cũ vẫn phục vụ"
            else:
                time.sleep(0.1)  # let the last lines of its error arrive
                reason = _last_error_line("\n".join(worker.stderr)) or f"tiến trình kết thúc với mã {worker.process.returncode}"
            log.error("Xây dựng chỉ mục thất bại: %s", reason)
            self._finish(started, error=reason)
            return
        try:
            report = reply["report"]
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


class _Builder:
    """The worker's side: keeps an encoder per configuration and the segmenter loaded."""

    def __init__(self) -> None:
        self._embedders: dict[str, Embedder] = {}

    def embedder(self, settings: Settings) -> Embedder:
        # the encoder's identity changes with the model, the runtime, the variant and the export
        key = json.dumps([settings.embedding.model_dump(mode="json"), model_identity(settings)])
        if key not in self._embedders:
            self._embedders = {key: load_embedder(settings)}  # one at a time: a changed model replaces the old
        return self._embedders[key]

    def warm(self, settings: Settings) -> None:
        self.embedder(settings)
        word_segments("hộ nghèo")  # loads underthesea's model

    def build(self, settings: Settings) -> dict:
        report = build(settings, self.embedder(settings))
        return {"build_id": report.build_id, "documents": report.documents, "analysed": report.analysed, "embedded": report.embedded, "skipped": report.skipped}


def main() -> int:
    """The worker process: requests as JSON lines on stdin (``{"kind": "warm" | "build",
    "settings": …, "base_dir": …}``), one JSON line on stdout per build (``{"report": …}`` or
    ``{"error": …}``); it ends at the end of its input. An unexpected error ends it too (the
    service starts a new one for the next build)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)  # builds yield the CPU to the service's questions
    replies, sys.stdout = sys.stdout, sys.stderr  # whatever a library prints must not mix with the replies
    builder = _Builder()
    for line in sys.stdin:
        if not line.strip():
            continue
        data = json.loads(line)
        settings = Settings.model_validate({**data["settings"], "base_dir": data["base_dir"]})
        try:
            if data.get("kind") == "warm":
                builder.warm(settings)
                continue
            reply = {"report": builder.build(settings)}
        except RetrievalError as exc:
            if data.get("kind") == "warm":
                continue  # the build that follows reports it
            print(f"Lỗi: {exc}", file=sys.stderr, flush=True)
            reply = {"error": f"Lỗi: {exc}"}
        print(json.dumps(reply, ensure_ascii=False), file=replies, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
