"""Conditional requests: ETags, ``If-None-Match``, ``If-Modified-Since``, ``If-Match``."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from backrest.errors import http_error
from backrest.formats.negotiation import FORMATS

DEFAULT_FORMAT = FORMATS[0].name

if TYPE_CHECKING:
    from datetime import datetime

    from pyramid.request import Request


def strong_etag(*parts: object) -> str:
    """A strong ETag (quoted) that changes whenever any of ``parts`` does."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]
    return f'"{digest}"'


def representation_etag(tag: str, format_name: str, request: Request) -> str:
    """The ETag of one representation of what ``tag`` names, for the caller of ``request``.

    A strong ETag names one representation (RFC 9110, 8.8.1): the XML and
    HTML renderings get tags of their own; JSON, the default, keeps ``tag``.
    The browsable page also shows who asks and the forms they may use: its
    tag changes with the caller, so that a page kept from before a login is
    not taken as current after it.
    """
    if format_name == DEFAULT_FORMAT:
        return tag
    identity = request.identity
    caller = "" if identity is None else f"{identity.actor} {identity.session_id}"
    return strong_etag(tag, format_name, caller)


def _listed(header: str | None) -> list[str]:
    return [tag.strip() for tag in (header or "").split(",") if tag.strip()]


def not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    """Whether a GET can be answered 304 (RFC 9110: If-None-Match wins over If-Modified-Since)."""
    # The weak comparison (RFC 9110): a proxy may have made our tag weak.
    tags = [tag.removeprefix("W/") for tag in _listed(request.headers.get("If-None-Match"))]
    if tags:
        return "*" in tags or etag in tags
    since = request.if_modified_since
    return since is not None and last_modified is not None and last_modified.replace(microsecond=0) <= since


def check_if_match(request: Request, tag: str, *others: str) -> None:
    """Refuse a write based on a stale representation (412), or without one when required (428).

    ``tag`` names the current state; the ETag of any of its representations
    matches (the browsable page's form sends the HTML one), and so do
    ``others`` (a file's data has a tag of its own).
    """
    header = request.headers.get("If-Match")
    if header is None:
        if request.registry.settings["backrest.require_if_match"]:
            raise http_error(
                428, "header", "If-Match", "Send If-Match with the ETag of the representation you change."
            )
        return
    tags = _listed(header)
    current = {representation_etag(tag, format_.name, request) for format_ in FORMATS} | set(others)
    if "*" in tags or set(tags) & current:
        return
    raise http_error(
        412, "header", "If-Match", "The object has changed since you read it: get it again, then retry."
    )
