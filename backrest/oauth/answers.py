"""oauthlib's answers as Pyramid responses: its errors also in the contract's shape.

An OAuth client reads RFC 6749's ``error`` and ``error_description``; every
other client of backrest reads ``status`` and ``errors``. An error answer
carries both. It is returned, not raised, so that what the request changed
(a replayed code's revoked tokens) commits.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pyramid.response import Response

from backrest.errors import error_body

if TYPE_CHECKING:
    from collections.abc import Mapping

    from oauthlib.oauth2 import OAuth2Error
    from pyramid.request import Request

CLIENT_CHALLENGE = 'Basic realm="backrest-oauth2"'
"""A failed client authentication's challenge (RFC 6749 section 5.2): the scheme clients authenticate with."""
DESCRIPTIONS = {
    "invalid_request": "The request is missing a parameter, repeats one, or is otherwise malformed.",
    "invalid_client": "Client authentication failed: unknown client, no authentication, or a wrong secret.",
    "invalid_grant": "The code or refresh token is invalid, expired, revoked, used already, "
    "or was issued to another client or for another redirect URI.",
    "unauthorized_client": "This application may not use this grant type.",
    "unsupported_grant_type": "Use authorization_code, refresh_token, or password where it is enabled.",
    "invalid_scope": "The scope is unknown, or wider than the application or the grant allows.",
    "unsupported_token_type": "Only access and refresh tokens can be revoked or introspected.",
    "server_error": "The server could not answer this request.",
}
"""RFC 6749 section 5.2's words for the errors oauthlib leaves without a description: clients show it."""


def answer(headers: Mapping[str, str], body: str | None, status: int) -> Response:
    """The response for oauthlib's ``(headers, body, status)``."""
    response = Response(status=status, headers={**headers, "Cache-Control": "no-store", "Pragma": "no-cache"})
    data: Any = json.loads(body) if body else {}
    if status >= 400:  # noqa: PLR2004 - the error range
        description = (
            data.get("error_description") or DESCRIPTIONS.get(data.get("error", "")) or data.get("error", "")
        )
        data = {
            **data,
            "error_description": description,
            **error_body([{"location": "request", "name": data.get("error"), "description": description}]),
        }
        if status == 401:  # noqa: PLR2004
            response.headers["WWW-Authenticate"] = CLIENT_CHALLENGE
    response.content_type = "application/json"
    response.charset = "utf-8"
    response.text = json.dumps(data)
    return response


def error_answer(error: OAuth2Error) -> Response:
    return answer(error.headers, error.json, error.status_code)


def oauth_call(request: Request) -> tuple[str, str, str, dict[str, str]]:
    """What oauthlib's endpoints take: URI, method, form body and headers."""
    body = (
        request.body.decode("utf-8", "replace")
        if request.content_type == "application/x-www-form-urlencoded"
        else ""
    )
    return request.url, request.method, body, dict(request.headers)
