"""The web service's section of config.toml, ``[server]``: registered with the library's
settings, so ``settings.server`` is this model wherever the web face is imported."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from retrieval import Settings
from retrieval.settings import SettingsSection, register_section

SECTION = "server"


class ServerSettings(SettingsSection):
    host: str = Field("127.0.0.1", description="Address the web service listens on (0.0.0.0: every interface).")
    port: int = Field(8000, ge=0, le=65535, description="Port the web service listens on.")
    allowed_origins: list[str] = Field(default_factory=list, description="Origins (https://portal.example) whose pages may call the API from a browser: the sites that embed widget.js. Empty: no other site may.")
    ask_rate_per_minute: int = Field(30, ge=1, description="Questions (/api/ask) one client may send per minute; more get 429 with Retry-After.")
    search_rate_per_minute: int = Field(60, ge=1, description="Searches and self-check calls (/api/search, /api/eligibility, /api/eligibility/read) one client may send per minute; more get 429 with Retry-After.")
    max_question_chars: int = Field(1000, ge=1, description="Longer questions and search queries sent to the web API are refused.")
    rate_limit_storage: str = Field("", description='Where the per-client counts live. Empty: where [state] says (its Redis, shared by every replica, when redis_url is set; else this process). A storage URI of the limits package overrides it: "memory://" (this process), "redis://host:6379" (another Redis).')
    log_format: Literal["text", "json"] = Field("text", description='Log lines as "text" (one readable line each) or "json" (one JSON object per line, for a log collector); server.py --log-format overrides it. Neither carries question text, client addresses or chat ids.')

    @field_validator("rate_limit_storage")
    @classmethod
    def _a_uri(cls, value: str) -> str:
        if value and "://" not in value:
            raise ValueError('must be empty or a storage URI such as "memory://" or "redis://localhost:6379"')
        return value


register_section(SECTION, ServerSettings)


def server_settings(settings: Settings) -> ServerSettings:
    return settings.section(ServerSettings)


def rate_limit_storage(settings: Settings) -> str:
    """The limits storage the budgets are counted in: ``[server] rate_limit_storage`` when set,
    else [state]'s Redis when there is one, else this process's memory."""
    return server_settings(settings).rate_limit_storage or settings.redis_url or "memory://"
