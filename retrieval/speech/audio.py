"""Audio as it arrives (a Telegram voice note is OGG/Opus at 48 kHz; an audio file may be MP3,
WAV, FLAC…) read into 16 kHz mono samples, checked, and cut into pieces the recogniser takes.

Decoding is soundfile's (libsndfile, bundled in its wheel), so no ffmpeg is needed. Nothing is
written to disk: the bytes are read from memory and dropped once transcribed.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from enum import Enum

import numpy as np

RATE = 16_000  # what the recogniser expects
FRAME_SECONDS = 0.03  # loudness is measured over 30 ms frames
MIN_SECONDS = 0.3  # shorter than a syllable: nothing was said
SILENCE_DB = -60.0  # below this there is no sound at all (a lossy codec leaves a little noise)
MAX_PIECE_SECONDS = 15.0  # viet-asr silently drops the start of audio much longer than this
CUT_SEARCH_SECONDS = 3.0  # a piece ends at the quietest frame of its last 3 seconds (not inside a word)


class Problem(Enum):
    """Why a recording cannot be answered; each has its own message to the citizen."""

    UNREADABLE = "unreadable"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    TOO_QUIET = "too_quiet"
    NOT_UNDERSTOOD = "not_understood"
    BUSY = "busy"
    TIMEOUT = "timeout"


class AudioProblem(Exception):
    """Raised while reading or checking a recording; ``seconds`` when its length is known."""

    def __init__(self, problem: Problem, seconds: float | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.seconds = seconds


@dataclass(frozen=True)
class Audio:
    """Mono samples in [-1, 1] at ``RATE``."""

    samples: np.ndarray
    level_db: float  # loudness of the loud part (95th percentile of frame RMS), dBFS

    @property
    def seconds(self) -> float:
        return len(self.samples) / RATE


def duration(data: bytes) -> float:
    """The length in seconds from the header, without decoding. Raises AudioProblem."""
    import soundfile

    try:
        info = soundfile.info(io.BytesIO(data))
    except Exception:  # libsndfile refuses in many ways (LibsndfileError, RuntimeError, TypeError)
        raise AudioProblem(Problem.UNREADABLE) from None
    if info.samplerate <= 0:
        raise AudioProblem(Problem.UNREADABLE)
    return info.frames / info.samplerate


def read(data: bytes, max_seconds: float, min_level_db: float) -> Audio:
    """Decode, check length and loudness, resample to 16 kHz mono. Raises AudioProblem."""
    import soundfile
    from scipy.signal import resample_poly

    if not data:
        raise AudioProblem(Problem.EMPTY, 0.0)
    seconds = duration(data)  # before decoding: a long file is refused without reading it all
    if seconds > max_seconds:
        raise AudioProblem(Problem.TOO_LONG, seconds)
    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except Exception:
        raise AudioProblem(Problem.UNREADABLE) from None
    mono = samples.mean(axis=1) if samples.size else np.zeros(0, dtype=np.float32)
    if len(mono) / rate < MIN_SECONDS:
        raise AudioProblem(Problem.EMPTY, len(mono) / rate)
    if rate != RATE:
        common = math.gcd(int(rate), RATE)
        mono = resample_poly(mono, RATE // common, int(rate) // common).astype(np.float32)
    mono = np.clip(mono, -1.0, 1.0)
    level = loudness_db(mono)
    if level < min(SILENCE_DB, min_level_db):
        raise AudioProblem(Problem.EMPTY, len(mono) / RATE)
    if level < min_level_db:
        raise AudioProblem(Problem.TOO_QUIET, len(mono) / RATE)
    return Audio(mono, level)


def frame_rms(samples: np.ndarray) -> np.ndarray:
    size = int(RATE * FRAME_SECONDS)
    usable = len(samples) // size * size
    if usable == 0:
        return np.sqrt(np.mean(np.square(samples, dtype=np.float64))).reshape(1)
    return np.sqrt(np.mean(np.square(samples[:usable].reshape(-1, size), dtype=np.float64), axis=1))


def loudness_db(samples: np.ndarray) -> float:
    """How loud the speech is: the 95th percentile of frame RMS, so pauses do not count."""
    loud = float(np.percentile(frame_rms(samples), 95))
    return 20 * math.log10(loud) if loud > 0 else -math.inf


def pieces(samples: np.ndarray, max_seconds: float = MAX_PIECE_SECONDS) -> list[np.ndarray]:
    """Cut into pieces of at most ``max_seconds``, each ending at the quietest frame of its
    last ``CUT_SEARCH_SECONDS`` (a pause between words, where one can be found)."""
    limit = int(max_seconds * RATE)
    frame = int(RATE * FRAME_SECONDS)
    out: list[np.ndarray] = []
    start = 0
    while len(samples) - start > limit:
        window_start = start + limit - int(CUT_SEARCH_SECONDS * RATE)
        rms = frame_rms(samples[window_start : start + limit])
        cut = window_start + int(np.argmin(rms)) * frame + frame // 2
        out.append(samples[start:cut])
        start = cut
    out.append(samples[start:])
    return out
