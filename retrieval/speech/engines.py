"""Speech recognisers behind one small protocol. Only viet-asr for now; another engine (e.g.
faster-whisper) would be one more class here and one more value of ``[voice] engine``.

Engines are imported lazily, so the library loads without them when voice is off, and loaded
once per process: every face and test shares one model (~240 MB for viet-asr).
"""

from __future__ import annotations

import atexit
import functools
import threading
from typing import Protocol

import numpy as np

from ..errors import ConfigError
from .audio import RATE


class Transcriber(Protocol):
    """Turns one piece of speech (16 kHz mono, at most ``audio.MAX_PIECE_SECONDS``) into
    lower-case words, without punctuation."""

    name: str

    def transcribe(self, samples: np.ndarray) -> str: ...


class VietAsr:
    """viet-asr (PyPI ``viet-asr``): an int8 streaming Conformer-CTC model for Vietnamese
    embedded in its native library, run with ONNX Runtime on the CPU; no network."""

    name = "viet-asr"
    module = "vietasr"
    QUIET = 4  # the native library's log level that prints nothing (its debug lines carry text)

    def __init__(self) -> None:
        try:
            import vietasr
            from vietasr.ffi import native
        except (ImportError, OSError) as exc:
            raise ConfigError("Chưa cài bộ nhận dạng giọng nói viet-asr (pip install -r requirements.txt), hoặc đặt [voice] enabled = false.") from exc
        native.lib.vietasr_set_log_level(self.QUIET)
        self._pipeline = vietasr.Pipeline.preset("transcribe")
        self._lock = threading.Lock()  # one native call at a time on the shared pipeline
        # freed while the interpreter is whole: left to the pipeline's __del__ at shutdown, the
        # free ran after cffi's types were torn down and printed a TypeError traceback
        atexit.register(self._close)

    def _close(self) -> None:
        if self._lock.acquire(timeout=5):  # a transcription still running at exit: leave it be
            try:
                self._pipeline.close()
            finally:
                self._lock.release()

    def transcribe(self, samples: np.ndarray) -> str:
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)
        with self._lock:
            text = self._pipeline.transcribe(pcm, sample_rate=float(RATE)).text
        return " ".join(text.split())  # its segments come back separated by line breaks


ENGINES = {VietAsr.name: VietAsr}


def check_installed(name: str) -> None:
    """Raise ConfigError if the engine is unknown or its package is missing, without loading
    it (a face can then turn voice off at start-up instead of failing on a citizen's note)."""
    import importlib.util

    factory = ENGINES.get(name)
    if factory is None:
        raise ConfigError(f"Không có bộ nhận dạng giọng nói “{name}”; có: {', '.join(ENGINES)}")
    if importlib.util.find_spec(factory.module) is None:
        raise ConfigError(f"Chưa cài bộ nhận dạng giọng nói {name} (pip install -r requirements.txt), hoặc đặt [voice] enabled = false.")


@functools.cache
def load_engine(name: str) -> Transcriber:
    """The engine of that name, loaded once per process. Raises ConfigError."""
    try:
        factory = ENGINES[name]
    except KeyError:
        raise ConfigError(f"Không có bộ nhận dạng giọng nói “{name}”; có: {', '.join(ENGINES)}") from None
    return factory()
