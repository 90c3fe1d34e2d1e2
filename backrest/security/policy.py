"""The security policy: who the caller is and which principals they hold.

The caller is whom the first credential source that answers names (see
:mod:`backrest.security.sources`): the sources of the request's
``Authorization`` scheme when it sends that header, else the others (a body
field, then the session cookie). Credentials that are sent must be good: a
refused one, or a scheme no source reads, is a 401, never an anonymous
caller. Cookie-authenticated unsafe requests need the session's CSRF token;
requests that send their credentials do not, since a browser never adds them
by itself.
"""

from __future__ import annotations

from hmac import compare_digest
from typing import TYPE_CHECKING, Any

from pyramid.authorization import ACLHelper

from backrest.errors import http_error
from backrest.security.authorization import authorization_scheme
from backrest.security.identity import IDENTITY_KEY, Identity, principals, set_identity
from backrest.security.permissions import ScopeDenied
from backrest.security.sources import CredentialError, credential_sources

if TYPE_CHECKING:
    from pyramid.events import ContextFound
    from pyramid.request import Request


class SecurityPolicy:
    def identity(self, request: Request) -> Identity | None:
        """Found once per request attempt: Pyramid asks again for every check.

        Bad credentials raise a 401 at the first question only; the
        answers after it (the error views') are "anonymous".
        """
        attempt, identity = request.environ.get(IDENTITY_KEY, (None, None))
        if IDENTITY_KEY not in request.environ or attempt != request.environ.get("retry.attempt"):
            set_identity(request, None)
            identity = self._load_identity(request)
            set_identity(request, identity)
        return identity

    def _load_identity(self, request: Request) -> Identity | None:
        sources = credential_sources(request.registry)
        scheme = authorization_scheme(request)
        if scheme is not None and sources.leaves_to_view(request):
            return None
        try:
            for source in sources.reading(scheme):
                identity = source.identify(request)
                if identity is not None:
                    return identity
        except CredentialError as error:
            raise http_error(
                401,
                error.location,
                error.name,
                str(error),
                headers={"WWW-Authenticate": sources.challenge(error)},
            ) from error
        if scheme is not None:
            raise http_error(
                401,
                "header",
                "Authorization",
                sources.unsupported(scheme),
                headers={"WWW-Authenticate": sources.header_challenge},
            )
        return None

    def authenticated_userid(self, request: Request) -> str | None:
        identity = request.identity
        return identity.user_id if identity else None

    def permits(self, request: Request, context: Any, permission: str) -> Any:
        identity = request.identity
        refusal = identity.scope_denies(permission) if identity else None
        if refusal is not None:
            return ScopeDenied(refusal)
        return ACLHelper().permits(context, principals(identity), permission)

    def remember(self, request: Request, userid: str, **kw: Any) -> list[tuple[str, str]]:
        return []

    def forget(self, request: Request, **kw: Any) -> list[tuple[str, str]]:
        return []


def judge_credentials(event: ContextFound) -> None:
    """Judge the credentials a request sends before any view runs.

    A view that never asks who the caller is would otherwise take a request
    with a wrong key as an anonymous one.
    """
    request = event.request
    if "HTTP_AUTHORIZATION" in request.environ or credential_sources(request.registry).may_carry(request):
        request.identity  # noqa: B018 - raises the 401 of bad credentials


def is_cookie_authenticated(request: Request) -> bool:
    identity = request.identity
    return identity is not None and identity.session_id is not None


class SessionCSRFStoragePolicy:
    """The CSRF token lives on the server-side session."""

    def new_csrf_token(self, request: Request) -> str:
        return self.get_csrf_token(request)

    def get_csrf_token(self, request: Request) -> str:
        identity = request.identity
        return identity.csrf_token if identity else ""

    def check_csrf_token(self, request: Request, supplied_token: str) -> bool:
        expected = self.get_csrf_token(request)
        return bool(expected) and compare_digest(expected.encode(), supplied_token.encode())
