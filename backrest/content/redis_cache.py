"""The page cache in Redis, shared by every process that serves the site."""

from __future__ import annotations

import contextlib
import logging

import redis

log = logging.getLogger(__name__)


class RedisCache:
    """A cache shared by every process that serves the site.

    Redis going away never fails a request: reads go to the database, and
    pages are cached again once Redis answers. A write that could not
    advance a generation clears the whole cache when Redis is back.
    """

    def __init__(self, url: str, ttl: int) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self.ttl = ttl
        self._missed_advance = False

    def generation(self, collection: str) -> int | None:
        try:
            if self._missed_advance:
                self.client.flushdb()
                self._missed_advance = False
            return int(self.client.get(f"backrest:generation:{collection}") or 0)
        except redis.RedisError:
            log.warning("the page cache in Redis does not answer: lists are read from the database")
            return None

    def advance(self, collection: str) -> None:
        try:
            self.client.incr(f"backrest:generation:{collection}")
        except redis.RedisError:
            self._missed_advance = True

    def get(self, key: str) -> bytes | None:
        try:
            return self.client.get(f"backrest:page:{key}")
        except redis.RedisError:
            return None

    def set(self, key: str, value: bytes) -> None:
        with contextlib.suppress(redis.RedisError):
            self.client.set(f"backrest:page:{key}", value, ex=self.ttl)
