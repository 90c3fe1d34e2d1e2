"""``Authorization: Bearer``: the OAuth access tokens of the API, a credential source of the security policy.

A token is found by the keyed hash of its text (:func:`token_hash`), in one
indexed lookup that reads the grant and the user's teams and permissions
too. A wrong, expired or revoked token is a 401 that challenges with
``Bearer error="invalid_token"`` (RFC 6750, section 3.1).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, update

from backrest.accounts.models import User
from backrest.db import utcnow
from backrest.errors import http_error
from backrest.keys.credentials import secret_hash
from backrest.oauth.models import ACCESS, Grant, Token
from backrest.security.authorization import authorization_credentials
from backrest.security.sources import CredentialError, CredentialSource
from backrest.statements import Prepared
from backrest.teams.membership import caller_columns, caller_identity

if TYPE_CHECKING:
    from pyramid.events import ContextFound
    from pyramid.request import Request

    from backrest.security.identity import Identity

LAST_USED_RESOLUTION = timedelta(minutes=1)
"""A grant's ``last_used`` is written at most this often, not on every request."""
HASH_DOMAIN = "oauth-token"
"""Keys the tokens' HMAC apart from the API keys', which share the pepper."""

FIND = Prepared(
    select(
        Token.expires,
        Token.revoked,
        Token.scopes,
        Grant.id.label("grant_id"),
        Grant.last_used,
        Grant.revoked.label("grant_revoked"),
        *caller_columns(),
    )
    .join(Grant, Grant.id == Token.grant_id)
    .join(User, User.id == Grant.user_id)
    .where(Token.token_hash == bindparam("hash"), Token.kind == ACCESS)
)
"""One lookup on the unique index of the hashes."""


def token_hash(request: Request, token: str) -> str:
    """The keyed hash under which a token (access or refresh) or a code is kept."""
    return secret_hash(HASH_DOMAIN, token, request.registry.settings["backrest.keys.pepper"])


def invalid_token(description: str) -> CredentialError:
    return CredentialError(description, "Bearer", challenge='error="invalid_token"')


class BearerToken(CredentialSource):
    """An OAuth access token, with the scopes its user agreed to."""

    scheme = "Bearer"
    challenge = "Bearer"
    usage = "Bearer ACCESS_TOKEN"

    def identify(self, request: Request) -> Identity:
        token = authorization_credentials(request)
        if not token:
            msg = "The Bearer credentials are missing: send 'Bearer ACCESS_TOKEN'."
            raise invalid_token(msg)
        row = FIND.first(request.dbconnection, {"hash": token_hash(request, token)})
        if row is None or row.revoked is not None or row.grant_revoked is not None:
            msg = "Unknown or revoked access token."
            raise invalid_token(msg)
        now = utcnow()
        if row.expires <= now:
            msg = "This access token expired: refresh it, or ask the user again."
            raise invalid_token(msg)
        if row.last_used is None or now - row.last_used > LAST_USED_RESOLUTION:
            request.dbsession.execute(update(Grant).where(Grant.id == row.grant_id).values(last_used=now))
        return caller_identity(request, row, scopes=frozenset(row.scopes.split()), scoped_by="access token")


QUERY_PARAMETER = "access_token"
"""RFC 6750 section 2.3's place for a token, which backrest does not take."""


def refuse_tokens_in_urls(event: ContextFound) -> None:
    """Refuse an access token in the URL (RFC 6750 section 2.3): URLs end up in logs and histories."""
    if QUERY_PARAMETER in event.request.GET:
        raise http_error(
            400,
            "querystring",
            QUERY_PARAMETER,
            "Access tokens must not be sent in URLs, which end up in logs: "
            "send 'Authorization: Bearer ACCESS_TOKEN' instead.",
        )
