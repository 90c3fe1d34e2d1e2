"""Conditional requests in the document: validators, the ``If-*`` headers, and the answers they give.

As :mod:`backrest.content.conditional` keeps them: reads carry ``ETag`` and
``Last-Modified`` and answer ``If-None-Match`` or ``If-Modified-Since`` with a
304; writes to an object check ``If-Match`` (412 when stale, 428 without it
where ``backrest.require_if_match`` demands it).
"""

from __future__ import annotations

from typing import Any

from backrest.openapi.headers import shared
from backrest.openapi.responses import JSON, success_response

VALIDATORS = shared("ETag", "Last-Modified")

STALE = 412
MISSING = 428


def header_parameter(name: str, description: str, *, required: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": required,
        "schema": {"type": "string"},
        "description": description,
    }


REVALIDATION = (
    header_parameter(
        "If-None-Match",
        "ETags of the copies the client holds, or *: a 304 without a body when one is current.",
    ),
    header_parameter(
        "If-Modified-Since",
        "An HTTP-date: a 304 without a body when nothing changed since (If-None-Match wins over it).",
    ),
)


def not_modified(headers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The 304 of a read whose answer carries ``headers``: the same headers, no body."""
    return {"304": success_response(304, None, JSON, with_body=False, headers=headers)}


def if_match(*, required: bool) -> dict[str, Any]:
    """``If-Match`` on a write; ``required`` where the settings make it mandatory."""
    return header_parameter(
        "If-Match",
        "The ETag of the representation the change is based on, or *: a 412 when the object changed since."
        + (" Required: a 428 without it." if required else ""),
        required=required,
    )


def precondition_statuses(*, required: bool) -> frozenset[int]:
    return frozenset({STALE, MISSING} if required else {STALE})
