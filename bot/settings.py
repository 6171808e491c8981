"""The bot's section of config.toml, ``[telegram]``: registered with the library's settings,
so ``settings.telegram`` is this model wherever the bot is imported. The token and the
webhook secret come from the environment (credentials.py), never from this file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from retrieval.settings import SettingsSection, register_section

SECTION = "telegram"
BotMode = Literal["polling", "webhook"]


class TelegramSettings(SettingsSection):
    """The Telegram bot (bot/). It runs only when $TELEGRAM_BOT_TOKEN is set; the token and the
    webhook secret come from the environment, never from this file."""

    mode: BotMode = Field("polling", description='How the bot receives messages: "polling" (long polling: no public address needed) or "webhook" (Telegram POSTs them to server.py at a secret path under webhook_url).')
    api_base_url: str = Field("https://api.telegram.org/bot", description="Bot API address the token is appended to: Telegram's, a self-hosted telegram-bot-api server's, or a test fake.")
    file_base_url: str = Field("https://api.telegram.org/file/bot", description="Bot API address for file downloads, the token appended the same way.")
    webhook_url: str = Field("", description="Public https address of this server as Telegram reaches it (https://tro-ly.example.gov.vn); the bot adds its secret path. Required in webhook mode.")
    questions_per_minute: int = Field(10, ge=1, description="Questions (and /tim searches) one chat may send per minute; past that the bot says once, politely, how long to wait.")
    state_dir: Path = Field(Path("state"), description="Folder for what survives a restart: the bot's per-chat state (previous question, source buttons, question times, a /kiemtra check under way). Never committed; keep it private.")
    save_state_seconds: float = Field(10.0, gt=0, description="How often per-chat state is written to state_dir (and always at shutdown): a crash loses at most this much.")
    example_questions: list[str] = Field(
        default_factory=lambda: [
            "Hộ nghèo được vay vốn ưu đãi ở đâu?",
            "Ai tham gia giám sát việc bình xét hộ nghèo?",
            "Mục tiêu giảm tỷ lệ hộ nghèo đến năm 2025 là bao nhiêu?",
        ],
        min_length=1,
        max_length=5,
        description="Example questions offered as buttons under /start (the documents should answer them).",
    )

    @model_validator(mode="after")
    def _webhook_needs_an_address(self) -> "TelegramSettings":
        if self.mode == "webhook" and not self.webhook_url.startswith(("https://", "http://")):
            raise ValueError('mode = "webhook" needs webhook_url: the public https address of this server')
        if any(not q.strip() or len(q) > 200 for q in self.example_questions):
            raise ValueError("example_questions must be non-empty and at most 200 characters each")
        return self


register_section(SECTION, TelegramSettings)
