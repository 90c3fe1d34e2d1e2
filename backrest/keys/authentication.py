"""Who a request's credentials name: an API key (header, Basic, body field), or a user by password.

Credentials that are sent must be good: a wrong, expired or revoked key
is a 401, never a silent fall back to an anonymous caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from hmac import compare_digest
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select, update

from backrest.accounts.models import User
from backrest.db import names_of, utcnow
from backrest.keys.credentials import (
    FORM_TYPES,
    Basic,
    Credential,
    CredentialError,
    from_body,
    from_header,
    secret_hash,
)
from backrest.keys.models import ApiKey
from backrest.teams.membership import caller_columns, team_grants
from backrest.throttle import count_guess

if TYPE_CHECKING:
    from pyramid.request import Request
    from sqlalchemy.engine import Row

LAST_USED_RESOLUTION = timedelta(minutes=1)
"""``last_used`` is written at most this often, not on every request."""

FIND = (
    select(
        ApiKey.id,
        ApiKey.secret_hash,
        ApiKey.scopes,
        ApiKey.expires,
        ApiKey.last_used,
        ApiKey.team_id,
        *caller_columns(),
        team_grants(ApiKey.team_id).label("team_grants"),
    )
    .outerjoin(User, User.id == ApiKey.user_id)
    .where(ApiKey.id == bindparam("id"))
)
"""Made once, run on the connection: one primary-key lookup per request, for a personal or a team key."""

FIND_USER = select(User.password_hash, *caller_columns()).where(func.lower(User.email) == bindparam("email"))


@dataclass(frozen=True)
class Caller:
    """Whom credentials named: a user, through one of their keys (with its scopes) or their password."""

    user_id: str | None
    """``None`` for a team key: it acts as its team, nobody's own."""
    is_admin: bool
    key_id: str | None = None
    scopes: frozenset[str] | None = None
    """What the key may do; ``None``: all the user may (a password)."""
    team_ids: tuple[str, ...] = ()
    grants: tuple[str, ...] = ()

    @classmethod
    def of(cls, row: Row[Any], **key: Any) -> Caller:
        """The user of a row of :func:`backrest.teams.membership.caller_columns`, through a key or not."""
        return cls(
            row.user_id, row.is_admin, team_ids=names_of(row.team_ids), grants=names_of(row.grants), **key
        )


def sent_credentials(request: Request) -> Credential | Basic | None:
    """What the request authenticates with, if not the session cookie; raises :class:`CredentialError`."""
    return from_header(request) or from_body(request)


def may_carry_credentials(request: Request) -> bool:
    """Whether :func:`sent_credentials` could find any, cheaply: a header, or a body it reads."""
    return "HTTP_AUTHORIZATION" in request.environ or (
        request.is_body_readable and request.content_type in FORM_TYPES
    )


def authenticate(request: Request, credentials: Credential | Basic) -> Caller:
    """The caller the credentials name; raises :class:`CredentialError` for bad ones."""
    if isinstance(credentials, Basic):
        return _by_password(request, credentials)
    row = request.dbsession.connection().execute(FIND, {"id": credentials.key_id}).first()
    where = {"location": credentials.location, "name": credentials.name}
    pepper = request.registry.settings["backrest.keys.pepper"]
    if row is None or not compare_digest(
        row.secret_hash, secret_hash(credentials.key_id, credentials.secret, pepper)
    ):
        msg = "Unknown or revoked API key."
        raise CredentialError(msg, **where)
    now = utcnow()
    if row.expires is not None and row.expires <= now:
        msg = f"This API key expired at {row.expires.isoformat().replace('+00:00', 'Z')}."
        raise CredentialError(msg, **where)
    if row.last_used is None or now - row.last_used > LAST_USED_RESOLUTION:
        request.dbsession.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used=now))
    scopes = frozenset(row.scopes.split())
    if row.team_id is not None:
        return Caller(None, False, row.id, scopes, (row.team_id,), names_of(row.team_grants))
    return Caller.of(row, key_id=row.id, scopes=scopes)


def _by_password(request: Request, credentials: Basic) -> Caller:
    """HTTP Basic with a real password, where ``backrest.auth.basic_password`` allows it.

    Failures count as failed logins from this client: the same limit holds
    whether a password is tried on the login form or in a header.
    """
    if not request.registry.settings["backrest.auth.basic_password"]:
        msg = "HTTP Basic takes an API key (KEYID:SECRET) as the password, not the account's password."
        raise CredentialError(msg, "Basic")
    email = credentials.username.strip().lower()
    row = request.dbsession.connection().execute(FIND_USER, {"email": email}).first()
    guess = count_guess(request, email, row.user_id if row else None)
    if guess.refusal is not None:
        msg = "Too many failed attempts; try again later."
        raise CredentialError(msg, "Basic")
    if not request.registry["passwords"].verify(row.password_hash if row else None, credentials.password):
        msg = "Unknown email or wrong password."
        raise CredentialError(msg, "Basic")
    guess.succeeded()
    return Caller.of(row)
