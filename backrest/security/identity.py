"""The caller, whichever credentials named them, and the principals an ACL grants to.

An :class:`Identity` is what a credential source (:mod:`backrest.security.sources`)
answers. It holds what every request needs, read by the one query that found
the credentials; the rows behind it (the user's, the session's) are the
source's to load, on demand, so that this module needs no model and the
policy knows no product package.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from backrest.security.permissions import (
    Permission,
    Principal,
    grant_principal,
    team_principal,
    user_principal,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.request import Request

    Loader = Callable[[], Any]


class Identity:
    """The caller.

    What every request needs comes from the one query that finds the
    credentials: the user's id and role, their teams and grants, the
    session's id and CSRF token, the key's scopes. The user's and the
    session's rows are loaded by ``load_user`` and ``load_session`` when an
    account or session endpoint asks for them.
    """

    def __init__(
        self,
        user_id: str | None,
        is_admin: bool,
        *,
        session_id: str | None = None,
        csrf_token: str = "",
        key_id: str | None = None,
        scopes: frozenset[str] | None = None,
        scoped_by: str = "API key",
        team_ids: tuple[str, ...] = (),
        grants: tuple[str, ...] = (),
        load_user: Loader | None = None,
        load_session: Loader | None = None,
    ) -> None:
        self.user_id = user_id
        """``None`` for a team's API key: it acts as the team (``team_ids``), nobody's own."""
        self.is_admin = is_admin
        self.session_id = session_id
        """Set when the session cookie named the caller: their unsafe requests need ``csrf_token``."""
        self.csrf_token = csrf_token
        self.key_id = key_id
        self.scopes = scopes
        """What an API key or an OAuth access token may do (``read``, ``write``).

        ``None`` for a session or a password: they may do all the user may."""
        self.scoped_by = scoped_by
        """What holds the scopes, as errors name it: ``API key``, ``access token``."""
        self.team_ids = team_ids
        self.grants = grants
        """The permissions the caller's teams hold (``documents.view``...)."""
        self._load_user = load_user
        self._load_session = load_session
        self._user: Any = None
        self._session: Any = None

    @classmethod
    def of(cls, user: Any, session: Any = None) -> Identity:
        """The identity of a user (and session) in hand, as after a login."""
        identity = cls(
            user.id,
            user.is_admin,
            session_id=session.id if session else None,
            csrf_token=session.csrf_token if session else "",
        )
        identity._user, identity._session = user, session
        return identity

    @property
    def user(self) -> Any:
        """The user's row (``backrest.accounts.models.User``), ``None`` for a team's key."""
        if self._user is None and self.user_id is not None and self._load_user is not None:
            self._user = self._load_user()
        return self._user

    @property
    def session(self) -> Any:
        """The session's row (``backrest.sessions.models.UserSession``), ``None`` without a session."""
        if self._session is None and self.session_id is not None and self._load_session is not None:
            self._session = self._load_session()
        return self._session

    @property
    def actor(self) -> str:
        """Who acts, for the audit log: the user, or ``key:<id>`` for a team's key."""
        return self.user_id if self.user_id is not None else f"key:{self.key_id}"

    def scope_denies(self, permission: str) -> str | None:
        """Why the scopes of this key (or token) refuse ``permission``, or ``None`` when they allow it.

        A key or a token acts on content, never on the account it acts for:
        a leaked one must not change the password, the address, or make more
        credentials.
        """
        if self.scopes is None:
            return None
        if permission == Permission.ACCOUNT:
            return f"An {self.scoped_by} cannot manage the account or its credentials; log in for that."
        needed = "read" if permission in {Permission.VIEW, Permission.IDENTITY} else "write"
        if needed in self.scopes:
            return None
        scopes = " ".join(sorted(self.scopes)) or "none"
        return f"This {self.scoped_by}'s scopes ({scopes}) do not include {needed}."

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


def visibility_key(identity: Identity | None) -> tuple[Any, ...] | None:
    """What of a caller decides what they may see: callers with equal keys see the same objects.

    ``Content.visibility()`` reads nothing else of the identity, and the page
    cache and a list's statements are kept under it.
    """
    if identity is None:
        return None
    scopes = None if identity.scopes is None else tuple(sorted(identity.scopes))
    return (identity.user_id, identity.is_admin, identity.team_ids, identity.grants, scopes)


def principals(identity: Identity | None) -> list[str]:
    """The principals an ACL grants to: an anonymous caller is only ``Everyone``."""
    return identity.principals if identity else [Principal.EVERYONE]


def row_loader(request: Request, model: type, key: str) -> Loader:
    """A loader of ``model``'s row ``key`` in the request's session, for an identity.

    It holds the request weakly: the identity is kept in the request's environ,
    and a strong reference back would make every request a reference cycle,
    freed only by the cyclic garbage collector, long after the answer left.
    """
    held = weakref.ref(request)
    return lambda: held().dbsession.get(model, key)


IDENTITY_KEY = "backrest.identity"


def set_identity(request: Request, identity: Identity | None) -> None:
    """Make ``identity`` the caller for the rest of the request (after login or logout)."""
    # Kept with its attempt: pyramid_retry runs a request again on the same
    # environ, and the user loaded by an aborted attempt is detached.
    request.environ[IDENTITY_KEY] = (request.environ.get("retry.attempt"), identity)
