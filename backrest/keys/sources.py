"""Where a request sends an API key: ``Authorization: Token``, HTTP Basic's password, a body field.

Each is a credential source of the security policy (see
:mod:`backrest.security.sources`), registered by :func:`backrest.keys.includeme`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest.keys.authentication import authenticate
from backrest.keys.credentials import as_credential, from_body, may_carry_field
from backrest.security.authorization import authorization_credentials, basic_credentials
from backrest.security.sources import CredentialError, CredentialSource

if TYPE_CHECKING:
    from pyramid.request import Request

    from backrest.security.identity import Identity


class KeyToken(CredentialSource):
    """``Authorization: Token KEYID:SECRET``: the scheme clients are told to use."""

    scheme = "Token"
    challenge = "Token"
    usage = "Token KEYID:SECRET"

    def identify(self, request: Request) -> Identity:
        credential = as_credential(authorization_credentials(request))
        if credential is None:
            msg = "The Token credentials must be KEYID:SECRET, as shown when the key was made."
            raise CredentialError(msg, "Token")
        return authenticate(request, credential)


class KeyBasic(CredentialSource):
    """HTTP Basic whose password is ``KEYID:SECRET``, for tools that know only Basic; the username is ignored.

    Any other password is left to the next Basic source: the account's own
    password, where that is allowed.
    """

    scheme = "Basic"

    def identify(self, request: Request) -> Identity | None:
        _username, password = basic_credentials(request)
        credential = as_credential(password)
        return None if credential is None else authenticate(request, credential)


class KeyField(CredentialSource):
    """The ``authorisation`` field of a JSON or URL-encoded body: for HTML forms and header-less tools."""

    def identify(self, request: Request) -> Identity | None:
        credential = from_body(request)
        return None if credential is None else authenticate(request, credential)

    def may_carry(self, request: Request) -> bool:
        return may_carry_field(request)
