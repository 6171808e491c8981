"""The rate limiter both faces count requests with (``limits``' moving window): a budget per
key, the wait until the oldest request leaves the window, storage in memory or in Redis."""

from __future__ import annotations

import time

import pytest

from retrieval import ConfigError, RateLimiter
from support.live import free_port
from support.redis import redis_server


def test_a_budget_per_key_and_the_wait_when_it_is_spent():
    limiter = RateLimiter()
    assert limiter.hit("ask:10.0.0.1", 2) == (True, 0)
    assert limiter.hit("ask:10.0.0.1", 2) == (True, 0)
    allowed, wait = limiter.hit("ask:10.0.0.1", 2)
    assert not allowed and 59 <= wait <= 60
    assert limiter.hit("ask:10.0.0.2", 2) == (True, 0)  # another client
    assert limiter.hit("search:10.0.0.1", 2) == (True, 0)  # another bucket


def test_the_window_moves():
    limiter = RateLimiter(window_seconds=2)
    assert limiter.hit("k", 1)[0]
    time.sleep(1.0)
    allowed, wait = limiter.hit("k", 1)
    assert not allowed and wait == 1  # the first request leaves the window in about a second
    time.sleep(1.2)
    assert limiter.hit("k", 1) == (True, 0)


@pytest.mark.parametrize("uri", ["bogus://x", "redis+nothing://", "redis://:s3cret@127.0.0.1:{free_port}"], ids=["unknown scheme", "no host", "nobody listening"])
def test_an_unusable_storage_is_a_config_error(uri):
    uri = uri.format(free_port=free_port())  # chosen when run: the same test ids in every worker
    with pytest.raises(ConfigError, match="rate_limit_storage") as refused:
        RateLimiter(uri)
    assert "s3cret" not in str(refused.value)


def test_redis_storage_is_shared_by_every_limiter_on_it(tmp_path):
    """Two replicas of a service: one budget per client between them."""
    with redis_server(tmp_path) as url:
        first, second = RateLimiter(url), RateLimiter(url)
        assert first.hit("ask:10.0.0.1", 2) == (True, 0)
        assert second.hit("ask:10.0.0.1", 2) == (True, 0)
        allowed, wait = first.hit("ask:10.0.0.1", 2)
        assert not allowed and 59 <= wait <= 60
        assert not second.hit("ask:10.0.0.1", 2)[0]
        assert second.hit("ask:10.0.0.2", 2) == (True, 0)
