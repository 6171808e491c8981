"""The voice capability: reading and checking recordings, the bounded worker, and the real
recogniser on natural speech (fixed output: same recording, same words)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from retrieval import Heard, Voice, VoiceError, VoiceProblem, VoiceSettings
from retrieval.speech.audio import MAX_PIECE_SECONDS, RATE, pieces
from retrieval.speech.wer import word_errors
from tests.speech_support import TELEGRAM_RATE, clip, encode, natural_clips, silence, voice_note

SETTINGS = VoiceSettings()

# What viet-asr 0.1.0.dev11 hears in each speaker's recording sent as a Telegram voice note
# (OGG/Opus, 48 kHz). A change here is a change of engine behaviour: look before updating.
HEARD = {
    "Bình (nam miền Bắc)": "chỉ muốn được nhìn nhận như là một huấn luyện viên",
    "Ly (nữ miền Bắc)": "chúng ta có thể áp dụng logic tương tự với người khác",
    "Tuyên (nam miền Bắc)": "bạn cảm khúc cây và ném vào bãi cỏ xanh tươi rậm rạp ở đằng xa",
    "Đoan (nữ miền Nam)": "nuôi con theo phong cách do thái không chỉ tốt cho đứa trẻ mà còn tốt cho cả các bậc cha mẹ",
}


class StandIn:
    """A recogniser that says what it is told, optionally after being released: the worker's
    queue and timeout are about waiting, which a real model makes slow and unpredictable."""

    name = "stand-in"

    def __init__(self, words: str = "hộ nghèo được vay vốn ở đâu", gate: threading.Event | None = None) -> None:
        self.words = words
        self.gate = gate
        self.calls = 0

    def transcribe(self, samples: np.ndarray) -> str:
        self.calls += 1
        if self.gate is not None:
            self.gate.wait(10)
        return self.words


@pytest.fixture(scope="module")
def voice() -> Voice:
    """The configured engine (viet-asr), loaded once for the module."""
    opened = Voice.open(SETTINGS)
    yield opened
    opened.close()


# -- the real recogniser -------------------------------------------------------------------
@pytest.fixture(scope="module")
def heard(voice) -> dict[str, str]:
    """What the engine hears in every speaker's recording, sent as a voice note (once)."""
    return {c.name: voice.transcribe(voice_note(c)).text for c in natural_clips()}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HEARD))
def test_natural_speech_gives_fixed_words(heard, name):
    assert heard[name] == HEARD[name]


@pytest.mark.slow
def test_the_same_recording_gives_the_same_words(voice, heard):
    again = voice.transcribe(voice_note(clip("Tuyên")))
    assert again.text == heard[clip("Tuyên").name]
    assert again.seconds == pytest.approx(clip("Tuyên").seconds, abs=0.1)


@pytest.mark.slow
def test_accuracy_on_natural_speech_is_close_to_the_reference(heard):
    """Not a benchmark (bench/bench_voice.py is): a floor, so a broken engine cannot pass."""
    counts = [word_errors(c.reference, heard[c.name]) for c in natural_clips()]
    errors, words = map(sum, zip(*counts))
    assert words > 50 and errors / words < 0.2


@pytest.mark.slow
def test_an_audio_file_in_another_format_is_read_too(voice):
    c = clip("Ly")
    mp3 = encode(c.samples, c.rate, format="MP3", subtype="MPEG_LAYER_III")
    assert voice.transcribe(mp3).text == HEARD[c.name]


@pytest.mark.slow
def test_a_long_recording_is_cut_into_pieces_and_heard_whole(voice):
    """viet-asr alone drops the beginning of long audio: the pieces keep every word."""
    c = clip("Đoan")
    heard = voice.transcribe(voice_note(c, repeat=3))  # ~20 s: two pieces
    assert heard.seconds > MAX_PIECE_SECONDS
    assert heard.text.startswith("nuôi con theo phong cách")
    assert heard.text.count("bậc cha mẹ") >= 3


# -- what cannot be answered ---------------------------------------------------------------
@pytest.mark.slow
def test_too_long_is_refused_before_decoding(voice):
    c = clip("Bình")
    with pytest.raises(VoiceError) as refused:
        voice.transcribe(voice_note(c, repeat=25))  # ~75 s
    assert refused.value.problem is VoiceProblem.TOO_LONG
    assert refused.value.seconds > SETTINGS.max_seconds
    assert "tối đa 60 giây" in refused.value.message and "gõ câu hỏi" in refused.value.message
    with pytest.raises(VoiceError) as declared:
        voice.check_length(61)
    assert declared.value.problem is VoiceProblem.TOO_LONG
    voice.check_length(59)


@pytest.mark.parametrize(
    "recording, problem",
    [
        (lambda: b"", VoiceProblem.EMPTY),
        (lambda: silence(3), VoiceProblem.EMPTY),
        (lambda: silence(0.1), VoiceProblem.EMPTY),
        (lambda: voice_note(clip("Ly"), gain=0.01), VoiceProblem.TOO_QUIET),
        (lambda: b"OggS" + bytes(range(256)) * 20, VoiceProblem.UNREADABLE),
        (lambda: voice_note(clip("Ly"))[:200], VoiceProblem.UNREADABLE),
        (lambda: "hộ nghèo".encode(), VoiceProblem.UNREADABLE),
    ],
    ids=["no bytes", "silence", "a click", "too quiet", "garbage", "truncated", "text"],
)
def test_recordings_that_cannot_be_answered_say_why(recording, problem):
    engine = StandIn()
    voice = Voice.open(SETTINGS, engine=engine)
    with pytest.raises(VoiceError) as refused:
        voice.transcribe(recording())
    assert refused.value.problem is problem
    assert "gõ câu hỏi" in refused.value.message
    assert engine.calls == 0  # refused before the recogniser


