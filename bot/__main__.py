"""Run the bot alone, in long polling, without the web service: ``python -m bot [--config X]``.

Webhook mode needs the web server to receive Telegram's POSTs: use ``python server.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from retrieval import Assistant, ConfigError, RetrievalError, load_settings

from .app import TelegramBot
from .credentials import TOKEN_ENV, Credentials


async def run(bot: TelegramBot) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    starter = asyncio.create_task(bot.start_with_retries())
    await stopping.wait()
    starter.cancel()
    await bot.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Bot Telegram của Trợ lý Giảm nghèo (long polling, không kèm dịch vụ web).")
    parser.add_argument("--config", help="tệp cấu hình (mặc định: $TRO_LY_CONFIG hoặc config.toml)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(args.config)
        credentials = Credentials.from_env()
    except ConfigError as exc:
        print(f"Lỗi cấu hình: {exc}", file=sys.stderr)
        return 2
    if credentials is None:
        print(f"Chưa đặt {TOKEN_ENV}: hãy đặt token của bot (từ @BotFather) vào biến môi trường này.", file=sys.stderr)
        return 2
    if settings.telegram.mode == "webhook":
        print('Cấu hình đang chọn mode = "webhook": webhook do server.py phục vụ (python server.py). python -m bot chỉ chạy long polling.', file=sys.stderr)
        return 2
    try:
        assistant = Assistant.open(settings)
    except RetrievalError as exc:
        print(f"Không khởi động được trợ lý: {exc}", file=sys.stderr)
        return 1
    asyncio.run(run(TelegramBot.create(settings, assistant, credentials)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
