"""Cross-origin requests from the origins listed in ``backrest.cors.origins``.

Listed origins may send credentials (the session cookie). ``*`` in the list
lets any origin read public answers, but never with credentials: the browser
would otherwise hand any site the user's session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyramid.response import Response

if TYPE_CHECKING:
    from backrest.response_headers import Header

ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = (
    "Accept, Authorization, Content-Type, If-Match, If-None-Match, "
    "If-Modified-Since, X-CSRF-Token, X-Request-Id, X-Backrest-Position"
)
EXPOSED_HEADERS = (
    "ETag, Last-Modified, Location, Retry-After, X-Request-Id, X-Page-Generated, X-Count-Exact, "
    "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-Backrest-Position"
)


class CorsPolicy:
    """Which origins may read answers, and the headers that tell the browser so."""

    def __init__(self, settings: dict[str, Any]) -> None:
        listed = settings["backrest.cors.origins"]
        self.origins = frozenset(listed) - {"*"}
        self.any_origin = "*" in listed
        self.max_age = str(settings["backrest.cors.max_age"])
        self._anyone = (
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
        )

    def allowed(self, origin: str | None) -> tuple[Header, ...]:
        """The headers that let ``origin`` read the answer; none for an origin not allowed."""
        if origin is None:
            return ()
        if origin in self.origins:
            return (
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
            )
        return self._anyone if self.any_origin else ()

    def preflight(self) -> Response:
        """The answer to an allowed origin's preflight, given without the view."""
        response = Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = self.max_age
        return response
