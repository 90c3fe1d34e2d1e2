"""The page cache in Redis while Redis goes away and comes back: each cache here is one process's."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest
import redis

from backrest.content import redis_cache
from backrest.content.redis_cache import RETRY_DELAY, RedisCache


class SharedRedis:
    """The commands the cache sends, in memory, for every cache that shares it; ``down`` refuses them."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.down = False
        self.commands = 0

    def _command(self) -> None:
        self.commands += 1
        if self.down:
            msg = "Connection refused."
            raise redis.ConnectionError(msg)

    def mget(self, *keys: str) -> list[Any]:
        self._command()
        return [self.data.get(key) for key in keys]

    def incr(self, key: str) -> int:
        self._command()
        self.data[key] = int(self.data.get(key, 0)) + 1
        return self.data[key]

    def get(self, key: str) -> Any:
        self._command()
        return self.data.get(key)

    def set(self, key: str, value: bytes, ex: int) -> None:
        self._command()
        self.data[key] = value

    def ping(self) -> bool:
        self._command()
        return True


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """The caches' clock, which a test moves on by hand."""
    now = SimpleNamespace(seconds=1000.0)
    monkeypatch.setattr(redis_cache, "time", SimpleNamespace(monotonic=lambda: now.seconds))
    return now


@pytest.fixture
def shared() -> SharedRedis:
    return SharedRedis()


def process(shared: SharedRedis) -> RedisCache:
    cache = RedisCache("redis://127.0.0.1:1/0", ttl=60)
    cache.client = shared
    return cache


def test_a_page_made_before_an_outage_is_not_answered_after_it(shared, clock):
    writer, reader = process(shared), process(shared)
    before = reader.generation("documents")
    reader.set(f"documents:{before}", b"the page before the write")
    shared.down = True
    writer.advance("documents")  # the write commits, its generation cannot advance
    assert reader.generation("documents") is None  # the list is read from the database

    shared.down = False
    clock.seconds += RETRY_DELAY
    after = reader.generation("documents")
    assert after != before
    assert reader.get(f"documents:{after}") is None
    assert writer.generation("documents") not in {before, None}


def test_redis_is_left_alone_for_the_retry_delay(shared, clock):
    cache = process(shared)
    shared.down = True
    assert cache.generation("documents") is None
    assert shared.commands == 1
    cache.advance("documents")
    cache.set("page", b"page")
    assert (cache.generation("documents"), cache.get("page"), shared.commands) == (None, None, 1)
    clock.seconds += RETRY_DELAY
    assert cache.generation("documents") is None
    assert shared.commands == 2


def test_an_outage_is_logged_once_and_so_is_the_return(shared, clock, caplog):
    cache = process(shared)
    caplog.set_level(logging.INFO, logger=redis_cache.__name__)
    shared.down = True
    for _ in range(3):
        cache.generation("documents")
        clock.seconds += RETRY_DELAY
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert "lists are read from the database until it does: Connection refused." in caplog.text

    shared.down = False
    for _ in range(3):
        assert cache.generation("documents") is not None
    assert [record.levelname for record in caplog.records] == ["WARNING", "INFO"]
    assert "Redis answers again" in caplog.records[-1].message


def test_the_heartbeat_sees_redis_whatever_the_cache_found_before(shared, clock):
    cache = process(shared)
    shared.down = True
    cache.generation("documents")
    assert cache.works() is False
    shared.down = False
    assert cache.works() is True
