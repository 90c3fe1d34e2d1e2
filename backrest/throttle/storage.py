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
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from backrest.throttle.counts import MemoryCounts

if TYPE_CHECKING:
    from collections.abc import Callable

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


@dataclass(frozen=True)
class Counters:
    """One storage, the moving-window limiter over it, and where requests are counted."""

    storage: Storage
    moving: MovingWindowRateLimiter
    counts: Incrementing
    """Where requests and failures are counted: Redis itself, or this process's :class:`MemoryCounts`."""

    @classmethod
    def on(cls, storage: Storage, counts: Incrementing | None = None) -> Counters:
        return cls(storage, MovingWindowRateLimiter(storage), storage if counts is None else counts)


class ThrottleStorage:
    """The counters in Redis (at ``redis_url``), or in memory when there is none or it does not answer."""

    def __init__(self, redis_url: str = "") -> None:
        self.memory_counts = MemoryCounts()
        self.local = Counters.on(MemoryStorage(), self.memory_counts)
        self.shared = self.local
        if redis_url:
            # Nothing connects yet: a service may start while Redis is down.
            redis = storage_from_string(
                redis_url, wrap_exceptions=True, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
            )
            self.shared = Counters.on(redis)
        self._retry_at: float | None = None
        """While the shared storage is down: when to try it again."""

    def run(self, operation: Callable[[Counters], T]) -> T:
        """``operation`` on the shared counters, or on this process's while they do not answer."""
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
        return self.shared.storage.check()

    def reset(self) -> None:
        """Forget every counter."""
        self.run(lambda counters: counters.storage.reset())
        self.local.storage.reset()
        self.memory_counts.reset()
