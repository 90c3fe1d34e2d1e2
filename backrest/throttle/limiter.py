"""Counting events per key (a client address, an account) against a rate, with the ``limits`` library.

Three ways of counting, on the same storage:

- the brute-force scopes that count requests (``login``, ``signup``...) use
  moving windows, :meth:`Throttle.hit`: any stretch of a minute holds at
  most 30 login requests of one client. They cost two or three storage round
  trips, on the few requests that try a password or send mail;
- password checks are counted before they are made, :meth:`Throttle.attempt`:
  one increment, whose answer decides. A test, then the check, then an
  increment would let many concurrent guesses all pass the test. A right
  password then gives its attempt back (:meth:`Throttle.refund`) or clears
  the client's failures (:meth:`Throttle.clear`), which a moving window
  cannot do. A counter's window opens at its first attempt and lasts the
  rate's period: five failures in a row wait 15 minutes from the first;
- every request is counted in a fixed window with :meth:`Throttle.count`, in
  one round trip: an increment, whose answer is the count. Measured on Redis
  over loopback, it costs 144 µs; a moving or sliding window's hit and then
  its statistics (for the headers) 340-380 µs; ``limits``' own fixed window,
  which reads the count and the expiry back, 390 µs. In memory, a dict
  entry (:mod:`backrest.throttle.counts`). A moving window also keeps one
  entry per request (2000 per user and hour), a fixed window one number per
  caller.

A window that is not moving lets a caller spend two windows' worth around a
window's end. A limit on requests can afford it, and so can a budget of
guesses: over a day, they still come to a day's worth of the rate, and one
window's more at most.
"""

from __future__ import annotations

import hashlib
import math
import time
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from backrest.throttle.decision import Decision
from backrest.throttle.storage import ThrottleStorage

if TYPE_CHECKING:
    from collections.abc import Mapping

    from backrest.rate import Rate
    from backrest.throttle.storage import Counters


GIVEN_BACK_EXPIRY = 1
"""Seconds a counter lives when giving an attempt back creates it (its window ended meanwhile): at -1."""


@dataclass(frozen=True)
class Attempt:
    """An attempt counted by :meth:`Throttle.attempt`, and what was decided."""

    scope: str
    key: str
    decision: Decision


def key_of(*parts: str) -> str:
    """A counter key that keeps addresses and emails out of the storage."""
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


class Throttle:
    """Counters for named scopes, in one storage (see :mod:`backrest.throttle.storage`)."""

    def __init__(self, rates: Mapping[str, Rate], storage: ThrottleStorage | None = None) -> None:
        self.rates = dict(rates)
        """The brute-force scopes' rates, by name."""
        self.storage = storage or ThrottleStorage()

    # Brute-force scopes on requests: moving windows.

    def hit(self, scope: str, key: str) -> Decision:
        """Count one event; the decision says whether it was within the rate (if not, it is not counted)."""
        rate = self.rates[scope]

        def hit(counters: Counters) -> Decision:
            allowed = counters.moving.hit(rate.item, scope, key)
            stats = counters.moving.get_window_stats(rate.item, scope, key)
            return Decision(allowed, rate.amount, stats.remaining, stats.reset_time)

        return self.storage.run(hit)

    # Password checks: counted before they are made.

    def attempt(self, scope: str, key: str) -> Attempt:
        """Count an attempt about to be made, and judge it by the count: refused ones are not counted.

        Concurrent attempts each get a count of their own from the storage's
        increment, so no more than the rate's amount get through.
        """
        rate = self.rates[scope]
        counter = rate.key(scope, key)

        def attempt(counters: Counters) -> tuple[int, float]:
            used = counters.counts.incr(counter, rate.seconds)
            if used > rate.amount:
                counters.counts.incr(counter, GIVEN_BACK_EXPIRY, -1)
            return used, counters.counts.get_expiry(counter)

        used, reset = self.storage.run(attempt)
        return Attempt(
            scope, key, Decision(used <= rate.amount, rate.amount, max(0, rate.amount - used), reset)
        )

    def refund(self, attempt: Attempt) -> None:
        """Uncount an attempt that turned out not to be a failure; the others stay counted."""
        counter = self.rates[attempt.scope].key(attempt.scope, attempt.key)
        self.storage.run(lambda counters: counters.counts.incr(counter, GIVEN_BACK_EXPIRY, -1))

    def clear(self, scope: str, key: str) -> None:
        """Forget every attempt of ``key`` in ``scope``."""
        counter = self.rates[scope].key(scope, key)
        self.storage.run(lambda counters: counters.counts.clear(counter))

    # Requests: fixed windows.

    def count(self, scope: str, rate: Rate, key: str) -> Decision:
        """Count one request of ``key`` in ``scope``, limited to ``rate``: one storage round trip.

        The window's end is computed, not stored: the counter's name holds
        the window's number. Each key's windows start at their own second
        (from a checksum of the key), so the callers refused in one window
        do not all come back at the same moment.
        """
        period = rate.seconds
        now = time.time()
        start = zlib.crc32(key.encode()) % period
        window = int((now - start) // period)
        reset = start + (window + 1) * period
        counter = rate.key(scope, key, str(window))
        expiry = max(1, math.ceil(reset - now))
        used = self.storage.run(lambda counters: counters.counts.incr(counter, expiry))
        return Decision(used <= rate.amount, rate.amount, max(0, rate.amount - used), reset)

    def reset(self) -> None:
        """Forget every counter."""
        self.storage.reset()
