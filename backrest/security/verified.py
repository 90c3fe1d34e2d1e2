"""Acts that bind an address to more than a login need that address confirmed.

An unconfirmed account may be a stranger's, made with someone else's
address: what it may not do is leave anything behind (a key, a team
membership, an OAuth grant) that would keep acting once the address's
real owner takes the account over by a password reset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest.errors import http_error

if TYPE_CHECKING:
    from pyramid.request import Request

UNCONFIRMED = "Confirm your email address first (POST /-/confirm/resend sends a new link)."


def require_verified_email(request: Request) -> None:
    """Raise a 403 named ``email_verified`` when the caller's address is unconfirmed."""
    identity = request.identity
    user = identity.user if identity is not None else None
    if user is not None and not user.email_verified:
        raise http_error(403, "request", "email_verified", UNCONFIRMED)
