"""Questions asked by voice: a recording in, the words heard and the question to search out.

    voice = Voice.open(settings.voice)      # nothing is loaded until the first recording
    heard = voice.transcribe(ogg_bytes)      # blocking: faces call it in a worker thread
    heard.text      # "thu nhập một triệu rưỡi có phải hộ nghèo không" (shown as heard)
    heard.question  # "thu nhập 1.500.000 có phải hộ nghèo không" (what is asked)

No Telegram or HTTP here. The audio is only ever held in memory; nothing is logged but
lengths and timings.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from ..errors import RetrievalError
from ..settings import VoiceSettings
from .audio import AudioProblem, Problem, read
from .engines import Transcriber, check_installed, load_engine
from .numbers import mask_long_numbers, spoken_to_digits
from .worker import Cancelled, SpeechWorker

__all__ = ["Heard", "Problem", "Transcriber", "Voice", "VoiceError", "mask_long_numbers", "spoken_to_digits"]

log = logging.getLogger(__name__)

_TYPE_INSTEAD = "hoặc gõ câu hỏi"


def _message(problem: Problem, settings: VoiceSettings, seconds: float | None) -> str:
    """What to tell the citizen, in Vietnamese, short, always with a way on."""
    limit = round(settings.max_seconds)
    if problem is Problem.TOO_LONG:
        said = f" ({round(seconds)} giây)" if seconds else ""
        return f"Tin nhắn thoại này dài quá{said}: tôi chỉ nghe được tối đa {limit} giây. Bạn hãy nói ngắn gọn câu hỏi, {_TYPE_INSTEAD} nhé."
    return {
        Problem.UNREADABLE: f"Tôi không mở được tệp âm thanh này. Bạn hãy gửi tin nhắn thoại (giữ nút micro để nói), {_TYPE_INSTEAD} nhé.",
        Problem.EMPTY: f"Tin nhắn thoại này không có tiếng. Bạn hãy ghi âm lại, {_TYPE_INSTEAD} nhé.",
        Problem.TOO_QUIET: f"Tiếng nhỏ quá, tôi nghe không rõ. Bạn hãy nói to hơn, gần điện thoại hơn, {_TYPE_INSTEAD} nhé.",
        Problem.NOT_UNDERSTOOD: f"Tôi chưa nghe ra câu hỏi nào. Bạn hãy nói chậm và rõ hơn, {_TYPE_INSTEAD} nhé.",
        Problem.BUSY: f"Tôi đang nghe nhiều tin nhắn thoại cùng lúc. Bạn vui lòng gửi lại sau ít phút, {_TYPE_INSTEAD} nhé.",
        Problem.TIMEOUT: f"Tôi nghe tin nhắn thoại này lâu quá nên đã dừng. Bạn hãy gửi lại câu hỏi ngắn hơn, {_TYPE_INSTEAD} nhé.",
    }[problem]


class VoiceError(RetrievalError):
    """A recording that cannot be answered; ``message`` says so to the citizen (Vietnamese)."""

    def __init__(self, problem: Problem, message: str, seconds: float | None = None) -> None:
        super().__init__(message)
        self.problem = problem
        self.message = message
        self.seconds = seconds


@dataclass(frozen=True)
class Heard:
    """What a recording said."""

    text: str  # as the recogniser heard it: shown to the citizen, who can tell a mishearing
    question: str  # the same with spoken numbers in digits: what is searched and answered
    seconds: float  # length of the recording
    elapsed: float  # decoding and recognition, seconds

    @property
    def kept(self) -> str:
        """The question as it may be stored (follow-ups, feedback): long numbers hidden."""
        return mask_long_numbers(self.question)


class Voice:
    """The voice capability of ``[voice]``: checks, a bounded worker, the engine."""

    def __init__(self, settings: VoiceSettings, engine: Transcriber | None = None) -> None:
        self.settings = settings
        factory = (lambda: engine) if engine is not None else (lambda: load_engine(settings.engine))
        self._worker = SpeechWorker(factory, settings.queue_size, settings.timeout_seconds)

    @classmethod
    def open(cls, settings: VoiceSettings, engine: Transcriber | None = None) -> "Voice":
        """Nothing is loaded yet: the engine loads on the first recording. ``engine`` replaces
        the configured one (tests of the queue use a slow stand-in). Raises ConfigError when
        the configured engine is not installed."""
        if engine is None:
            check_installed(settings.engine)
        return cls(settings, engine)

    def error(self, problem: Problem, seconds: float | None = None) -> VoiceError:
        return VoiceError(problem, _message(problem, self.settings, seconds), seconds)

    def check_length(self, seconds: float | None) -> None:
        """Refuse a recording by its declared length, before downloading it. Raises VoiceError."""
        if seconds is not None and seconds > self.settings.max_seconds:
            raise self.error(Problem.TOO_LONG, seconds)

    def transcribe(self, data: bytes) -> Heard:
        """The words of a recording (OGG/Opus, MP3, WAV, FLAC…). Blocking, at most
        ``timeout_seconds`` once checked. Raises VoiceError."""
        started = time.perf_counter()
        try:
            audio = read(bytes(data), self.settings.max_seconds, self.settings.min_level_db)
            text = self._worker.transcribe(audio.samples)
        except AudioProblem as exc:
            log.info("Giọng nói: không trả lời được (%s)", exc.problem.value)
            raise self.error(exc.problem, exc.seconds) from None
        except Cancelled:
            raise self.error(Problem.TIMEOUT) from None
        elapsed = time.perf_counter() - started
        if not text:
            log.info("Giọng nói: %.1f giây âm thanh, không nghe ra từ nào (%.1f s)", audio.seconds, elapsed)
            raise self.error(Problem.NOT_UNDERSTOOD, audio.seconds)
        log.info("Giọng nói: %.1f giây âm thanh, %d từ, %.1f s", audio.seconds, len(text.split()), elapsed)
        return Heard(text, spoken_to_digits(text), audio.seconds, elapsed)

    def close(self) -> None:
        self._worker.close()
