"""Reading the ``Authorization`` header for the sources of its schemes: scheme, credentials, Basic's pair."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from backrest.security.sources import CredentialError

if TYPE_CHECKING:
    from pyramid.request import Request


def authorization_scheme(request: Request) -> str | None:
    """The header's scheme, lowercased as schemes compare (``token``); ``None`` without the header.

    An empty header has the scheme ``""``, which no source reads.
    """
    header = request.headers.get("Authorization")
    return None if header is None else header.strip().partition(" ")[0].lower()


def authorization_credentials(request: Request) -> str:
    """What follows the scheme: ``KEYID:SECRET`` of ``Token KEYID:SECRET``."""
    return request.headers.get("Authorization", "").strip().partition(" ")[2].strip()


def basic_credentials(request: Request) -> tuple[str, str]:
    """The username and password of ``Authorization: Basic``; raises :class:`CredentialError` if malformed."""
    try:
        decoded = base64.b64decode(authorization_credentials(request), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as error:
        msg = "The Basic credentials are not base64 of UTF-8 'username:password'."
        raise CredentialError(msg, "Basic") from error
    username, colon, password = decoded.partition(":")
    if not colon:
        msg = "The Basic credentials have no password."
        raise CredentialError(msg, "Basic")
    return username, password
