"""The bot's secrets, from the environment only.

- ``TELEGRAM_BOT_TOKEN``: the bot's token (from @BotFather). Unset: no bot, web only.
- ``TELEGRAM_WEBHOOK_SECRET`` (webhook mode, optional): the value Telegram sends in
  ``X-Telegram-Bot-Api-Secret-Token``; 1-256 of ``A-Z a-z 0-9 _ -``. Unset: derived from the
  token (HMAC-SHA256), so it changes when the token does and needs no storage.

The webhook path is derived from the secret, so it is not guessable either; it is not the
secret itself, because paths end up in proxies' logs.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from retrieval import ConfigError

TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
WEBHOOK_SECRET_ENV = "TELEGRAM_WEBHOOK_SECRET"
WEBHOOK_PREFIX = "/telegram/"
_SECRET_CHARS = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class Credentials:
    token: str = field(repr=False)
    webhook_secret: str = field(repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Credentials | None":
        """None when no token is set."""
        env = os.environ if environ is None else environ
        token = env.get(TOKEN_ENV, "").strip()
        if not token:
            return None
        return cls.from_token(token, env.get(WEBHOOK_SECRET_ENV, "").strip() or None)

    @classmethod
    def from_token(cls, token: str, webhook_secret: str | None = None) -> "Credentials":
        if webhook_secret is None:
            webhook_secret = hmac.new(token.encode(), b"tro-ly-giam-ngheo webhook secret", hashlib.sha256).hexdigest()
        elif not _SECRET_CHARS.fullmatch(webhook_secret):
            raise ConfigError(f"{WEBHOOK_SECRET_ENV} chỉ được gồm 1-256 ký tự A-Z, a-z, 0-9, _ và -.")
        return cls(token, webhook_secret)

    @property
    def webhook_path(self) -> str:
        """'/telegram/<32 hex>': where server.py receives updates in webhook mode."""
        return WEBHOOK_PREFIX + hashlib.sha256(b"path:" + self.webhook_secret.encode()).hexdigest()[:32]

    def webhook_url(self, public_base: str) -> str:
        return public_base.rstrip("/") + self.webhook_path

    def secret_matches(self, header: str | None) -> bool:
        return header is not None and hmac.compare_digest(header.encode(), self.webhook_secret.encode())
