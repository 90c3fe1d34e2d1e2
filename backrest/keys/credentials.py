"""The ``KEYID:SECRET`` credential: making one, hashing its secret, finding it in a request.

A secret is 256 random bits, so it is stored as a fast keyed hash
(HMAC-SHA256) rather than a slow password hash: nobody can guess such a
secret, however fast each guess, and a slow hash would cost every request
made with a key tens of milliseconds. The HMAC's key is the key's id joined
to ``backrest.keys.pepper``: a hash copied to another row verifies nothing,
and with a pepper kept out of the database (in the environment), a stolen
table cannot even check a guess.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from backrest.db import new_public_id
from backrest.security.sources import CredentialError
from backrest.validation import BodyError, read_body, read_raw_body

if TYPE_CHECKING:
    from pyramid.request import Request

SECRET_BYTES = 32
BODY_FIELD = "authorisation"
CREDENTIAL = re.compile(r"^[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]{43}$")
"""The shape of ``KEYID:SECRET``: what is refused in a URL, whatever the parameter's name."""
FORM_TYPES = ("", "application/json", "application/x-www-form-urlencoded")
"""Bodies read for the ``authorisation`` field: JSON and URL-encoded forms, never uploads."""


@dataclass(frozen=True)
class Credential:
    key_id: str
    secret: str
    location: str = "header"
    """Where it came from, for the error that refuses it."""
    name: str = "Authorization"


def new_credential() -> Credential:
    return Credential(new_public_id(), secrets.token_urlsafe(SECRET_BYTES))


def secret_hash(key_id: str, secret: str, pepper: str) -> str:
    key = f"{pepper}\x00{key_id}".encode()
    return hmac.new(key, secret.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def as_credential(text: str) -> Credential | None:
    if not CREDENTIAL.match(text):
        return None
    key_id, secret = text.split(":", 1)
    return Credential(key_id, secret)


def may_carry_field(request: Request) -> bool:
    """Whether the body is one :func:`from_body` reads: JSON or URL-encoded, never an upload."""
    return request.is_body_readable and request.content_type in FORM_TYPES


def from_body(request: Request) -> Credential | None:
    """The ``authorisation`` field of a JSON or URL-encoded body, if it has one."""
    if not may_carry_field(request):
        return None
    try:
        # Parsed only if the name is there: most bodies carry no credentials.
        if BODY_FIELD.encode() not in read_raw_body(request):
            return None
        body = read_body(request)
    except BodyError:
        return None  # the body's own validation answers what is wrong with it
    value = body.get(BODY_FIELD)
    if value is None:
        return None
    credential = as_credential(value) if isinstance(value, str) else None
    if credential is None:
        msg = f"The {BODY_FIELD} field must be KEYID:SECRET, as shown when the key was made."
        raise CredentialError(msg, "Token", "body", BODY_FIELD)
    return Credential(credential.key_id, credential.secret, "body", BODY_FIELD)


def in_query_string(request: Request) -> str | None:
    """The name of a query parameter that holds a key's credential, if one does."""
    for name, value in request.GET.items():
        if CREDENTIAL.match(value):
            return name
    return None
