"""Fixed-window request counters in this process's memory.

Written here rather than taken from ``limits``: its ``MemoryStorage``
starts a timer thread whenever the last one (10 ms) has run, and that
thread scans every key. Counting every request that way cost 0.3 ms of a
1.6 ms item GET in one process (``benchmarks/run.py --throttle memory``
against ``--throttle off``). Here a counter is a dict entry: a window that
has ended starts again from zero when it is counted, and a sweep now and
then drops the counters of callers who did not come back.
"""

from __future__ import annotations

import threading
import time

SWEEP_EVERY = 10_000
"""Increments between two sweeps of the ended windows."""


class MemoryCounts:
    """Counters as Redis's, which ``limits``' Redis storage gives the same methods.

    ``incr(key, expiry)`` is ``INCRBY`` with an expiry set by the first
    increment, ``get_expiry`` when the counter ends, ``clear`` a ``DEL``.
    """

    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()
        self._increments = 0

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Count ``amount`` more (or fewer) for ``key``; answers the count in its window."""
        now = time.monotonic()
        with self._lock:
            count, ends = self._counts.get(key, (0, now))
            if ends <= now:
                count, ends = 0, now + expiry
            count += amount
            self._counts[key] = (count, ends)
            self._increments += 1
            if self._increments >= SWEEP_EVERY:
                self._counts = {name: entry for name, entry in self._counts.items() if entry[1] > now}
                self._increments = 0
        return count

    def get_expiry(self, key: str) -> float:
        """When ``key``'s window ends, in seconds since the epoch (now if it has no window)."""
        now = time.monotonic()
        with self._lock:
            _, ends = self._counts.get(key, (0, now))
        return time.time() + max(0.0, ends - now)

    def clear(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
