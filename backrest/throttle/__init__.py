"""Rate limits by named scope, counted per key (a client address, an account).

The counting is the ``limits`` library's, kept in memory in one process.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import limits
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from backrest.errors import http_error

if TYPE_CHECKING:
    from pyramid.config import Configurator
    from pyramid.httpexceptions import HTTPException

SCOPES = (
    "login",
    "login_failures",
    "login_account",
    "signup",
    "signup_account",
    "reset",
    "reset_account",
    "resend",
    "resend_account",
)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: float
    """When the window frees a slot, in seconds since the epoch."""

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.reset - time.time()))

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset)),
        }


def key_of(*parts: str) -> str:
    """A counter key that keeps addresses and emails out of the storage."""
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


class Throttle:
    def __init__(self, rates: dict[str, str], storage_uri: str = "memory://") -> None:
        self.rates = {scope: limits.parse(rate) for scope, rate in rates.items()}
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def _decision(self, scope: str, key: str, *, allowed: bool) -> Decision:
        rate = self.rates[scope]
        stats = self.limiter.get_window_stats(rate, scope, key)
        return Decision(allowed, rate.amount, stats.remaining, stats.reset_time)

    def hit(self, scope: str, key: str) -> Decision:
        """Count one event; the decision says whether it was within the rate."""
        allowed = self.limiter.hit(self.rates[scope], scope, key)
        return self._decision(scope, key, allowed=allowed)

    def test(self, scope: str, key: str) -> Decision:
        """Would one more event be within the rate? Counts nothing."""
        allowed = self.limiter.test(self.rates[scope], scope, key)
        return self._decision(scope, key, allowed=allowed)

    def used(self, scope: str, key: str) -> int:
        return self.rates[scope].amount - self._decision(scope, key, allowed=True).remaining

    def clear(self, scope: str, key: str) -> None:
        self.limiter.clear(self.rates[scope], scope, key)


def too_many(decision: Decision, name: str) -> HTTPException:
    return http_error(
        429,
        "request",
        name,
        f"Too many attempts; try again in {decision.retry_after} seconds.",
        headers={"Retry-After": str(decision.retry_after), **decision.headers()},
    )


def includeme(config: Configurator) -> None:
    settings: dict[str, Any] = config.get_settings()
    config.registry["throttle"] = Throttle(
        {scope: settings[f"backrest.throttle.{scope}"] for scope in SCOPES}
    )
