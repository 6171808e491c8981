"""Concurrent callers share batches.

Embedding eight questions in one batch costs about half as much as embedding them one by one
on a CPU, and two batches computing at once on a 2-core machine only slow each other down.
So every call from every thread (web requests, bot updates) goes through one queue: the first
caller to find no batch running computes one, for itself and whoever is waiting with the same
kind of request; callers arriving meanwhile wait, and the next of them computes the next batch.
A lone caller pays nothing: it computes its own batch of one at once.
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
    with other items of the same key that were waiting. One batch computes at a time."""

    def __init__(self, run: Callable[[Hashable, list[Item]], Sequence[Result]], max_batch: int = 16) -> None:
        self._run = run
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._waiting: list[_Slot[Item]] = []
        self._busy = False

    def submit(self, key: Hashable, item: Item) -> Result:
        slot = _Slot(key, item)
        with self._lock:
            self._waiting.append(slot)
            leads = not self._busy
            self._busy = True
        while True:
            if not leads:
                slot.done.wait()
                slot.done.clear()
                if not slot.leads:
                    break
            self._compute_next_batch()
            leads = False
            if slot.done.is_set() and not slot.leads:
                break
        if slot.error is not None:
            raise slot.error
        return slot.result

    def _compute_next_batch(self) -> None:
        with self._lock:
            key = self._waiting[0].key
            batch = [s for s in self._waiting if s.key == key][: self._max_batch]
            self._waiting = [s for s in self._waiting if s not in batch]
        try:
            self._fill(batch)
        except BaseException as exc:  # interrupted: every caller of the batch learns it
            for slot in batch:
                slot.error = exc
            raise
        finally:
            # whatever happened, the next waiting caller computes, and this batch's callers wake
            with self._lock:
                if self._waiting:
                    successor = self._waiting[0]
                    successor.leads = True
                    successor.done.set()
                else:
                    self._busy = False
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
