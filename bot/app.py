"""Building the PTB Application and running it: long polling, or webhook through server.py.

All wiring is in ``build_application``. ``TelegramBot`` starts and stops it on the caller's
event loop (server.py's lifespan, or ``python -m bot``): ``run_polling``/``run_webhook`` would
own the loop, and their ``post_init`` hooks do not run when the Application is embedded.

State: in ``[telegram] state_dir`` (a pickle) for one process; in Redis when ``[state]
redis_url`` is set, so that several replicas behind one webhook address share it
(``shared_state.py``), each update handled once and a chat's updates one at a time (``gate.py``).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import BotCommand, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import AIORateLimiter, Application, BasePersistence, ContextTypes, PersistenceInput, PicklePersistence

from retrieval import Assistant, ConfigError, Settings, Voice

from . import texts
from .credentials import Credentials
from .gate import MemoryGate, RedisGate, UpdateGate, Verdict
from .handlers import BotContext, describe_error, register, share
from .handlers.common import BotObserver
from .shared_state import RedisPersistence, refresh_conversations

log = logging.getLogger("tro_ly.bot")

STATE_FILE = "bot-state.pickle"
# Telegram's 429 says how long to wait; AIORateLimiter waits that long and retries this often.
RETRIES_AFTER_429 = 3
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
FIRST_RETRY_SECONDS = 2.0
MAX_RETRY_SECONDS = 300.0


def quiet_http_logs() -> None:
    """httpx logs every request URL at INFO, and a Bot API URL contains the token."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


def private_dir(path: Path) -> Path:
    """Create ``path`` (owner-only when new) and return it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def build_application(
    settings: Settings,
    assistant: Assistant,
    token: str,
    *,
    webhook: bool = False,
    redis: Any = None,
    observer: BotObserver | None = None,
) -> Application:
    """The bot: handlers, persistence (``state_dir``, or ``redis``: a ``redis.asyncio`` client
    shared by the replicas), Telegram's flood limits, 429 retries."""
    quiet_http_logs()
    tg = settings.telegram
    state_dir = private_dir(settings.resolve(tg.state_dir))
    # votes an earlier release kept in the bot's own file move into the library's records, masked
    assistant.records.import_legacy(state_dir)
    persistence: BasePersistence
    if redis is not None:
        persistence = RedisPersistence(redis, update_interval=tg.save_state_seconds)
    else:
        persistence = PicklePersistence(
            state_dir / STATE_FILE,
            # chat_data (and the /kiemtra conversation) only: the Assistant and settings, which
            # live in bot_data, never go into a pickle
            store_data=PersistenceInput(bot_data=False, chat_data=True, user_data=False, callback_data=False),
            update_interval=tg.save_state_seconds,
        )
    builder = (
        Application.builder()
        .token(token)
        .base_url(tg.api_base_url)
        .base_file_url(tg.file_base_url)
        .rate_limiter(AIORateLimiter(max_retries=RETRIES_AFTER_429))
        .persistence(persistence)
        .context_types(ContextTypes(context=BotContext))
    )
    if webhook:
        builder = builder.updater(None)  # updates arrive through server.py's route
    application = builder.build()
    share(application, assistant, settings, open_voice(settings), observer)
    register(application, webhook=webhook)
    return application


def open_redis(url: str) -> Any:
    """A ``redis.asyncio`` client for the bot's shared state (connections made on first use)."""
    import redis.asyncio

    return redis.asyncio.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30)


def open_voice(settings: Settings) -> Voice | None:
    """Voice questions when ``[voice] enabled``; None (voice notes get "hãy gõ câu hỏi") when
    off, or when the engine is not installed: the bot still answers typed questions."""
    if not settings.voice.enabled:
        return None
    try:
        return Voice.open(settings.voice)
    except ConfigError as exc:
        log.error("Không dùng được giọng nói, tin nhắn thoại sẽ được nhắc gõ câu hỏi: %s", exc)
        return None


