"""oauthlib's endpoints, with the grants backrest offers and nothing else.

- authorization code (RFC 6749 section 4.1) with PKCE (RFC 7636), ``S256``
  only: ``plain`` would send the verifier itself through the browser;
- refresh token (section 6), a new refresh token on every use;
- resource owner password (section 4.3), for the applications that enable it.

Any other ``grant_type`` (client credentials, the device code...) is
answered ``unsupported_grant_type``, and any other ``response_type``
(the implicit grant's ``token``) ``unsupported_response_type``.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from oauthlib.oauth2 import (
    AuthorizationCodeGrant,
    AuthorizationEndpoint,
    BearerToken,
    IntrospectEndpoint,
    RefreshTokenGrant,
    ResourceOwnerPasswordCredentialsGrant,
    RevocationEndpoint,
    TokenEndpoint,
)
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import code_challenge_method_s256

from backrest.keys.credentials import SECRET_BYTES

if TYPE_CHECKING:
    from backrest.oauth.validator import Validator


class CodeGrant(AuthorizationCodeGrant):
    _code_challenge_methods = {"S256": code_challenge_method_s256}


def new_token(_request: Any = None) -> str:
    """256 random bits, URL-safe: an access or refresh token (oauthlib makes the codes, 30 characters)."""
    return secrets.token_urlsafe(SECRET_BYTES)


class Server(AuthorizationEndpoint, TokenEndpoint, RevocationEndpoint, IntrospectEndpoint):
    def __init__(self, validator: Validator, access_token_ttl: int) -> None:
        code = CodeGrant(validator)
        bearer = BearerToken(validator, new_token, access_token_ttl, new_token)
        AuthorizationEndpoint.__init__(
            self, default_response_type="code", response_types={"code": code}, default_token_type=bearer
        )
        TokenEndpoint.__init__(
            self,
            default_grant_type="authorization_code",
            grant_types={
                "authorization_code": code,
                "refresh_token": RefreshTokenGrant(validator),
                "password": ResourceOwnerPasswordCredentialsGrant(validator),
            },
            default_token_type=bearer,
        )
        RevocationEndpoint.__init__(self, validator, supported_token_types=("access_token", "refresh_token"))
        IntrospectEndpoint.__init__(self, validator, supported_token_types=("access_token", "refresh_token"))
