"""A rate as the settings write it, ``N/period``: ``60/hour``, ``5/15minutes``, ``10 per day``.

Read here rather than by ``limits``: importing that library loads every
storage it supports, synchronous and asynchronous, 1.5 MB of memory in every
process, while most processes only count requests in their own memory
(:mod:`backrest.throttle.counts`). ``limits`` loads with the first moving
window (:attr:`Rate.item`), or at start where Redis holds the counters.
The notation, the periods and the counters' names are that library's, so a
Redis shared with its counters holds the same keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from limits import RateLimitItem

PERIODS = {
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "month": 30 * 86400,
    "year": 360 * 86400,
}
"""Seconds in each period a rate may name; a month is 30 days, a year 12 months, as in ``limits``."""
NOTATION = re.compile(
    rf"\s*(?P<amount>[0-9]+)\s*(?:/|per)\s*(?P<multiples>[0-9]+)?\s*(?P<period>{'|'.join(PERIODS)})s?\s*",
    re.IGNORECASE,
)
NAMESPACE = "LIMITER"


@dataclass(frozen=True)
class Rate:
    """At most ``amount`` events in ``multiples`` of a ``period`` (a key of :data:`PERIODS`)."""

    amount: int
    multiples: int = 1
    period: str = "second"

    @classmethod
    def parse(cls, text: str) -> Rate:
        """The rate ``text`` writes; a :class:`ValueError` when it writes none or more than one."""
        match = NOTATION.fullmatch(text)
        multiples = match and int(match["multiples"] or 1)
        if not multiples:
            msg = f"must be one rate like 60/hour or 5/15minutes, not {text!r}"
            raise ValueError(msg)
        return cls(int(match["amount"]), multiples, match["period"].lower())

    def __str__(self) -> str:
        if self.multiples == 1:
            return f"{self.amount}/{self.period}"
        return f"{self.amount}/{self.multiples}{self.period}s"

    @property
    def seconds(self) -> int:
        """How long the window of this rate lasts."""
        return PERIODS[self.period] * self.multiples

    def key(self, *parts: str) -> str:
        """The name of a counter of this rate for ``parts`` (a scope, a caller)."""
        return "/".join((NAMESPACE, *parts, str(self.amount), str(self.multiples), self.period))

    @cached_property
    def item(self) -> RateLimitItem:
        """The same rate as ``limits`` holds it, for its moving windows; imports ``limits`` when first asked.

        Two threads asking at once may each make one: they are equal, and hold no state.
        """
        import limits  # noqa: PLC0415

        return limits.parse(str(self))
