"""The Telegram bot of Trợ lý Giảm nghèo (python-telegram-bot 22).

Telegram only: answers come from ``retrieval``'s public API. server.py hosts the bot beside
the web service when $TELEGRAM_BOT_TOKEN is set; ``python -m bot`` runs it alone (polling)::

    from bot import Credentials, TelegramBot
    bot = TelegramBot.create(settings, assistant, Credentials.from_env())
    await bot.start(); ...; await bot.stop()
"""

from .settings import TelegramSettings  # first: registers [telegram] with the settings
from .app import TelegramBot, build_application
from .credentials import TOKEN_ENV, WEBHOOK_PREFIX, WEBHOOK_SECRET_ENV, Credentials
from .gate import Verdict

__all__ = ["Credentials", "TOKEN_ENV", "TelegramBot", "TelegramSettings", "Verdict", "WEBHOOK_PREFIX", "WEBHOOK_SECRET_ENV", "build_application"]
