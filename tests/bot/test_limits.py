"""bot/limits.py: a chat's budget on the library's RateLimiter, told once per stretch."""

import time

import pytest

from bot.limits import ChatLimit, QuestionWindow, Verdict
from bot.state import ChatState
from retrieval import RateLimiter


@pytest.fixture
def limit() -> ChatLimit:
    return ChatLimit(RateLimiter(window_seconds=60), per_minute=3)


def test_allows_up_to_the_limit_then_tells_once_then_stays_quiet(limit):
    state = ChatState({})
    assert [limit.admit(1, state, now=100.0)[0] for _ in range(3)] == [Verdict.ALLOWED] * 3
    verdict, wait = limit.admit(1, state, now=100.0)
    assert verdict is Verdict.LIMITED and 55 <= wait <= 60
    assert state.told_until == 100.0 + wait
    assert limit.admit(1, state, now=110.0)[0] is Verdict.LIMITED_QUIETLY
    # past the stretch it was told about, a refused chat is told again
    assert limit.admit(1, state, now=100.0 + wait + 1)[0] is Verdict.LIMITED


def test_each_chat_has_its_own_budget(limit):
    for _ in range(3):
        limit.admit(1, ChatState({}))
    assert limit.admit(1, ChatState({}))[0] is Verdict.LIMITED
    assert limit.admit(2, ChatState({}))[0] is Verdict.ALLOWED


def test_the_budget_comes_back_when_the_window_moves():
    limit = ChatLimit(RateLimiter(window_seconds=1), per_minute=1)
    state = ChatState({})
    assert limit.admit(7, state)[0] is Verdict.ALLOWED
    assert limit.admit(7, state)[0] is Verdict.LIMITED
    time.sleep(1.1)
    assert limit.admit(7, state)[0] is Verdict.ALLOWED


@pytest.mark.parametrize(
    ("told_until", "now", "verdict"),
    [
        (0.0, 1000.0, Verdict.LIMITED),  # never told
        (1030.0, 1000.0, Verdict.LIMITED_QUIETLY),  # told, still in that stretch
        (999.0, 1000.0, Verdict.LIMITED),  # that stretch is over
        (5000.0, 1000.0, Verdict.LIMITED),  # the clock went back: not silent for longer than a window
    ],
)
def test_told_once_per_stretch(limit, told_until, now, verdict):
    for _ in range(3):
        limit.admit(9, ChatState({}), now=now)
    assert limit.admit(9, ChatState({"told_until": told_until}), now=now)[0] is verdict


def test_an_earlier_release_s_window_in_a_chat_s_state_is_dropped():
    state = ChatState({"window": QuestionWindow([1.0, 2.0], 3.0), "history": ["q"]})
    assert state.told_until == 0.0 and "window" not in state.data and state.history == ["q"]
