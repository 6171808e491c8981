"""Per-key request budgets ("30 questions a minute per client"), on the ``limits`` package.

A moving window, kept in the storage a URI names: ``memory://`` (this process only) or
``redis://host:port`` (shared by every replica of the service; needs the ``redis`` package).
Keys are whatever a face counts by: a client address, a chat. Nothing here knows HTTP or
Telegram, and nothing here logs: keys may identify people.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerSecond
from limits.errors import ConfigurationError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from ..errors import ConfigError

MINUTE = 60


class RateLimiter:
    """``hit(key, per_minute)``: counts one request and says whether it is allowed and, when
    not, how many seconds until it would be. ``window_seconds`` is a minute except in tests."""

    def __init__(self, storage_uri: str = "memory://", window_seconds: int = MINUTE) -> None:
        try:
            storage = storage_from_string(storage_uri)
        except ConfigurationError as exc:
            # e.g. redis:// without the redis package, or an unknown scheme; the URI may hold a password
            raise ConfigError(f"Không dùng được nơi lưu giới hạn yêu cầu {_shown(storage_uri)} (rate_limit_storage): {exc}") from None
        if not storage.check():  # a Redis that does not answer: say so at start, not on every request
            raise ConfigError(f"Không kết nối được nơi lưu giới hạn yêu cầu {_shown(storage_uri)} (rate_limit_storage).")
        self._limiter = MovingWindowRateLimiter(storage)
        self.window_seconds = window_seconds

    def hit(self, key: str, per_minute: int) -> tuple[bool, int]:
        """(True, 0) if allowed; (False, seconds to wait) once ``per_minute`` is spent."""
        item = RateLimitItemPerSecond(per_minute, self.window_seconds)
        if self._limiter.hit(item, key):
            return True, 0
        reset_at = self._limiter.get_window_stats(item, key).reset_time
        return False, max(1, math.ceil(reset_at - time.time()))


def _shown(uri: str) -> str:
    """The URI's scheme only: the rest may hold a password."""
    return f"'{uri.split(':', 1)[0]}://…'"
