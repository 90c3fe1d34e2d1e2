"""The page cache in Redis, shared by every process that serves the site.

Redis going away never fails a request: lists are read from the database
until it answers again. A process that finds it failing says so once in its
log, leaves it alone for :data:`RETRY_DELAY`, then tries it again at its next
list or write, as the rate limits do (:mod:`backrest.throttle.storage`).

A write while Redis does not answer cannot advance its collection's
generation, and Redis may come back still holding pages made before that
write: it was out of reach, not emptied, or it restarted from its disk. So
every key also holds the site's *epoch*, and a process that found Redis
failing advances it once Redis answers again, before it uses the cache: no
page made before the outage is answered again, by any process. The process
that wrote is one of those; so is every process that served a list
meanwhile. A process that had nothing to do with the cache during the outage
may answer such a page until one of them has reached Redis again (at its next
list or write), and at most for ``backrest.cache.ttl`` seconds.
"""

from __future__ import annotations

import logging
import threading
import time

import redis

log = logging.getLogger(__name__)

TIMEOUT = 1.0
"""Seconds to wait for Redis to connect or answer."""
RETRY_DELAY = 1.0
"""Seconds a process leaves Redis alone after it failed, as the rate limits do."""
EPOCH = "backrest:epoch"


class RedisCache:
    """A cache shared by every process that serves the site."""

    def __init__(self, url: str, ttl: int) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
        self.ttl = ttl
        self._retry_at: float | None = None
        """While Redis is failing: when to try it again."""
        self._lock = threading.Lock()

    def generation(self, collection: str) -> str | None:
        if not self._available():
            return None
        try:
            epoch, generation = self.client.mget(EPOCH, f"backrest:generation:{collection}")
        except redis.RedisError as error:
            self._failed(error)
            return None
        return f"{int(epoch or 0)}.{int(generation or 0)}"

    def advance(self, collection: str) -> None:
        # Skipped while Redis is failing: the epoch advanced on its return covers this write.
        if self._available():
            try:
                self.client.incr(f"backrest:generation:{collection}")
            except redis.RedisError as error:
                self._failed(error)

    def get(self, key: str) -> bytes | None:
        if not self._available():
            return None
        try:
            return self.client.get(f"backrest:page:{key}")
        except redis.RedisError as error:
            self._failed(error)
            return None

    def set(self, key: str, value: bytes) -> None:
        if self._available():
            try:
                self.client.set(f"backrest:page:{key}", value, ex=self.ttl)
            except redis.RedisError as error:
                self._failed(error)

    def works(self) -> bool:
        """Whether Redis answers now, whatever this process found before."""
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False

    def _available(self) -> bool:
        """Whether to use Redis: while it answers, and after a failure once it has the epoch advanced."""
        if self._retry_at is None:
            return True
        with self._lock:
            if self._retry_at is None:
                return True
            now = time.monotonic()
            if now < self._retry_at:
                return False
            # This thread tries; the others keep away until the epoch has advanced.
            self._retry_at = now + RETRY_DELAY
        try:
            self.client.incr(EPOCH)
        except redis.RedisError:
            return False
        self._retry_at = None
        log.info("Redis answers again: the page cache starts afresh")
        return True

    def _failed(self, error: redis.RedisError) -> None:
        with self._lock:
            first = self._retry_at is None
            self._retry_at = time.monotonic() + RETRY_DELAY
        if first:
            log.warning(
                "the page cache in Redis does not answer, lists are read from the database until it does: %s",
                error,
            )
