"""Device cookies: a browser that logged in to an account before says so, and keeps a budget of its own.

OWASP's answer to one account's password guessed from many addresses
("Slow down online guessing attacks with device cookies"): the clients that
have no device cookie for the account share one budget of failures, which an
attack spends; each of the owner's devices has a budget of its own, so that
the owner still logs in (see :mod:`backrest.throttle.guesses`).

A cookie names the account and carries a random nonce, signed (HMAC) with
``backrest.throttle.device_secret``: it cannot be made up, nor moved to
another account. The nonce is what the device's failures are counted by, so
a device that fails too often is locked out on its own. Each login gives a
new one; logging out keeps it, as the device stays the owner's.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from webob.cookies import SignedSerializer

if TYPE_CHECKING:
    from pyramid.request import Request
    from pyramid.response import Response

COOKIE = "backrest_device"
MAX_AGE = 365 * 24 * 3600
"""A device stays known for a year after its last login."""
SALT = "backrest.throttle.device"
"""Keeps these signatures apart from any other use of the secret."""
NONCE_BYTES = 16


class DeviceCookies:
    """Signs and reads device cookies with one secret."""

    def __init__(self, secret: str, *, secure: bool) -> None:
        self.serializer = SignedSerializer(secret, SALT, hashalg="sha256")
        self.secure = secure

    def value_for(self, user_id: str) -> str:
        """A new cookie value for a device of ``user_id``, with a nonce of its own."""
        return self.serializer.dumps([user_id, secrets.token_urlsafe(NONCE_BYTES)]).decode("ascii")

    def nonce(self, value: str, user_id: str) -> str | None:
        """The nonce of ``value`` if it is a cookie signed here for ``user_id``; otherwise ``None``."""
        try:
            named, nonce = self.serializer.loads(value)
        except (ValueError, TypeError):
            return None  # Tampered with, signed with another secret, or not a cookie of ours at all.
        return nonce if named == user_id else None


def trusted_device(request: Request, user_id: str | None) -> str | None:
    """The nonce of the request's device cookie if it is a valid one for ``user_id``."""
    value = request.cookies.get(COOKIE)
    if not value or user_id is None:
        return None
    cookies: DeviceCookies = request.registry["device_cookies"]
    return cookies.nonce(value, user_id)


def remember_device(request: Request, user_id: str) -> None:
    """Send a new device cookie for ``user_id`` with the answer to ``request``."""
    cookies: DeviceCookies = request.registry["device_cookies"]
    value = cookies.value_for(user_id)

    def set_cookie(request: Request, response: Response) -> None:
        response.set_cookie(
            COOKIE,
            value,
            max_age=MAX_AGE,
            # Only the calls that check a password need it.
            path=f"{request.script_name}/-/",
            secure=cookies.secure,
            httponly=True,
            samesite="Lax",
        )

    request.add_response_callback(set_cookie)
