"""The OAuth endpoints' parameters and answers, described for OPTIONS and OpenAPI.

oauthlib reads and checks the requests (RFC 6749 and its extensions); these
schemas only describe them, so that generated clients and ``OPTIONS`` name
every field.
"""

from __future__ import annotations

from typing import Any

import colander

from backrest.openapi.converter import to_schema
from backrest.schema import Text

FORM = "application/x-www-form-urlencoded"


def _field(
    description: str, *, required: bool = False, typ: colander.SchemaType | None = None
) -> colander.SchemaNode:
    missing = colander.required if required else colander.drop
    return colander.SchemaNode(typ or Text(), missing=missing, description=description)


def _words(description: str) -> colander.SchemaNode:
    return colander.SchemaNode(
        colander.Sequence(), colander.SchemaNode(Text(), name="word"), description=description
    )


def form_body(node: colander.SchemaNode | None) -> dict[str, Any]:
    """The OpenAPI request body of an OAuth endpoint: a form, as RFC 6749 section 3.2 requires."""
    schema = to_schema(node) if node is not None else {"type": "object"}
    return {"required": True, "content": {FORM: {"schema": schema}}}


class ClientFields(colander.MappingSchema):
    client_id = _field("The application's client id; or HTTP Basic with client_id:client_secret.")
    client_secret = _field("A confidential client's secret, when it does not use HTTP Basic.")


class TokenRequestSchema(ClientFields):
    grant_type = _field("authorization_code, refresh_token or password.", required=True)
    code = _field("authorization_code: the code the redirect brought.")
    redirect_uri = _field("authorization_code: the redirect_uri of the authorization request.")
    code_verifier = _field("authorization_code: the PKCE verifier whose S256 digest was the code_challenge.")
    refresh_token = _field("refresh_token: the latest refresh token; it is rotated.")
    username = _field("password: the user's email.")
    password = _field("password: the user's password.")
    scope = _field("Space-separated scopes (read, write); at most what was granted.")


class TokenResponseSchema(colander.MappingSchema):
    access_token = _field("Send it as 'Authorization: Bearer ACCESS_TOKEN'.", required=True)
    token_type = _field("Bearer.", required=True)
    expires_in = _field("Seconds the access token lives.", required=True, typ=colander.Integer())
    refresh_token = _field("Trade it for new tokens before it expires; it works once.")
    scope = _field("The scopes the tokens carry, space-separated.", required=True)


class RevokeRequestSchema(ClientFields):
    token = _field("The access or refresh token to revoke.", required=True)
    token_type_hint = _field("access_token or refresh_token.")


class IntrospectRequestSchema(RevokeRequestSchema):
    pass


class IntrospectResponseSchema(colander.MappingSchema):
    active = _field(
        "Whether the token works now; nothing else is said of one that does not.",
        required=True,
        typ=colander.Boolean(),
    )
    scope = _field("Its scopes, space-separated.")
    client_id = _field("The application it was issued to.")
    sub = _field("The id of the user it acts for.")
    token_type = _field("Bearer, or refresh_token.")
    exp = _field("When it expires, in seconds since 1970.", typ=colander.Integer())
    iat = _field("When it was issued, in seconds since 1970.", typ=colander.Integer())


class AuthorizationServerMetadataSchema(colander.MappingSchema):
    issuer = _field("This server's URL.", required=True)
    authorization_endpoint = _field("Where users are sent to allow an application.", required=True)
    token_endpoint = _field("Where clients get tokens.", required=True)
    revocation_endpoint = _field("Where clients revoke tokens (RFC 7009).", required=True)
    introspection_endpoint = _field("Where confidential clients ask about tokens (RFC 7662).", required=True)
    response_types_supported = _words("code: the authorization code flow.")
    response_modes_supported = _words("query: the code comes back in the redirect URI's query.")
    grant_types_supported = _words("What the token endpoint trades for tokens.")
    code_challenge_methods_supported = _words("S256: PKCE's only method here.")
    scopes_supported = _words("read, write.")
    token_endpoint_auth_methods_supported = _words("How clients authenticate to get tokens.")
    revocation_endpoint_auth_methods_supported = _words("How clients authenticate to revoke tokens.")
    introspection_endpoint_auth_methods_supported = _words(
        "How confidential clients authenticate to ask about tokens."
    )
    service_documentation = _field("This API's interactive documentation.", required=True)
