"""bot/limits.py: the per-chat sliding window, told once per stretch."""

import pytest

from bot.limits import QuestionWindow, Verdict


def test_allows_up_to_the_limit_then_tells_once_then_stays_quiet():
    window = QuestionWindow()
    assert [window.admit(100.0 + i, limit=3)[0] for i in range(3)] == [Verdict.ALLOWED] * 3
    assert window.admit(103.0, limit=3) == (Verdict.LIMITED, 57)
    assert window.admit(110.0, limit=3) == (Verdict.LIMITED_QUIETLY, 50)
    assert window.admit(159.5, limit=3) == (Verdict.LIMITED_QUIETLY, 1)
    # the first question leaves the window at 160: room for one more
    assert window.admit(160.0, limit=3) == (Verdict.ALLOWED, 0)
    assert window.admit(160.5, limit=3) == (Verdict.LIMITED, 1)


@pytest.mark.parametrize(
    ("times", "now", "verdict"),
    [
        ([], 0.0, Verdict.ALLOWED),
        ([10.0, 20.0], 69.0, Verdict.LIMITED),  # both still in the last 60 s
        ([10.0, 20.0], 70.0, Verdict.ALLOWED),  # the first has left
        ([5000.0, 5001.0], 100.0, Verdict.ALLOWED),  # clock went back: future times are dropped
    ],
)
def test_window(times, now, verdict):
    assert QuestionWindow(list(times)).admit(now, limit=2)[0] is verdict
