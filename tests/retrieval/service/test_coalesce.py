"""Concurrent callers share batches: every caller gets its own result, errors stay with
their item, and at most the given number of batches (one by default) compute at a time."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from retrieval.service.coalesce import Coalescer


class Recorder:
    """A batch function that is slow enough for callers to pile up, and notes what it saw."""

    def __init__(self, delay: float = 0.05) -> None:
        self.delay = delay
        self.batches: list[tuple[object, list[int]]] = []
        self.running = 0
        self.most_running = 0
        self._lock = threading.Lock()

    def __call__(self, key, items: list[int]) -> list[str]:
        with self._lock:
            self.running += 1
            self.most_running = max(self.most_running, self.running)
            self.batches.append((key, list(items)))
        time.sleep(self.delay)
        with self._lock:
            self.running -= 1
        if any(i < 0 for i in items):
            raise ValueError("negative")
        return [f"{key}:{i}" for i in items]


def run_concurrently(coalescer: Coalescer, calls: list[tuple[object, int]]) -> list:
    def one(call):
        key, item = call
        try:
            return coalescer.submit(key, item)
        except ValueError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def test_a_lone_caller_gets_its_batch_of_one_at_once():
    recorder = Recorder(delay=0)
    coalescer = Coalescer(recorder)
    assert coalescer.submit("ask", 7) == "ask:7"
    assert coalescer.submit("ask", 8) == "ask:8"
    assert recorder.batches == [("ask", [7]), ("ask", [8])]


def test_concurrent_callers_share_batches_and_each_gets_its_own_result():
    recorder = Recorder()
    coalescer = Coalescer(recorder)
    calls = [("ask", i) for i in range(24)]
    assert run_concurrently(coalescer, calls) == [f"ask:{i}" for i in range(24)]
    assert len(recorder.batches) < 24  # some batched together
    assert sorted(i for _, items in recorder.batches for i in items) == list(range(24))  # each computed once
    assert recorder.most_running == 1


def test_batches_hold_one_kind_of_request_and_respect_the_size_limit():
    recorder = Recorder()
    coalescer = Coalescer(recorder, max_batch=4)
    calls = [("ask" if i % 2 else ("search", 5), i) for i in range(20)]
    results = run_concurrently(coalescer, calls)
    assert results == [f"{key}:{i}" for key, i in calls]
    for key, items in recorder.batches:
        assert len(items) <= 4
        assert all((i % 2 == 1) == (key == "ask") for i in items)


def test_a_failing_item_fails_alone():
    recorder = Recorder()
    coalescer = Coalescer(recorder)
    calls = [("ask", i) for i in (1, 2, -3, 4, 5, 6)]
    results = run_concurrently(coalescer, calls)
    assert isinstance(results[2], ValueError)
    assert [r for r in results if not isinstance(r, ValueError)] == ["ask:1", "ask:2", "ask:4", "ask:5", "ask:6"]
    with pytest.raises(ValueError):
        coalescer.submit("ask", -1)
    assert coalescer.submit("ask", 9) == "ask:9"  # still serving after errors


@pytest.mark.parametrize("max_running", [1, 2, 3])
def test_at_most_max_running_batches_compute_at_once_and_every_caller_is_served(max_running):
    recorder = Recorder(delay=0.01)
    coalescer = Coalescer(recorder, max_batch=3, max_running=max_running)
    calls = [(("ask", "search", "other")[i % 3], i) for i in range(90)]
    assert run_concurrently(coalescer, calls) == [f"{key}:{i}" for key, i in calls]
    assert sorted(i for _, items in recorder.batches for i in items) == list(range(90))  # each computed once
    assert 1 <= recorder.most_running <= max_running
    assert coalescer.submit("ask", 1000) == "ask:1000"  # idle again: a lone caller computes at once
