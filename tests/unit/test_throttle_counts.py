"""Request counters in memory: one window per key, starting again once it ended, swept now and then."""

from __future__ import annotations

import threading

from backrest.throttle import counts
from backrest.throttle.counts import MemoryCounts


def test_counts_within_a_window(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(counts.time, "monotonic", lambda: clock[0])
    counter = MemoryCounts()
    assert [counter.incr("a", 60) for _ in range(3)] == [1, 2, 3]
    assert counter.incr("b", 60) == 1
    clock[0] += 59.9
    assert counter.incr("a", 60) == 4
    clock[0] += 0.1
    assert counter.incr("a", 60) == 1  # the window of the first increment has ended


def test_ended_windows_are_swept(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(counts.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(counts, "SWEEP_EVERY", 10)
    counter = MemoryCounts()
    for number in range(5):
        counter.incr(f"gone {number}", 1)
    clock[0] = 2.0
    for _ in range(5):
        counter.incr("staying", 60)
    assert set(counter._counts) == {"staying"}


def test_counting_from_threads_loses_nothing():
    counter = MemoryCounts()

    def count() -> None:
        for _ in range(1000):
            counter.incr("shared", 60)

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter.incr("shared", 60) == 8001


def test_reset_forgets_every_count():
    counter = MemoryCounts()
    counter.incr("a", 60)
    counter.reset()
    assert counter.incr("a", 60) == 1


def test_an_amount_counts_up_or_down(monkeypatch):
    monkeypatch.setattr(counts.time, "monotonic", lambda: 100.0)
    counter = MemoryCounts()
    assert counter.incr("a", 60, 3) == 3
    assert counter.incr("a", 60, -1) == 2
    assert counter.incr("new", 60, -1) == -1


def test_the_expiry_is_when_the_window_of_the_first_increment_ends(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(counts.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(counts.time, "time", lambda: 1_000_000.0 + clock[0])
    counter = MemoryCounts()
    counter.incr("a", 60)
    clock[0] += 10
    counter.incr("a", 60)
    assert counter.get_expiry("a") == 1_000_160.0
    assert counter.get_expiry("unknown") == 1_000_110.0


def test_clear_forgets_one_count():
    counter = MemoryCounts()
    counter.incr("a", 60)
    counter.incr("b", 60)
    counter.clear("a")
    counter.clear("never counted")
    assert counter.incr("a", 60) == 1
    assert counter.incr("b", 60) == 2
