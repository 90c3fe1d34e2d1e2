"""Sensitive actions need a recent password check in the session."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from backrest.db import utcnow
from backrest.errors import http_error
from backrest.security.sources import credential_sources

if TYPE_CHECKING:
    from pyramid.request import Request


def password_check_is_recent(request: Request) -> bool:
    """Whether the session's last password check is younger than ``backrest.reauth.max_age``."""
    max_age = timedelta(seconds=request.registry.settings["backrest.reauth.max_age"])
    return utcnow() - request.identity.session.authenticated <= max_age


def require_recent_password(request: Request) -> None:
    """Raise a 401 named ``reauthentication`` when the session's password check is too old.

    Only sessions are judged by age: a request authenticated by a key or a
    token is judged by its scope instead.
    """
    identity = request.identity
    if identity is None or identity.session is None:
        return
    if not password_check_is_recent(request):
        raise http_error(
            401,
            "request",
            "reauthentication",
            "Confirm your password first (PUT /-/reauthenticate).",
            headers={"WWW-Authenticate": credential_sources(request.registry).site_challenge},
        )
