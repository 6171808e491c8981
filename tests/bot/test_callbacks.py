"""bot/callbacks.py: what buttons carry, always within Telegram's 64 bytes."""

import pytest

from bot.callbacks import ACTIONS, MAX_BYTES, AskExample, CheckStart, CheckStep, ShowSource, TypeAgain, Vote


def decode(data):
    """The one action whose pattern the data matches (the application routes by these patterns)."""
    matches = [parsed for action in ACTIONS if (parsed := action.parse(data)) is not None]
    assert len(matches) <= 1, "two actions claim the same data"
    return matches[0] if matches else None


@pytest.mark.parametrize(
    ("action", "data"),
    [
        (ShowSource(1, 1), "s:1:1"),
        (ShowSource(999_999_999_999, 999), "s:999999999999:999"),
        (Vote(12, 1), "v:12:1"),
        (Vote(12, -1), "v:12:-1"),
        (AskExample(0), "x:0"),
        (CheckStep(3, 5, "y"), "k:3:5:y"),
        (CheckStep(999_999_999_999, 999, "c"), "k:999999999999:999:c"),
        (CheckStep(1, 0, "r"), "k:1:0:r"),
        (CheckStart(), "k:s"),
        (TypeAgain(), "g"),
    ],
)
def test_round_trip(action, data):
    assert action.encode() == data
    assert decode(data) == action
    assert len(data.encode()) <= MAX_BYTES


@pytest.mark.parametrize("data", [None, "", "s:1", "s:a:1", "v:1:0", "v:1:2", "x:", "x:100", "s:1:1:1", " s:1:1", "q:1", "k:1:2", "k:1:2:x", "k:1:2:yy", "k:s:1", "k:", "g:", "gg"])
def test_foreign_data_is_ignored(data):
    assert decode(data) is None


def test_oversized_data_is_refused_before_telegram_sees_it():
    with pytest.raises(ValueError):
        ShowSource(10**70, 1).encode()
