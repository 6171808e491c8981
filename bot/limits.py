"""The per-chat limit on questions. The budget is counted by the library's ``RateLimiter``
(the ``limits`` package, as the web face's per-client budget: this process's memory, or
[state]'s Redis so that every replica counts the same chat once); what is the bot's own is
telling a chat to wait once per stretch of refusals, remembered in the chat's state."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum

from retrieval import RateLimiter

from .state import ChatState


class Verdict(Enum):
    ALLOWED = "allowed"
    LIMITED = "limited"  # refused: tell the user how long to wait
    LIMITED_QUIETLY = "limited_quietly"  # refused again in the same stretch: say nothing more


@dataclass
class ChatLimit:
    """``per_minute`` questions a chat may send; ``admit`` counts one."""

    limiter: RateLimiter
    per_minute: int

    def admit(self, chat_id: int, state: ChatState, now: float | None = None) -> tuple[Verdict, int]:
        """The verdict on one more question and, when refused, the seconds to wait."""
        allowed, wait = self.limiter.hit(f"telegram-chat:{chat_id}", self.per_minute)
        if allowed:
            return Verdict.ALLOWED, 0
        now = time.time() if now is None else now
        # wall-clock, as it is kept in the chat's persisted state; a clock that went back
        # cannot keep a chat silent for longer than one window
        if now < state.told_until <= now + self.limiter.window_seconds:
            return Verdict.LIMITED_QUIETLY, wait
        # one polite message per stretch: repeating it to every extra message would be a flood too
        state.told_until = now + wait
        return Verdict.LIMITED, wait


@dataclass
class QuestionWindow:
    """What earlier releases kept in a chat's state (their own sliding window). Kept only so
    that their pickled state files still load; ``ChatState`` drops it."""

    times: list[float] = field(default_factory=list)
    told_until: float = 0.0