@pytest.mark.slow
def test_noise_that_holds_no_words_is_not_understood(voice):
    noise = np.random.default_rng(7).normal(0, 0.05, 3 * TELEGRAM_RATE).astype(np.float32)
    with pytest.raises(VoiceError) as refused:
        voice.transcribe(encode(noise, TELEGRAM_RATE))
    assert refused.value.problem is VoiceProblem.NOT_UNDERSTOOD


# -- the question asked --------------------------------------------------------------------
def test_heard_text_is_kept_as_heard_and_the_question_has_digits():
    voice = Voice.open(SETTINGS, engine=StandIn("thu nhập một triệu rưỡi\ncó phải hộ nghèo không gọi không chín một hai ba bốn năm sáu bảy tám"))
    heard = voice.transcribe(voice_note(clip("Ly")))
    assert isinstance(heard, Heard)
    assert heard.text == "thu nhập một triệu rưỡi có phải hộ nghèo không gọi không chín một hai ba bốn năm sáu bảy tám"
    assert heard.question == "thu nhập 1.500.000 có phải hộ nghèo không gọi 0912345678"
    assert heard.kept == "thu nhập 1.500.000 có phải hộ nghèo không gọi ***"


def test_pieces_are_at_most_15_seconds_and_cut_in_a_pause():
    tone = (0.3 * np.sin(np.arange(40 * RATE) * 2 * np.pi * 220 / RATE)).astype(np.float32)
    tone[int(13.5 * RATE) : int(13.8 * RATE)] = 0  # a pause inside the search window
    cut = pieces(tone)
    assert all(len(p) <= MAX_PIECE_SECONDS * RATE for p in cut)
    assert np.array_equal(np.concatenate(cut), tone)
    assert 13.5 * RATE <= len(cut[0]) <= 13.8 * RATE
    assert len(pieces(tone[: 10 * RATE])) == 1


# -- the bounded worker --------------------------------------------------------------------
def test_a_full_queue_says_busy_at_once_and_a_wait_ends_at_the_timeout():
    gate = threading.Event()
    engine = StandIn(gate=gate)
    voice = Voice.open(SETTINGS.model_copy(update={"queue_size": 1, "timeout_seconds": 1.5}), engine=engine)
    note = voice_note(clip("Ly"))
    results: list[object] = []

    def ask() -> None:
        try:
            results.append(voice.transcribe(note))
        except VoiceError as exc:
            results.append(exc.problem)

    first = threading.Thread(target=ask)
    first.start()
    deadline = time.monotonic() + 5
    while engine.calls == 0 and time.monotonic() < deadline:  # the first is being transcribed
        time.sleep(0.01)
    second = threading.Thread(target=ask)
    second.start()  # waits in the queue (size 1)
    time.sleep(0.3)
    started = time.monotonic()
    with pytest.raises(VoiceError) as busy:
        voice.transcribe(note)  # the queue is full: refused at once, not after the timeout
    assert busy.value.problem is VoiceProblem.BUSY and time.monotonic() - started < 1.0
    first.join(5)
    second.join(5)
    assert results == [VoiceProblem.TIMEOUT, VoiceProblem.TIMEOUT]
    gate.set()
    # the worker is free again: the one that gave up while waiting is skipped, not transcribed
    assert voice.transcribe(note).text == engine.words
    assert engine.calls == 2
    voice.close()


@pytest.mark.parametrize(
    "reference, hypothesis, errors",
    [("Hộ nghèo, được vay vốn.", "hộ nghèo được vay vốn", 0), ("hộ nghèo được vay", "hộ nghèo vay vốn", 2), ("a b", "", 2), ("", "a", 1)],
)
def test_word_errors(reference, hypothesis, errors):
    assert word_errors(reference, hypothesis)[0] == errors


def test_an_engine_failure_reaches_the_caller_and_the_worker_goes_on():
    class Broken(StandIn):
        def transcribe(self, samples: np.ndarray) -> str:
            self.calls += 1
            if self.calls == 1:
                raise RuntimeError("native failure")
            return self.words

    voice = Voice.open(SETTINGS, engine=Broken())
    with pytest.raises(RuntimeError):
        voice.transcribe(voice_note(clip("Ly")))
    assert voice.transcribe(voice_note(clip("Ly"))).text == "hộ nghèo được vay vốn ở đâu"


def test_the_engine_frees_its_native_pipeline_at_exit_before_the_interpreter_is_torn_down(monkeypatch):
    import atexit

    from retrieval.speech.engines import VietAsr

    registered = []
    original = atexit.register
    monkeypatch.setattr(atexit, "register", lambda f, *a, **k: registered.append(f) or original(f, *a, **k))
    engine = VietAsr()
    assert engine._close in registered  # run while modules are alive, not left to __del__
    engine._close()
    assert not engine._pipeline.handle
    engine._close()  # twice (atexit after an explicit close) is harmless
