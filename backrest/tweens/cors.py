"""Cross-origin requests from the origins listed in ``backrest.cors.origins``.

Listed origins may send credentials (the session cookie). ``*`` in the list
lets any origin read public answers, but never with credentials: the browser
would otherwise hand any site the user's session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyramid.response import Response

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.registry import Registry
    from pyramid.request import Request

ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = (
    "Accept, Authorization, Content-Type, If-Match, If-None-Match, "
    "If-Modified-Since, X-CSRF-Token, X-Request-Id"
)
EXPOSED_HEADERS = (
    "ETag, Last-Modified, Location, Retry-After, X-Request-Id, X-Page-Generated, X-Count-Exact, "
    "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
)


def _allow(response: Response, origin: str, *, credentials: bool) -> None:
    headers = response.headers
    headers["Access-Control-Allow-Origin"] = origin if credentials else "*"
    if credentials:
        headers["Access-Control-Allow-Credentials"] = "true"
    headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS


def _vary_on_origin(response: Response) -> Response:
    """The answer depends on the Origin: a cache must not give one origin's answer to another."""
    response.vary = sorted({*(response.vary or ()), "Origin"})
    return response


def cors_tween_factory(
    handler: Callable[[Request], Response], registry: Registry
) -> Callable[[Request], Response]:
    origins = frozenset(registry.settings["backrest.cors.origins"]) - {"*"}
    any_origin = "*" in registry.settings["backrest.cors.origins"]
    max_age = str(registry.settings["backrest.cors.max_age"])

    def cors_tween(request: Request) -> Response:
        origin = request.headers.get("Origin")
        listed = origin in origins
        if origin is None or not (listed or any_origin):
            return _vary_on_origin(handler(request))
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response = Response(status=204)
            response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = max_age
        else:
            response = handler(request)
        _allow(response, origin, credentials=listed)
        return _vary_on_origin(response)

    return cors_tween
