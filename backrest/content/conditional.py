"""Conditional requests: every ETag an object or a page gets, and the answers they decide.

An object's tag (:func:`item_etag`) names its version and what the caller
may do to it; each representation of it gets its own (:func:`representation_etag`).
A read puts the validators on its answer and answers 304 when the caller's
copy is current (:func:`answer_cached`); a write is refused when its
``If-Match`` names an older state (:func:`check_if_match`).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from pyramid.httpexceptions import HTTPNotModified
from webob.datetime_utils import serialize_date

from backrest.errors import http_error
from backrest.formats.negotiation import FORMATS
from backrest.response_headers import set_headers

DEFAULT_FORMAT = FORMATS[0].name

CACHE_CONTROL = "private, no-cache"
"""Answers depend on the caller; a browser may keep them but must revalidate (cheap: 304)."""
VARY = "Accept, Authorization, Cookie"

if TYPE_CHECKING:
    from datetime import datetime

    from pyramid.request import Request
    from pyramid.response import Response

    from backrest.content.resources import ItemResource


def strong_etag(*parts: object) -> str:
    """A strong ETag (quoted) that changes whenever any of ``parts`` does."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]
    return f'"{digest}"'


def item_etag(item: ItemResource, allowed: list[str]) -> str:
    """Changes with every modification; differs between callers who may do different things."""
    return strong_etag(item.obj.id, item.obj.version, *allowed)


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


def response_etag(request: Request, tag: str) -> str:
    """The ETag of the representation the response to ``request`` carries."""
    return representation_etag(tag, request.response_format.name, request)


def tag_response(request: Request, item: ItemResource, allowed: list[str]) -> None:
    """Give the answer of a write the ETag of the object it answers with."""
    request.response.headers["ETag"] = response_etag(request, item_etag(item, allowed))


def answer_cached(request: Request, tag: str, last_modified: datetime | None) -> Response | None:
    """Put the validators on the answer; a 304 when the caller's copy is current, else ``None``."""
    tag = response_etag(request, tag)
    response: Response = HTTPNotModified() if not_modified(request, tag, last_modified) else request.response
    validators = [("ETag", tag), ("Cache-Control", CACHE_CONTROL), ("Vary", VARY)]
    if last_modified is not None:
        validators.append(("Last-Modified", serialize_date(last_modified)))
    set_headers(response, validators)
    return response if response is not request.response else None


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
