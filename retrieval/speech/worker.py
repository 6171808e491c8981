"""One thread transcribes, one recording at a time, from a bounded queue: on 2 cores a second
recogniser in parallel would only slow both, and a queue that cannot grow means a flood of
voice notes is refused at once ("busy") instead of piling up. Every caller waits at most
``timeout`` seconds; a recording that is still waiting then is dropped, and one being
transcribed stops at the next piece (a native call cannot be interrupted mid-piece).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .audio import AudioProblem, Problem, pieces
from .engines import Transcriber


class Cancelled(Exception):
    """The caller stopped waiting."""


@dataclass
class _Job:
    samples: np.ndarray
    cancelled: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    text: str = ""
    error: BaseException | None = None


class SpeechWorker:
    """A daemon thread and a queue of at most ``queue_size`` recordings waiting."""

    def __init__(self, engine: Callable[[], Transcriber], queue_size: int, timeout: float) -> None:
        self._engine_factory = engine
        self._engine: Transcriber | None = None
        self._jobs: queue.Queue[_Job | None] = queue.Queue(maxsize=queue_size)
        self.timeout = timeout
        self._thread = threading.Thread(target=self._run, name="speech-worker", daemon=True)
        self._started = False
        self._start_lock = threading.Lock()

    def transcribe(self, samples: np.ndarray) -> str:
        """The words heard, waiting at most ``timeout`` seconds. Raises AudioProblem (BUSY,
        TIMEOUT), or what the engine raised."""
        self._ensure_started()
        job = _Job(samples)
        try:
            self._jobs.put_nowait(job)
        except queue.Full:
            raise AudioProblem(Problem.BUSY) from None
        if not job.done.wait(self.timeout):
            job.cancelled.set()
            raise AudioProblem(Problem.TIMEOUT)
        if job.error is not None:
            raise job.error
        return job.text

    def close(self) -> None:
        if self._started:
            try:
                self._jobs.put(None, timeout=1)
            except queue.Full:
                pass  # a daemon thread: it ends with the process

    def _ensure_started(self) -> None:
        with self._start_lock:
            if not self._started:
                self._thread.start()
                self._started = True

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if job.cancelled.is_set():
                continue  # its caller gave up while it waited
            try:
                job.text = self._transcribe(job)
            except BaseException as exc:  # handed to the caller, who decides what to say
                job.error = exc
            finally:
                job.done.set()

    def _transcribe(self, job: _Job) -> str:
        if self._engine is None:
            self._engine = self._engine_factory()  # loaded here, on first use, not at start-up
        words: list[str] = []
        for piece in pieces(job.samples):
            if job.cancelled.is_set():
                raise Cancelled()
            words.append(self._engine.transcribe(piece))
        return " ".join(" ".join(words).split())