@dataclass
class TelegramBot:
    """One Application and how it receives updates; started and stopped by its host."""

    application: Application
    settings: Settings
    credentials: Credentials
    gate: UpdateGate = field(default_factory=MemoryGate)
    redis: Any = None  # the shared state's client, when [state] redis_url is set
    running: bool = field(default=False, init=False)

    @classmethod
    def create(cls, settings: Settings, assistant: Assistant, credentials: Credentials, observer: BotObserver | None = None) -> "TelegramBot":
        webhook = settings.telegram.mode == "webhook"
        redis = open_redis(settings.redis_url) if settings.redis_url else None
        application = build_application(settings, assistant, credentials.token, webhook=webhook, redis=redis, observer=observer)
        gate = RedisGate(redis) if redis is not None else MemoryGate()
        return cls(application, settings, credentials, gate, redis)

    @property
    def webhook(self) -> bool:
        return self.application.updater is None

    @property
    def shared(self) -> bool:
        """Whether the state is shared with other replicas (Redis)."""
        return isinstance(self.application.persistence, RedisPersistence)

    @property
    def webhook_path(self) -> str:
        return self.credentials.webhook_path

    async def start(self) -> None:
        """getMe, setMyCommands, then setWebhook or the first long poll. Raises on failure."""
        app = self.application
        await app.initialize()
        await app.bot.set_my_commands([BotCommand(name, description) for name, description in texts.COMMANDS])
        if self.webhook:
            await app.bot.set_webhook(
                self.credentials.webhook_url(self.settings.telegram.webhook_url),
                secret_token=self.credentials.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            # start_polling first removes any webhook: getUpdates gets 409 while one is set
            await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, error_callback=_polling_error)
        await app.start()
        self.running = True
        how = "webhook" if self.webhook else "long polling"
        log.info("Bot Telegram @%s đang chạy (%s)", app.bot.username, how)

    async def start_with_retries(self) -> None:
        """Start, retrying while the Bot API cannot be reached; give up on a refused token.
        Meant to run as a background task: the web service does not wait for Telegram.

        Not PTB's ``bootstrap_retries``: only ``run_polling``/``run_webhook`` apply it to
        ``initialize`` (getMe), and they own the event loop, which here is FastAPI's; the
        Updater's own covers deleteWebhook alone, not setMyCommands or setWebhook."""
        delay = FIRST_RETRY_SECONDS
        while True:
            try:
                await self.start()
                return
            except InvalidToken:
                log.error("Telegram từ chối TELEGRAM_BOT_TOKEN (401): bot không chạy, dịch vụ web vẫn chạy.")
                await self.stop()
                return
            except TelegramError as exc:
                log.warning("Chưa khởi động được bot Telegram (%s); thử lại sau %.0f giây.", describe_error(exc), delay)
                await self.stop()
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_SECONDS)

    async def process(self, data: object) -> Verdict:
        """One update POSTed by Telegram to the webhook (server.py checks path and secret).
        Handled at most once, one update of a chat at a time (``gate``), with the chat's state
        written back before the chat is let go when replicas share it. ``Verdict.BUSY``: it is
        being handled elsewhere now; the route answers 503 and Telegram sends it again."""
        update = Update.de_json(data, self.application.bot)
        chat = update.effective_chat
        async with self.gate.handle(update.update_id, chat.id if chat else None) as verdict:
            if verdict is not Verdict.NEW:
                return verdict
            if self.shared and chat is not None:
                await refresh_conversations(self.application, self.application.persistence, chat.id)
            await self.application.process_update(update)
            if self.shared:  # the next update of this chat may reach another replica
                await self.application.update_persistence()
        return verdict

    async def stop(self) -> None:
        """Stop polling, finish what is running, write the state to disk. Safe to call twice."""
        app = self.application
        self.running = False
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()  # flushes the persistence; a no-op when never initialized
        await self.gate.close()
        if self.redis is not None:
            await self.redis.aclose()
        voice, waiters = app.bot_data.get("voice"), app.bot_data.pop("voice_waiters", None)
        if waiters is not None:
            waiters.shutdown(wait=False, cancel_futures=True)
        if voice is not None:
            voice.close()  # its recognition thread ends; the engine stays loaded for the process


def _polling_error(error: TelegramError) -> None:
    # PTB's default logs the whole exception; this keeps one line that names no one
    log.warning("Lỗi khi nhận tin từ Telegram: %s", describe_error(error))
