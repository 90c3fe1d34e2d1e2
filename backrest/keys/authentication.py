"""Who an API key names: its user (with the user's teams) or its team, with the key's scopes.

A key that is sent must be good: a wrong, expired or revoked key is a 401,
never a silent fall back to an anonymous caller.
"""

from __future__ import annotations

from datetime import timedelta
from hmac import compare_digest
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, update

from backrest.accounts.models import User
from backrest.db import names_of, utcnow
from backrest.keys.credentials import secret_hash
from backrest.keys.models import ApiKey
from backrest.security.identity import Identity
from backrest.security.sources import CredentialError
from backrest.statements import Prepared
from backrest.teams.membership import caller_columns, caller_identity, team_grants

if TYPE_CHECKING:
    from pyramid.request import Request

    from backrest.keys.credentials import Credential

LAST_USED_RESOLUTION = timedelta(minutes=1)
"""``last_used`` is written at most this often, not on every request."""

FIND = Prepared(
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
"""One primary-key lookup per request, for a personal or a team key."""


def authenticate(request: Request, credential: Credential) -> Identity:
    """The caller the key names; raises :class:`~backrest.security.sources.CredentialError` for a bad one.

    Refusals challenge with ``Token``, the scheme that sends a key, however
    this one came (Basic, a body field).
    """
    row = FIND.first(request.dbconnection, {"id": credential.key_id})
    where = {"location": credential.location, "name": credential.name}
    pepper = request.registry.settings["backrest.keys.pepper"]
    if row is None or not compare_digest(
        row.secret_hash, secret_hash(credential.key_id, credential.secret, pepper)
    ):
        msg = "Unknown or revoked API key."
        raise CredentialError(msg, "Token", **where)
    now = utcnow()
    if row.expires is not None and row.expires <= now:
        msg = f"This API key expired at {row.expires.isoformat().replace('+00:00', 'Z')}."
        raise CredentialError(msg, "Token", **where)
    if row.last_used is None or now - row.last_used > LAST_USED_RESOLUTION:
        request.dbsession.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used=now))
    scopes = frozenset(row.scopes.split())
    if row.team_id is not None:
        return Identity(
            None,
            False,
            key_id=row.id,
            scopes=scopes,
            team_ids=(row.team_id,),
            grants=names_of(row.team_grants),
        )
    return caller_identity(request, row, key_id=row.id, scopes=scopes)
