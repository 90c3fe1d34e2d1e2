"""Password checks, counted before they are made against the budgets of whoever makes them.

Every check of an account's password (a login, the ``current`` or
``password`` field of a call that takes one, HTTP Basic with a password) may
be a guess until it succeeds. It is counted first and judged by the count
(:meth:`~backrest.throttle.limiter.Throttle.attempt`); a right password then
takes its count back.

Whose budgets, after OWASP's device cookies (:mod:`backrest.throttle.devices`):

- a device that logged in to the account before counts against its own
  budget, ``login_device``, and nothing else: an attack on the account never
  locks the owner's devices out;
- any other client counts against its own budget for the account,
  ``login_failures`` (per account and client address), and against the one
  budget that all of them share for the account, ``login_account``. Guessing
  from many addresses ends there: once it is spent, clients without a device
  cookie are refused for that account until it frees up. That is the price of
  the bound: the owner on a new device waits too, while the account is
  under attack.

Unknown and known accounts are counted alike, so that the answers tell
nothing about which addresses have an account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from backrest.throttle.clients import client_key
from backrest.throttle.devices import trusted_device
from backrest.throttle.limiter import key_of

if TYPE_CHECKING:
    from pyramid.request import Request

    from backrest.throttle.decision import Decision
    from backrest.throttle.limiter import Attempt, Throttle

SHARED = "login_account"
"""The budget that a right password gives its attempt back to, rather than clearing: others' failures stay."""


@dataclass(frozen=True)
class Guess:
    """A password check about to be made: counted against its budgets, or refused."""

    throttle: Throttle
    attempts: tuple[Attempt, ...]
    refusal: Decision | None
    """The decision of the budget that refused the check; ``None`` if it may be made."""

    def spent(self) -> list[str]:
        """The budgets whose last attempt this check took: a failure locks them."""
        return [attempt.scope for attempt in self.attempts if attempt.decision.remaining == 0]

    def succeeded(self) -> None:
        """A right password was no guess: the client's failures are forgotten, the shared budget refunded."""
        for attempt in self.attempts:
            if attempt.scope == SHARED:
                self.throttle.refund(attempt)
            else:
                self.throttle.clear(attempt.scope, attempt.key)


def count_guess(request: Request, account: str, user_id: str | None) -> Guess:
    """Count a check of the password of ``account`` (an email; ``user_id`` if it exists) from ``request``.

    A refused check counts against nothing: a client refused by the shared
    budget keeps its own.
    """
    throttle: Throttle = request.registry["throttle"]
    device = trusted_device(request, user_id)
    if device is not None:
        budgets = [("login_device", key_of(device))]
    else:
        account = account.strip().lower()
        client = client_key(request.client_addr or "")
        budgets = [("login_failures", key_of(account, client)), (SHARED, key_of(account))]
    attempts: list[Attempt] = []
    for scope, key in budgets:
        attempt = throttle.attempt(scope, key)
        if not attempt.decision.allowed:
            for counted in attempts:
                throttle.refund(counted)
            return Guess(throttle, (), attempt.decision)
        attempts.append(attempt)
    return Guess(throttle, tuple(attempts), None)
