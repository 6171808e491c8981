"""Concurrent callers share batches.

Every call from every thread (web requests, bot updates) goes through one queue: a caller that
finds fewer than ``max_running`` batches computing computes one, for itself and whoever is
waiting with the same kind of request; callers arriving meanwhile wait, and when a batch ends
the first of them computes the next. A lone caller pays nothing: it computes its own batch of
one at once. With torch, two batches computing at once on a 2-core machine only slowed each
other down, so one ran at a time; with onnxruntime (threads that sleep when idle) the Assistant
lets two run, so one batch's question encoding overlaps the other's Python answer step.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(eq=False)
class _Slot(Generic[Item]):
    key: Hashable
    item: Item
    done: threading.Event = field(default_factory=threading.Event)
    leads: bool = False  # woken to compute the next batch rather than with a result
    result: Any = None
    error: BaseException | None = None


class Coalescer(Generic[Item, Result]):
    """``submit(key, item)`` returns ``run(key, items)[i]`` for its item, computed in a batch
    with other items of the same key that were waiting. At most ``max_running`` batches
    compute at a time."""

    def __init__(self, run: Callable[[Hashable, list[Item]], Sequence[Result]], max_batch: int = 16, max_running: int = 1) -> None:
        self._run = run
        self._max_batch = max_batch
        self._max_running = max_running
        self._lock = threading.Lock()
        self._waiting: list[_Slot[Item]] = []
        self._running = 0

    def submit(self, key: Hashable, item: Item) -> Result:
        slot = _Slot(key, item)
        with self._lock:
            self._waiting.append(slot)
            if self._running < self._max_running:
                self._running += 1
                slot.leads = True
        if not slot.leads:
            slot.done.wait()  # until a batch computed its item, or it is asked to compute one
        if slot.leads:
            self._compute_batch_of(slot)
        if slot.error is not None:
            raise slot.error
        return slot.result

    def _compute_batch_of(self, leader: _Slot[Item]) -> None:
        """The leader's item with the waiting items of its kind (none asked to lead a batch of
        their own); then the first caller still waiting leads the next batch."""
        with self._lock:
            mates = [s for s in self._waiting if s is not leader and s.key == leader.key and not s.leads]
            batch = [leader, *mates[: self._max_batch - 1]]
            taken = {id(s) for s in batch}
            self._waiting = [s for s in self._waiting if id(s) not in taken]
        try:
            self._fill(batch)
        except BaseException as exc:  # interrupted: every caller of the batch learns it
            for slot in batch:
                slot.error = exc
            raise
        finally:
            # whatever happened, the next waiting caller computes, and this batch's callers wake
            with self._lock:
                successor = next((s for s in self._waiting if not s.leads), None)
                if successor is not None:
                    successor.leads = True
                else:
                    self._running -= 1
            if successor is not None:
                successor.done.set()
            for slot in batch:
                slot.leads = False
                slot.done.set()

    def _fill(self, batch: list[_Slot[Item]]) -> None:
        try:
            results = self._run(batch[0].key, [s.item for s in batch])
        except Exception as exc:  # noqa: BLE001 - handed to the callers, who raise it
            if len(batch) == 1:
                batch[0].error = exc
                return
            # one bad item must not fail the others: each is computed again, alone
            for slot in batch:
                self._fill([slot])
            return
        for slot, result in zip(batch, results, strict=True):
            slot.result = result
