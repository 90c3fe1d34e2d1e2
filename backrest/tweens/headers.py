"""Security headers on every response, errors and 404s included."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backrest.response_headers import Header

HSTS = "max-age=63072000; includeSubDomains"


def security_headers(*, hsts: bool) -> tuple[tuple[Header, ...], tuple[Header, ...]]:
    """The headers every answer gets: those that replace a view's own, and those a view may set itself.

    A view may give a stricter ``Content-Security-Policy`` (an HTML page's)
    or ``Referrer-Policy``; what lets a page be framed or sniffed is never
    the view's choice.
    """
    always = [("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY")]
    if hsts:
        always.append(("Strict-Transport-Security", HSTS))
    unless_set = (
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Content-Security-Policy", "frame-ancestors 'none'"),
    )
    return tuple(always), unless_set
