"""Benchmark of the Telegram bot (not a test): time from an update to the bot's reply, in long
polling (the PTB Application in this process) and in webhook mode (the real server.py
process), both against the tests' fake Bot API on loopback. Writes bench/results/bot.json;
docs/benchmarks.md quotes it.

    .venv/bin/python bench/bench_bot.py [--rounds 3]

"Update → reply" is measured at the fake Bot API: from the moment it hands over the update
(polling: the waiting getUpdates returns it; webhook: it starts the POST) to the moment it
receives the reply's sendMessage (first part; and the last part, with the buttons).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_retrieval import machine, percentile  # noqa: E402
from retrieval import Assistant, Settings, build, load_settings  # noqa: E402
from support.fake_telegram import Chat, FakeTelegram  # noqa: E402
from support.bot import PYTHON, TOKEN, RunningBot, bot_settings, write_config  # noqa: E402
from support import free_port, seed_embedding_cache  # noqa: E402

QUESTIONS = [
    "Hộ nghèo được vay vốn ưu đãi ở đâu?",
    "ho ngheo duoc vay von o dau",
    "Ai tham gia giám sát việc bình xét hộ nghèo?",
    "Mục tiêu giảm tỷ lệ hộ nghèo đến năm 2025 là bao nhiêu?",
    "Đảng viên có trách nhiệm gì trong giảm nghèo?",
    "giá vé máy bay đi Paris là bao nhiêu?",  # not covered: the bot says so
]


def measure(fake: FakeTelegram, chat: Chat, text: str) -> tuple[float, float]:
    """Seconds from update to the reply's first part and to its last part."""
    after = fake.last_message_id(chat)
    started = time.monotonic()
    fake.send_text(chat, text)
    parts = fake.wait_for_reply(chat, after=after, timeout=120)
    return parts[0].at - started, parts[-1].at - started


def stats(values: list[float]) -> dict:
    return {"median_ms": round(statistics.median(values) * 1000, 1), "p95_ms": round(percentile(values, 0.95) * 1000, 1), "max_ms": round(max(values) * 1000, 1), "n": len(values)}


def run_rounds(fake: FakeTelegram, rounds: int) -> dict:
    chat = fake.new_chat()
    for q in QUESTIONS[:2]:  # warm-up: first calls load lazily what they need
        measure(fake, chat, q)
    start_times = []
    for _ in range(rounds * len(QUESTIONS)):
        after = fake.last_message_id(chat)
        began = time.monotonic()
        fake.send_text(chat, "/start")
        start_times.append(fake.wait_for_reply(chat, after=after).pop().at - began)
    first, last = [], []
    for _ in range(rounds):
        for q in QUESTIONS:
            a, b = measure(fake, fake.new_chat(), q)  # a new chat each time: no follow-up context
            first.append(a)
            last.append(b)

    return {"start_command": stats(start_times), "question_first_part": stats(first), "question_whole_reply": stats(last)}


def build_seed_index(root: Path) -> Settings:
    """The bundled corpus, indexed under ``root`` with the default configuration."""
    base = load_settings(REPO / "config.toml")
    shutil.copytree(REPO / "corpus", root / "corpus")
    settings = base.with_overrides(
        corpus={"dir": str(root / "corpus"), "metadata_file": str(root / "corpus" / "documents.json")},
        index={"dir": str(root / "index")},
        embedding={"model": str(base.resolve(Path(base.embedding.model)))},
    )
    seed_embedding_cache(settings.index_dir)
    build(settings)
    return settings


def bench_polling(base: Settings, rounds: int) -> dict:
    assistant = Assistant.open(base)
    with tempfile.TemporaryDirectory() as tmp, FakeTelegram(TOKEN) as fake:
        bot = RunningBot(bot_settings(base, fake, Path(tmp) / "state", questions_per_minute=10_000), assistant).start()
        try:
            results = run_rounds(fake, rounds)
        finally:
            bot.stop()
    # the same questions asked of the library directly: what of the reply time is retrieval
    asked = []
    for _ in range(rounds):
        for q in QUESTIONS:
            started = time.perf_counter()
            assistant.ask(q)
            asked.append(time.perf_counter() - started)
    return {**results, "assistant_ask_alone": stats(asked)}


def bench_webhook(base: Settings, rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp, FakeTelegram(TOKEN) as fake:
        root = Path(tmp)
        port = free_port()
        config = write_config(root, port, base, fake, "webhook", base.search.mode, {})
        env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
        env["TELEGRAM_BOT_TOKEN"] = TOKEN
        log_path = root / "server.log"
        process = subprocess.Popen([str(PYTHON), str(REPO / "server.py"), "--config", str(config), "--port", str(port), "--log-level", "warning"], cwd=REPO, env=env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 180
            while not (fake.webhook and fake.calls_of("setWebhook")):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log_path.read_text(errors="replace"))
                time.sleep(0.2)
            time.sleep(0.5)  # setWebhook is the last step before the bot takes updates
            return run_rounds(fake, rounds)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = build_seed_index(Path(tmp))
        load_before = os.getloadavg()[0]
        polling = bench_polling(base, args.rounds)
        webhook = bench_webhook(base, args.rounds)
        load_after = os.getloadavg()[0]
    results = {
        "machine": machine(),
        "load_average_1min": [round(load_before, 2), round(load_after, 2)],  # other work on the machine skews latency
        "questions": QUESTIONS,
        "rounds": args.rounds,
        "polling": polling,
        "webhook": webhook,
    }
    out = REPO / "bench" / "results" / "bot.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for mode in ("polling", "webhook"):
        for name, s in results[mode].items():
            print(f"{mode:8} {name:22} median {s['median_ms']:7.1f} ms  p95 {s['p95_ms']:7.1f} ms  max {s['max_ms']:7.1f} ms  (n={s['n']})")


if __name__ == "__main__":
    main()
