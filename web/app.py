"""The application factory and its lifespan.

``create_app(settings)`` builds everything that depends on the configuration at once (CORS
origins, request limits, rate-limit storage, the admin routes, the metrics); nothing is loaded
then. The lifespan opens the Assistant once into ``app.state`` (unless one is given), counts its
answers in the metrics, reloads the index on SIGHUP (``reload.py``) and, when
$TELEGRAM_BOT_TOKEN is set, runs the Telegram bot beside the web service on the same event
loop: long polling, or webhook through ``routes/telegram.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware

from bot import Credentials, TelegramBot
from retrieval import Assistant, CheckForm, ConfigError, RateLimiter, Rebuilder, RetrievalError, Settings, load_standards

from . import metrics
from .errors import MSG_TOO_LARGE, install_error_handlers
from .middleware import AccessLogMiddleware, TooLargeInVietnamese
from .reload import install_sighup
from .routes import admin, ask, documents, eligibility, health, pages, report, search, telegram
from .schemas import request_models
from .settings import rate_limit_storage, server_settings

log = logging.getLogger("tro_ly.server")

WEB_DIR = Path(__file__).resolve().parent
# A question, ten history lines and JSON escaping fit well below this; the admin upload
# route allows more (routes/admin.py).
MAX_BODY_BYTES = 128 * 1024


def create_app(
    settings: Settings,
    assistant: Assistant | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    web_dir: Path = WEB_DIR,
    address: str | None = None,
) -> FastAPI:
    """The web service for ``settings``. ``assistant``: one already open (tests); otherwise
    the lifespan opens it. ``environ`` is where the secrets are read ($TELEGRAM_BOT_TOKEN at
    start-up, $TRO_LY_ADMIN_TOKEN now): ``os.environ`` for the real service; None (tests)
    means no bot and no admin API, whose routes then do not exist at all. ``address``: where
    the service listens, for the start-up log line. ConfigError for unusable settings."""
    unclaimed = settings.unclaimed_sections()
    if unclaimed:
        raise ConfigError(f"Tệp cấu hình có mục không ai dùng: {', '.join(f'[{name}]' for name in unclaimed)} (gõ nhầm tên mục?)")
    server = server_settings(settings)
    admin_token = _admin_token(environ or {})
    requests = request_models(server.max_question_chars, _form_in_force(settings))

    app = FastAPI(
        title="Trợ lý Giảm nghèo",
        version="1.0",
        summary="Hỏi đáp và tìm kiếm trong văn bản chính sách giảm nghèo bền vững.",
        lifespan=_lifespan(settings, environ, admin_token, address),
    )
    app.state.server = server
    app.state.assistant = assistant
    app.state.limiter = RateLimiter(rate_limit_storage(settings))
    app.state.bot = None
    app.state.rebuilder = None
    app.state.metrics = metrics.Metrics(app.state)

    # the last added runs first: the access log and the metrics see every response, CORS
    # headers go on errors too (the 413 of an over-long body included)
    app.add_middleware(TooLargeInVietnamese, detail=MSG_TOO_LARGE)
    app.add_middleware(CORSMiddleware, allow_origins=server.allowed_origins, allow_methods=["GET", "POST"], allow_headers=["Content-Type", ask.FACE_HEADER], max_age=600)
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(metrics.MetricsMiddleware, metrics=app.state.metrics)
    install_error_handlers(app)

    routers = [ask.build(requests), search.build(requests), eligibility.build(requests), documents.router, health.router, telegram.router, metrics.router]
    if admin_token is not None:
        routers += [admin.build(admin_token), report.build(admin_token)]
    for router in [*routers, pages.build(web_dir)]:
        # FastAPI's body limit, per router rather than on the app: the app-wide one would
        # answer outside the middleware above (no CORS headers on its 413)
        app.include_router(router, max_body_size=MAX_BODY_BYTES)
    app.mount("/static", pages.static_files(web_dir), name="static")
    return app


def _admin_token(environ: Mapping[str, str]) -> str | None:
    token = environ.get(admin.TOKEN_ENV) or None
    if token is not None and len(token) < admin.MIN_TOKEN_CHARS:
        raise ConfigError(f"{admin.TOKEN_ENV} phải dài ít nhất {admin.MIN_TOKEN_CHARS} ký tự (ví dụ: python -c 'import secrets; print(secrets.token_urlsafe(32))')")
    return token


def _form_in_force(settings: Settings) -> CheckForm | None:
    """The self-check as it stands when the app is built: its question ids go into the
    OpenAPI schema. None when the standards cannot be read (the lifespan then says why)."""
    try:
        standards = load_standards(settings.standards_path)
        return CheckForm.build(standards, settings.eligibility.as_of or date.today(), settings.eligibility.notice_days)
    except RetrievalError:
        return None


def _ensure_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _lifespan(settings: Settings, environ: Mapping[str, str] | None, admin_token: str | None, address: str | None):
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _ensure_logging()
        opened = False
        if app.state.assistant is None:
            try:
                app.state.assistant = await run_in_threadpool(Assistant.open, settings)
            except RetrievalError as exc:
                log.error("Không khởi động được trợ lý: %s", exc)
                raise
            opened = True
        info = app.state.assistant.info()
        app.state.assistant.add_listener(app.state.metrics.count_answer)
        remove_sighup = install_sighup(app)
        log.info("Sẵn sàng: %d văn bản, %d đoạn, mô hình %s%s", info.documents, info.passages, info.model, f" — {address}" if address else "")
        if admin_token is not None:
            app.state.rebuilder = Rebuilder(app.state.assistant, settings)
            app.state.rebuilder.start()  # the build worker loads the encoder now, not at the first upload
            log.info("API quản trị bật tại %s/ (cần mã quản trị)", admin.PREFIX)
        starter = _start_bot(app, settings, environ)
        try:
            yield
        finally:
            remove_sighup()
            await _stop_bot(app, starter)
            if app.state.rebuilder is not None:
                app.state.rebuilder.stop()
                app.state.rebuilder = None
            app.state.assistant.remove_listener(app.state.metrics.count_answer)
            if opened:
                app.state.assistant.records.close()
                app.state.assistant = None

    return lifespan


# -- the Telegram bot, hosted on the service's event loop ---------------------------------------
def _start_bot(app: FastAPI, settings: Settings, environ: Mapping[str, str] | None) -> asyncio.Task | None:
    """Build the bot when a token is set and start it in the background: the web service does
    not wait for Telegram, and a webhook can only be set once the server accepts POSTs."""
    try:
        credentials = Credentials.from_env(environ) if environ is not None else None
    except ConfigError as exc:
        log.error("Không khởi động được bot Telegram: %s", exc)
        raise
    if credentials is None:
        log.info("Chưa đặt TELEGRAM_BOT_TOKEN: chỉ chạy dịch vụ web, không có bot Telegram.")
        return None
    app.state.bot = TelegramBot.create(settings, app.state.assistant, credentials, observer=app.state.metrics)
    return asyncio.create_task(app.state.bot.start_with_retries(), name="telegram-bot-start")


async def _stop_bot(app: FastAPI, starter: asyncio.Task | None) -> None:
    bot: TelegramBot | None = app.state.bot
    if starter is not None:
        starter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await starter
    if bot is not None:
        app.state.bot = None
        await bot.stop()
