"""What counting answers: allowed or not, the ``X-RateLimit-*`` headers, the 429."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from backrest.errors import http_error

if TYPE_CHECKING:
    from pyramid.httpexceptions import HTTPException


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


def too_many(decision: Decision, name: str, what: str = "attempts") -> HTTPException:
    """The 429 of a refused ``decision``: ``Retry-After`` and the ``X-RateLimit-*`` headers."""
    return http_error(
        429,
        "request",
        name,
        f"Too many {what}; try again in {decision.retry_after} seconds.",
        headers={"Retry-After": str(decision.retry_after), **decision.headers()},
    )
