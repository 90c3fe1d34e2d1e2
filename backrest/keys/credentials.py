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

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from backrest.db import new_public_id
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


@dataclass(frozen=True)
class Basic:
    """HTTP Basic credentials that are not a key: a username and a real password."""

    username: str
    password: str


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


class CredentialError(ValueError):
    """Credentials were sent but are no good: a 401, whose challenge is ``scheme``'s."""

    def __init__(
        self, description: str, scheme: str = "Token", location: str = "header", name: str = "Authorization"
    ) -> None:
        super().__init__(description)
        self.scheme = scheme
        self.location = location
        self.name = name


def _basic(value: str) -> Credential | Basic:
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as error:
        msg = "The Basic credentials are not base64 of UTF-8 'username:password'."
        raise CredentialError(msg, "Basic") from error
    username, colon, password = decoded.partition(":")
    if not colon:
        msg = "The Basic credentials have no password."
        raise CredentialError(msg, "Basic")
    return as_credential(password) or Basic(username, password)


def from_header(request: Request) -> Credential | Basic | None:
    """The credentials of the ``Authorization`` header, if it has any."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    scheme = scheme.lower()
    if scheme == "token":
        credential = as_credential(value.strip())
        if credential is None:
            msg = "The Token credentials must be KEYID:SECRET, as shown when the key was made."
            raise CredentialError(msg)
        return credential
    if scheme == "basic":
        return _basic(value)
    msg = f"Unsupported authorization scheme {scheme!r}: send 'Token KEYID:SECRET'."
    raise CredentialError(msg)


def from_body(request: Request) -> Credential | None:
    """The ``authorisation`` field of a JSON or URL-encoded body, if it has one."""
    if not request.is_body_readable or request.content_type not in FORM_TYPES:
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
        raise CredentialError(msg, location="body", name=BODY_FIELD)
    return Credential(credential.key_id, credential.secret, "body", BODY_FIELD)


def in_query_string(request: Request) -> str | None:
    """The name of a query parameter that holds a key's credential, if one does."""
    for name, value in request.GET.items():
        if CREDENTIAL.match(value):
            return name
    return None
