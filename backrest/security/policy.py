"""The security policy: who the caller is and which principals they hold.

Identities come from credentials the request sends (an API key, see
:mod:`backrest.keys`), else from the session cookie (see
:mod:`backrest.sessions`). Cookie-authenticated unsafe requests need the
session's CSRF token; requests that send their credentials do not, since a
browser never adds them by itself.
"""

from __future__ import annotations

from hmac import compare_digest
from typing import TYPE_CHECKING, Any

from pyramid.authorization import ACLHelper

from backrest.accounts.models import User
from backrest.errors import WWW_AUTHENTICATE, http_error
from backrest.keys.authentication import Caller, authenticate, sent_credentials
from backrest.keys.credentials import CredentialError
from backrest.security.permissions import (
    Permission,
    Principal,
    ScopeDenied,
    grant_principal,
    principals,
    team_principal,
    user_principal,
)
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
        user_id: str | None,
        is_admin: bool,
        *,
        session_id: str | None = None,
        csrf_token: str = "",
        dbsession: Session | None = None,
        key_id: str | None = None,
        scopes: frozenset[str] | None = None,
        team_ids: tuple[str, ...] = (),
        grants: tuple[str, ...] = (),
    ) -> None:
        self.user_id = user_id
        """``None`` for a team's API key: it acts as the team (``team_ids``), nobody's own."""
        self.is_admin = is_admin
        self.session_id = session_id
        self.csrf_token = csrf_token
        self.key_id = key_id
        self.scopes = scopes
        """What an API key may do (``read``, ``write``); ``None`` for a session or a password."""
        self.team_ids = team_ids
        self.grants = grants
        """The permissions the caller's teams hold (``documents.view``...)."""
        self._dbsession = dbsession
        self._user: User | None = None
        self._session: UserSession | None = None

    @classmethod
    def of(cls, user: User, session: UserSession | None = None) -> Identity:
        """The identity of a user (and session) in hand, as after a login."""
        identity = cls(
            user.id,
            user.is_admin,
            session_id=session.id if session else None,
            csrf_token=session.csrf_token if session else "",
        )
        identity._user, identity._session = user, session
        return identity

    @classmethod
    def of_caller(cls, caller: Caller, dbsession: Session, **session: str) -> Identity:
        """The identity of whom credentials or a session cookie named."""
        return cls(
            caller.user_id,
            caller.is_admin,
            dbsession=dbsession,
            key_id=caller.key_id,
            scopes=caller.scopes,
            team_ids=caller.team_ids,
            grants=caller.grants,
            **session,
        )

    @property
    def user(self) -> User | None:
        if self._user is None and self.user_id is not None:
            self._user = self._dbsession.get(User, self.user_id)
        return self._user

    @property
    def session(self) -> UserSession | None:
        if self._session is None and self.session_id is not None:
            self._session = self._dbsession.get(UserSession, self.session_id)
        return self._session

    @property
    def actor(self) -> str:
        """Who acts, for the audit log: the user, or ``key:<id>`` for a team's key."""
        return self.user_id if self.user_id is not None else f"key:{self.key_id}"

    def scope_denies(self, permission: str) -> str | None:
        """Why this key's scopes refuse ``permission``, or ``None`` when they allow it.

        A key acts on content, never on the account that made it: a leaked
        key must not change the password, the address, or make more keys.
        """
        if self.scopes is None:
            return None
        if permission == Permission.ACCOUNT:
            return "API keys cannot manage the account or its keys; log in for that."
        needed = "read" if permission in {Permission.VIEW, Permission.IDENTITY} else "write"
        if needed in self.scopes:
            return None
        return f"This API key's scopes ({' '.join(sorted(self.scopes)) or 'none'}) do not include {needed}."

    @property
    def principals(self) -> list[str]:
        principals = [Principal.EVERYONE, Principal.AUTHENTICATED]
        if self.user_id is not None:
            principals.append(user_principal(self.user_id))
        if self.is_admin:
            principals.append(Principal.ADMIN)
        principals.extend(team_principal(team_id) for team_id in self.team_ids)
        principals.extend(grant_principal(permission) for permission in self.grants)
        return principals


IDENTITY_KEY = "backrest.identity"


def set_identity(request: Request, identity: Identity | None) -> None:
    """Make ``identity`` the caller for the rest of the request (after login or logout)."""
    # Kept with its attempt: pyramid_retry runs a request again on the same
    # environ, and the user loaded by an aborted attempt is detached.
    request.environ[IDENTITY_KEY] = (request.environ.get("retry.attempt"), identity)


def challenge(scheme: str) -> str:
    """The ``WWW-Authenticate`` of a refused credential: never ``Basic``.

    A browser that sees a Basic challenge prompts for a password and then
    sends it with every request to the site by itself, which would make
    those requests exempt from the CSRF check like any header credential.
    """
    return WWW_AUTHENTICATE if scheme == "Basic" else f'{scheme} realm="backrest"'


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
        try:
            credentials = sent_credentials(request)
            if credentials is not None:
                return Identity.of_caller(authenticate(request, credentials), request.dbsession)
        except CredentialError as error:
            raise http_error(
                401,
                error.location,
                error.name,
                str(error),
                headers={"WWW-Authenticate": challenge(error.scheme)},
            ) from error
        found = session_from_cookie(request)
        if found is None:
            return None
        return Identity.of_caller(
            Caller.of(found), request.dbsession, session_id=found.id, csrf_token=found.csrf_token
        )

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
