"""The response headers many answers carry, described once as components that answers refer to."""

from __future__ import annotations

from typing import Any


def header(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """A header object: a string, unless ``schema`` says more."""
    return {"description": description, "schema": schema or {"type": "string"}}


SHARED = {
    # Every answer counted against the caller's rate carries them (docs/api/throttling.rst).
    "X-RateLimit-Limit": header("How many requests the caller's window allows."),
    "X-RateLimit-Remaining": header("How many are left in it, this one counted."),
    "X-RateLimit-Reset": header("When the window ends, in seconds since 1970 (UTC)."),
    # Validators of conditional requests (backrest.content.conditional).
    "ETag": header(
        "The representation's strong ETag: send it in If-None-Match, or in If-Match to change it."
    ),
    "Last-Modified": header(
        "When it last changed (an HTTP-date): send it in If-Modified-Since to revalidate."
    ),
    # A list's page (backrest.content.views).
    "X-Page-Generated": header(
        "When the page was read (UTC): send it as modified_since to get what changed since.",
        {"type": "string", "format": "date-time"},
    ),
    "X-Count-Exact": header(
        "Sent (false) when count stopped at the server's limit (backrest.count.max).",
        {"type": "string", "enum": ["false"]},
    ),
}


def shared(*names: str) -> dict[str, dict[str, str]]:
    """References to the shared headers of ``names``."""
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


RATE_LIMITS = shared("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
