"""A confidential client's secret: made at random, shown once, kept only as a keyed hash.

The secret is hashed as an API key's is (:func:`backrest.keys.credentials.secret_hash`,
HMAC-SHA256 keyed by ``backrest.keys.pepper`` and the client id): 256 random
bits need no slow hash, a hash copied to another application verifies
nothing, and a stolen table without the pepper cannot check a guess.
"""

from __future__ import annotations

import secrets
from hmac import compare_digest
from typing import TYPE_CHECKING

from backrest.db import new_public_id
from backrest.keys.credentials import SECRET_BYTES, secret_hash

if TYPE_CHECKING:
    from pyramid.request import Request

    from backrest.oauth.models import Application


def issue_secret(request: Request, application: Application) -> str:
    """Give ``application`` a new secret, which replaces any other at once; answers it, for this once."""
    if application.id is None:
        # A new application: the hash is keyed by its client id, which must exist first.
        application.id = new_public_id()
    secret = secrets.token_urlsafe(SECRET_BYTES)
    pepper = request.registry.settings["backrest.keys.pepper"]
    application.secret_hash = secret_hash(application.id, secret, pepper)
    return secret


def secret_matches(request: Request, application: Application, secret: str) -> bool:
    """Whether ``secret`` is the confidential ``application``'s current one."""
    if application.secret_hash is None:
        return False
    pepper = request.registry.settings["backrest.keys.pepper"]
    return compare_digest(application.secret_hash, secret_hash(application.id, secret, pepper))
