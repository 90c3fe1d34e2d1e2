"""Security headers on every response, errors and 404s included."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.registry import Registry
    from pyramid.request import Request
    from pyramid.response import Response

HSTS = "max-age=63072000; includeSubDomains"


def headers_tween_factory(
    handler: Callable[[Request], Response], registry: Registry
) -> Callable[[Request], Response]:
    hsts = registry.settings["backrest.hsts"]

    def headers_tween(request: Request) -> Response:
        response = handler(request)
        headers = response.headers
        headers["X-Content-Type-Options"] = "nosniff"
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers["X-Frame-Options"] = "DENY"
        headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
        if hsts:
            headers["Strict-Transport-Security"] = HSTS
        return response

    return headers_tween
