"""The session cookie as a credential source of the security policy (see :mod:`backrest.security.sources`).

It answers only requests that send no ``Authorization`` header, and after
the sources of credentials a request sends itself (a body field): those win
over the cookie a browser adds by itself. A cookie that names no live
session is an anonymous caller, never an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest.security.identity import row_loader
from backrest.security.sources import CredentialSource
from backrest.sessions.cookies import session_from_cookie
from backrest.sessions.models import UserSession
from backrest.teams.membership import caller_identity

if TYPE_CHECKING:
    from pyramid.request import Request

    from backrest.security.identity import Identity


class SessionCookie(CredentialSource):
    challenge = "Cookie"

    def identify(self, request: Request) -> Identity | None:
        found = session_from_cookie(request)
        if found is None:
            return None
        return caller_identity(
            request,
            found,
            session_id=found.id,
            csrf_token=found.csrf_token,
            load_session=row_loader(request, UserSession, found.id),
        )
