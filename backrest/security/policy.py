"""The security policy: who the caller is and which principals they hold.

Identities come from the session cookie (see :mod:`backrest.sessions`).
Cookie-authenticated unsafe requests need the session's CSRF token; requests
that authenticate with an ``Authorization`` header do not, since a browser
never adds one by itself.
"""

from __future__ import annotations

from hmac import compare_digest
from typing import TYPE_CHECKING, Any

from pyramid.authorization import ACLHelper

from backrest.accounts.models import User
from backrest.security.permissions import Principal, user_principal
from backrest.sessions.cookies import session_from_cookie
from backrest.sessions.models import UserSession

if TYPE_CHECKING:
    from pyramid.request import Request
    from sqlalchemy.orm import Session


class Identity:
    """The caller.

    What every request needs comes from the one query that finds the
    session: the user's id and role, the session's id and CSRF token. The
    user's and the session's rows are loaded when an account or session
    endpoint asks for them.
    """

    def __init__(
        self,
        user_id: str,
        is_admin: bool,
        session_id: str | None = None,
        csrf_token: str = "",
        dbsession: Session | None = None,
    ) -> None:
        self.user_id = user_id
        self.is_admin = is_admin
        self.session_id = session_id
        self.csrf_token = csrf_token
        self._dbsession = dbsession
        self._user: User | None = None
        self._session: UserSession | None = None

    @classmethod
    def of(cls, user: User, session: UserSession | None = None) -> Identity:
        """The identity of a user (and session) in hand, as after a login."""
        identity = cls(
            user.id, user.is_admin, session.id if session else None, session.csrf_token if session else ""
        )
        identity._user, identity._session = user, session
        return identity

    @property
    def user(self) -> User:
        if self._user is None:
            self._user = self._dbsession.get(User, self.user_id)
        return self._user

    @property
    def session(self) -> UserSession | None:
        if self._session is None and self.session_id is not None:
            self._session = self._dbsession.get(UserSession, self.session_id)
        return self._session

    @property
    def principals(self) -> list[str]:
        principals = [Principal.EVERYONE, Principal.AUTHENTICATED, user_principal(self.user_id)]
        if self.is_admin:
            principals.append(Principal.ADMIN)
        return principals


def principals(identity: Identity | None) -> list[str]:
    """The principals an ACL grants to: an anonymous caller is only ``Everyone``."""
    return identity.principals if identity else [Principal.EVERYONE]


IDENTITY_KEY = "backrest.identity"


def set_identity(request: Request, identity: Identity | None) -> None:
    """Make ``identity`` the caller for the rest of the request (after login or logout)."""
    # Kept with its attempt: pyramid_retry runs a request again on the same
    # environ, and the user loaded by an aborted attempt is detached.
    request.environ[IDENTITY_KEY] = (request.environ.get("retry.attempt"), identity)


class SecurityPolicy:
    def identity(self, request: Request) -> Identity | None:
        """Found once per request attempt: Pyramid asks again for every check."""
        attempt, identity = request.environ.get(IDENTITY_KEY, (None, None))
        if IDENTITY_KEY not in request.environ or attempt != request.environ.get("retry.attempt"):
            identity = self._load_identity(request)
            set_identity(request, identity)
        return identity

    def _load_identity(self, request: Request) -> Identity | None:
        found = session_from_cookie(request)
        if found is None:
            return None
        return Identity(found.user_id, found.is_admin, found.id, found.csrf_token, request.dbsession)

    def authenticated_userid(self, request: Request) -> str | None:
        identity = request.identity
        return identity.user_id if identity else None

    def permits(self, request: Request, context: Any, permission: str) -> Any:
        return ACLHelper().permits(context, principals(request.identity), permission)

    def remember(self, request: Request, userid: str, **kw: Any) -> list[tuple[str, str]]:
        return []

    def forget(self, request: Request, **kw: Any) -> list[tuple[str, str]]:
        return []


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
