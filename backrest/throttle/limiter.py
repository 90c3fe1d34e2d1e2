"""Counting events per key (a client address, an account) against a rate, with the ``limits`` library.

Two ways of counting, on the same storage:

- the brute-force scopes (``login``, ``signup``...) use moving windows: any
  stretch of 15 minutes holds at most 5 failed logins. They cost two or three
  storage round trips, on the few requests that try a password or send mail;
- every request is counted in a fixed window with :meth:`Throttle.count`, in
  one round trip: an increment, whose answer is the count. Measured on Redis
  over loopback, it costs 144 µs; a moving or sliding window's hit and then
  its statistics (for the headers) 340-380 µs; ``limits``' own fixed window,
  which reads the count and the expiry back, 390 µs. In memory, a dict
  entry (:mod:`backrest.throttle.counts`). A moving window also keeps one
  entry per request (2000 per user and hour), a fixed window one number per
  caller. A fixed window lets a caller
  spend two windows' worth around a window's end, which a limit on requests
  can afford.
"""

from __future__ import annotations

import hashlib
import math
import time
import zlib
from typing import TYPE_CHECKING

from backrest.throttle.decision import Decision
from backrest.throttle.storage import ThrottleStorage

if TYPE_CHECKING:
    from collections.abc import Mapping

    from limits import RateLimitItem

    from backrest.throttle.storage import Counters


def key_of(*parts: str) -> str:
    """A counter key that keeps addresses and emails out of the storage."""
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


class Throttle:
    """Counters for named scopes, in one storage (see :mod:`backrest.throttle.storage`)."""

    def __init__(self, rates: Mapping[str, RateLimitItem], storage: ThrottleStorage | None = None) -> None:
        self.rates = dict(rates)
        """The brute-force scopes' rates, by name."""
        self.storage = storage or ThrottleStorage()

    # Brute-force scopes: moving windows.

    def _decision(self, counters: Counters, scope: str, key: str, *, allowed: bool | None = None) -> Decision:
        rate = self.rates[scope]
        stats = counters.moving.get_window_stats(rate, scope, key)
        allowed = stats.remaining > 0 if allowed is None else allowed
        return Decision(allowed, rate.amount, stats.remaining, stats.reset_time)

    def hit(self, scope: str, key: str) -> Decision:
        """Count one event; the decision says whether it was within the rate."""
        rate = self.rates[scope]

        def hit(counters: Counters) -> Decision:
            allowed = counters.moving.hit(rate, scope, key)
            return self._decision(counters, scope, key, allowed=allowed)

        return self.storage.run(hit)

    def test(self, scope: str, key: str) -> Decision:
        """Would one more event be within the rate? Counts nothing."""
        return self.storage.run(lambda counters: self._decision(counters, scope, key))

    def used(self, scope: str, key: str) -> int:
        return self.rates[scope].amount - self.test(scope, key).remaining

    def clear(self, scope: str, key: str) -> None:
        rate = self.rates[scope]
        self.storage.run(lambda counters: counters.moving.clear(rate, scope, key))

    # Requests: fixed windows.

    def count(self, scope: str, rate: RateLimitItem, key: str) -> Decision:
        """Count one request of ``key`` in ``scope``, limited to ``rate``: one storage round trip.

        The window's end is computed, not stored: the counter's name holds
        the window's number. Each key's windows start at their own second
        (from a checksum of the key), so the callers refused in one window
        do not all come back at the same moment.
        """
        period = rate.get_expiry()
        now = time.time()
        start = zlib.crc32(key.encode()) % period
        window = int((now - start) // period)
        reset = start + (window + 1) * period
        counter = rate.key_for(scope, key, str(window))
        expiry = max(1, math.ceil(reset - now))
        used = self.storage.run(lambda counters: counters.counts.incr(counter, expiry))
        return Decision(used <= rate.amount, rate.amount, max(0, rate.amount - used), reset)

    def reset(self) -> None:
        """Forget every counter."""
        self.storage.reset()
