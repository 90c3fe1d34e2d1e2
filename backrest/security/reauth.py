"""Sensitive actions need a recent password check in the session."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from backrest.db import utcnow
from backrest.errors import http_error
from backrest.security.sources import credential_sources

if TYPE_CHECKING:
    from pyramid.request import Request


def require_recent_password(request: Request) -> None:
    """Raise a 401 named ``reauthentication`` when the session's password check is too old.

    Only sessions are judged by age: a request authenticated by a key or a
    token is judged by its scope instead.
    """
    identity = request.identity
    if identity is None or identity.session is None:
        return
    max_age = timedelta(seconds=request.registry.settings["backrest.reauth.max_age"])
    if utcnow() - identity.session.authenticated > max_age:
        raise http_error(
            401,
            "request",
            "reauthentication",
            "Confirm your password first (PUT /-/reauthenticate).",
            headers={"WWW-Authenticate": credential_sources(request.registry).site_challenge},
        )
