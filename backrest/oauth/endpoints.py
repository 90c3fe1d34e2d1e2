"""The token, revocation and introspection endpoints, and the server's metadata (RFC 8414).

Clients call them with form-encoded bodies and authenticate themselves
(HTTP Basic with ``client_id:secret``, or the form's ``client_id`` and
``client_secret``): the security policy leaves their ``Authorization``
header alone, and they need no CSRF token, since no cookie authenticates
them. Requests to the token endpoint are counted per client address and
per client application (``backrest.throttle.oauth_token`` and
``oauth_client``) instead of against the anonymous rate, which one busy
application's server would spend; a wrong client secret counts as a failed
login of the client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backrest.oauth.answers import answer, error_answer, oauth_call
from backrest.oauth.protocol_schemas import (
    AuthorizationServerMetadataSchema,
    IntrospectRequestSchema,
    IntrospectResponseSchema,
    RevokeRequestSchema,
    TokenRequestSchema,
    TokenResponseSchema,
    form_body,
)
from backrest.oauth.scope_words import KNOWN_SCOPES
from backrest.security.permissions import Permission
from backrest.service import Service
from backrest.throttle import client_key, too_many

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.request import Request
    from pyramid.response import Response

    from backrest.oauth.server import Server

token = Service(
    "oauth.oauth2_token", "/oauth2/token", "Exchange a code, a refresh token or a password for tokens."
)
revoke = Service("oauth.oauth2_revoke", "/oauth2/revoke", "Revoke an access or refresh token (RFC 7009).")
introspect = Service(
    "oauth.oauth2_introspect",
    "/oauth2/introspect",
    "What a token may do, for its confidential client (RFC 7662).",
)
metadata = Service(
    "oauth.oauth2_metadata",
    "/.well-known/oauth-authorization-server",
    "The authorization server's endpoints and abilities (RFC 8414).",
)

CLIENT_PATHS = (token.path, revoke.path, introspect.path)
REVOKED = {
    "type": "object",
    "properties": {},
    "additionalProperties": False,
    "description": "Nothing: the token works no more, if it ever did (RFC 7009 answers the same "
    "for a token it does not know).",
}
FORM = "application/x-www-form-urlencoded"
COMMON = {
    "permission": Permission.PUBLIC,
    "require_csrf": False,
    "no_store": True,
    "request_body": form_body,
    # A client that fails to authenticate is a 401 (RFC 6749 section 5.2).
    "error_statuses": (401,),
}


def server(request: Request, *, confidential_only: bool = False) -> Server:
    # oauthlib, and what is built on it, is imported by the first OAuth
    # request: a process that serves none never holds it (a megabyte).
    from backrest.oauth.server import Server  # noqa: PLC0415
    from backrest.oauth.validator import Validator  # noqa: PLC0415

    validator = Validator(request, confidential_only=confidential_only)
    return Server(validator, request.registry.settings["backrest.oauth.access_token_ttl"])


def _protocol_answer(
    request: Request, respond: Callable[[Server], tuple[Any, ...]], *, confidential_only: bool = False
) -> Response:
    """``respond``'s answer from the request's server, or the protocol's error for a bad request."""
    from oauthlib.oauth2 import InvalidRequestError, OAuth2Error  # noqa: PLC0415

    try:
        if request.content_type != FORM:
            raise InvalidRequestError(description=f"Send the parameters as {FORM} (RFC 6749 section 3.2).")
        return answer(*respond(server(request, confidential_only=confidential_only)))
    except OAuth2Error as error:
        return error_answer(error)


@token.post(**COMMON, schema=TokenRequestSchema(), response_schema=TokenResponseSchema())
def token_view(request: Request) -> Response:
    throttle = request.registry["throttle"]
    decision = throttle.hit("oauth_token", client_key(request.client_addr or ""))
    if not decision.allowed:
        raise too_many(decision, "too_many_requests", "requests")
    return _protocol_answer(request, lambda server: server.create_token_response(*oauth_call(request)))


@revoke.post(**COMMON, schema=RevokeRequestSchema(), response_schema=REVOKED)
def revoke_view(request: Request) -> Response:
    return _protocol_answer(request, lambda server: server.create_revocation_response(*oauth_call(request)))


@introspect.post(**COMMON, schema=IntrospectRequestSchema(), response_schema=IntrospectResponseSchema())
def introspect_view(request: Request) -> Response:
    return _protocol_answer(
        request,
        lambda server: server.create_introspect_response(*oauth_call(request)),
        confidential_only=True,
    )


@metadata.get(permission=Permission.PUBLIC, response_schema=AuthorizationServerMetadataSchema())
def metadata_view(request: Request) -> dict[str, Any]:
    base = request.application_url
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/oauth2/authorize",
        "token_endpoint": f"{base}{token.path}",
        "revocation_endpoint": f"{base}{revoke.path}",
        "introspection_endpoint": f"{base}{introspect.path}",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "password"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": sorted(KNOWN_SCOPES),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "service_documentation": f"{base}/-/docs",
    }
