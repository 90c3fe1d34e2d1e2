"""Where rate counters live: this process's memory, or a Redis that every process shares.

Redis going away never fails a request, as with the page cache
(:mod:`backrest.content.redis_cache`): counting moves to this process's
memory until Redis answers again. Refusing every request instead (failing
closed) would turn a Redis outage into an outage of the whole site, which
throttling is there to prevent; allowing every request uncounted (failing
open) would lift the brute-force protection of logins for as long as the
outage lasts. Counted in memory, each process still holds every limit, so
the site as a whole allows at most one limit per process.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Protocol, TypeVar

from backrest.throttle.counts import MemoryCounts

if TYPE_CHECKING:
    from collections.abc import Callable

    from limits.storage import Storage
    from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

T = TypeVar("T")

TIMEOUT = 1.0
"""Seconds to wait for Redis to connect or answer, as for the page cache."""
RETRY_DELAY = 1.0
"""Seconds between attempts to reach Redis again after it failed; meanwhile counting stays in memory."""


class Incrementing(Protocol):
    """Counters with an expiry: ``limits``' Redis storage, or :class:`MemoryCounts`."""

    def incr(self, key: str, expiry: int, amount: int = 1) -> int: ...

    def get_expiry(self, key: str) -> float: ...

    def clear(self, key: str) -> None: ...


class Counters:
    """A ``limits`` storage, the moving-window limiter over it, and where requests are counted.

    The storage is made, and ``limits`` imported, when first used: a process
    that counts requests in its own memory and never checks a password
    never loads that library (see :mod:`backrest.rate`).
    """

    def __init__(self, make_storage: Callable[[], Storage], counts: Incrementing | None = None) -> None:
        self._make_storage = make_storage
        self._counts = counts
        self._made: tuple[Storage, MovingWindowRateLimiter] | None = None
        self._lock = threading.Lock()

    def _storage_and_limiter(self) -> tuple[Storage, MovingWindowRateLimiter]:
        if self._made is None:
            with self._lock:
                if self._made is None:
                    from limits.strategies import MovingWindowRateLimiter  # noqa: PLC0415

                    storage = self._make_storage()
                    self._made = (storage, MovingWindowRateLimiter(storage))
        return self._made

    @property
    def storage(self) -> Storage:
        return self._storage_and_limiter()[0]

    @property
    def moving(self) -> MovingWindowRateLimiter:
        return self._storage_and_limiter()[1]

    @property
    def counts(self) -> Incrementing:
        """Where requests and failures are counted: Redis itself, or this process's :class:`MemoryCounts`."""
        return self.storage if self._counts is None else self._counts


def _memory_storage() -> Storage:
    from limits.storage import MemoryStorage  # noqa: PLC0415

    return MemoryStorage()


def _redis_storage(redis_url: str) -> Storage:
    from limits.storage import storage_from_string  # noqa: PLC0415

    return storage_from_string(
        redis_url, wrap_exceptions=True, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
    )


class ThrottleStorage:
    """The counters in Redis (at ``redis_url``), or in memory when there is none or it does not answer."""

    def __init__(self, redis_url: str = "") -> None:
        self.memory_counts = MemoryCounts()
        self.local = Counters(_memory_storage, self.memory_counts)
        self.shared = self.local
        if redis_url:
            # Made at start, so that a storage that cannot be made stops the
            # start; nothing connects yet: a service may start while Redis is down.
            redis = _redis_storage(redis_url)
            self.shared = Counters(lambda: redis)
        self._retry_at: float | None = None
        """While the shared storage is down: when to try it again."""

    def run(self, operation: Callable[[Counters], T]) -> T:
        """``operation`` on the shared counters, or on this process's while they do not answer."""
        if self.shared is self.local:
            return operation(self.local)
        from limits.errors import StorageError  # noqa: PLC0415 - loaded with the Redis storage

        retry_at = self._retry_at
        if retry_at is None or time.monotonic() >= retry_at:
            try:
                result = operation(self.shared)
            except StorageError as error:
                if retry_at is None:
                    log.warning(
                        "rate limits are counted in this process until Redis answers again: %s", error
                    )
                self._retry_at = time.monotonic() + RETRY_DELAY
            else:
                if retry_at is not None:
                    log.info("Redis answers again: rate limits are counted there")
                    self._retry_at = None
                return result
        return operation(self.local)

    def works(self) -> bool:
        """Whether the shared storage answers (always, for memory)."""
        return self.shared is self.local or self.shared.storage.check()

    def reset(self) -> None:
        """Forget every counter."""
        self.run(lambda counters: counters.storage.reset())
        self.local.storage.reset()
        self.memory_counts.reset()
