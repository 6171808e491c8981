"""What the bot does with each update, split by feature; all the wiring is in ``register``.

The assistant is synchronous and CPU-bound, so it runs in a worker thread while a typing
indicator shows. Handlers reach the Assistant (and through it the library's records: the
question log and the votes) and the settings through the typed context (``common.BotContext``).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, TypeHandler, filters

from ..callbacks import AskExample, CheckStep, ShowSource, TypeAgain, Vote
from . import check, commands, questions, sources, voice
from .common import BotContext, addressed_text, describe_error, observe, share, update_kind, update_type
from .errors import on_error

__all__ = ["BotContext", "addressed_text", "describe_error", "register", "share", "update_kind", "update_type"]


def register(application: Application, *, webhook: bool = False) -> None:
    """Every handler, in the order Telegram updates are matched against them."""
    only_messages = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE
    # first, in a group of its own: every update counted (metrics), then matched below
    application.add_handler(TypeHandler(Update, observe), group=-1)
    # /kiemtra first: during a check, what is typed may be its answer
    application.add_handler(check.conversation())
    application.add_handler(CommandHandler("start", commands.start, filters=only_messages))
    application.add_handler(CommandHandler("help", commands.help_command, filters=only_messages))
    application.add_handler(CommandHandler("tim", commands.search, filters=only_messages))
    application.add_handler(CommandHandler("vanban", commands.documents, filters=only_messages))
    application.add_handler(CallbackQueryHandler(sources.show_source, pattern=ShowSource.PATTERN))
    application.add_handler(CallbackQueryHandler(sources.vote, pattern=Vote.PATTERN))
    application.add_handler(CallbackQueryHandler(questions.ask_example, pattern=AskExample.PATTERN))
    application.add_handler(CallbackQueryHandler(questions.type_again, pattern=TypeAgain.PATTERN))
    application.add_handler(CallbackQueryHandler(check.stale_button, pattern=CheckStep.PATTERN))  # a check that is over
    application.add_handler(CallbackQueryHandler(sources.expired))  # anything else: never left spinning
    application.add_handler(MessageHandler(only_messages & filters.TEXT & ~filters.COMMAND, questions.question))
    application.add_handler(MessageHandler(only_messages & private & filters.COMMAND, commands.unknown_command))
    # In polling, updates are handled one at a time: a voice note must not block, or a long one
    # would hold every other chat's updates. In webhook mode each update is its own request, so
    # it blocks: the chat stays held (bot/gate.py) and its state is written before Telegram
    # gets its 200 — a restart while it is heard no longer loses the reply (Telegram sends the
    # note again).
    application.add_handler(MessageHandler(only_messages & private & (filters.VOICE | filters.AUDIO), voice.voice_note, block=webhook))
    application.add_handler(MessageHandler(only_messages & private & ~filters.TEXT & ~filters.StatusUpdate.ALL, commands.not_text))
    application.add_error_handler(on_error)
