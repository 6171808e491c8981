"""A per-chat limit on questions: a sliding window over wall-clock times.

Wall-clock (epoch) seconds rather than a monotonic clock, because the window is part of the
chat's persisted state and must mean the same thing after a restart. A clock that jumped
backwards cannot lock a chat out: times in the future are dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

WINDOW_SECONDS = 60.0


class Verdict(Enum):
    ALLOWED = "allowed"
    LIMITED = "limited"  # refused: tell the user how long to wait
    LIMITED_QUIETLY = "limited_quietly"  # refused again in the same stretch: say nothing more


@dataclass
class QuestionWindow:
    """The times of one chat's recent questions and until when it has been told to wait."""

    times: list[float] = field(default_factory=list)
    told_until: float = 0.0

    def admit(self, now: float, limit: int, window: float = WINDOW_SECONDS) -> tuple[Verdict, int]:
        """Record a question if allowed. Returns the verdict and, when refused, the seconds to wait."""
        self.times = [t for t in self.times if now - window < t <= now + 1.0]
        if len(self.times) < limit:
            self.times.append(now)
            return Verdict.ALLOWED, 0
        free_at = self.times[0] + window
        wait = max(1, math.ceil(free_at - now))
        if self.told_until > now:
            return Verdict.LIMITED_QUIETLY, wait
        # one polite message per stretch: repeating it to every extra message would be a flood too
        self.told_until = free_at
        return Verdict.LIMITED, wait
