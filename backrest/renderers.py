"""JSON as every format sees it: UTC timestamps with ``Z``, models through ``__json__``.

Every service names the renderer ``json``. What answers to that name is the
negotiating renderer of :mod:`backrest.formats.negotiation`: it writes the
JSON set up here unless the request asks for XML or the browsable page, and
those are written from the same JSON.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson
from pyramid.renderers import JSON

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.config import Configurator
    from pyramid.request import Request

ORJSON_OPTIONS = (
    # Timestamps go through timestamp() (UTC, with Z) and dataclasses through
    # their __json__, as with the standard library's encoder.
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
)


def timestamp(value: datetime, request: Request | None = None) -> str:
    """ISO 8601 in UTC with ``Z``: ``2026-11-22T10:00:00.123456Z``.

    orjson writes it, in a third of ``isoformat``'s time (a list page has
    41); a subclass of ``datetime``, which orjson refuses, gets ``isoformat``.
    """
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    if type(value) is datetime:
        return orjson.dumps(value, option=orjson.OPT_UTC_Z)[1:-1].decode()
    return value.isoformat().replace("+00:00", "Z")


def dumps(value: Any, default: Callable[[Any], Any], **_: Any) -> bytes:
    """The JSON bytes of ``value``, written by orjson, in C.

    Timestamps, most of what orjson leaves to Python, are written here
    without Pyramid's adapter lookup; ``default`` (Pyramid's) handles the
    rest (``__json__``). What orjson refuses (an integer beyond 64 bits) is
    written by the standard library instead, so both write the same documents.
    """

    def encoded(obj: Any) -> Any:
        return timestamp(obj) if isinstance(obj, datetime) else default(obj)

    try:
        return orjson.dumps(value, default=encoded, option=ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return json.dumps(value, default=encoded).encode()


def json_renderer() -> JSON:
    """Pyramid's JSON renderer factory, writing with :func:`dumps`."""
    return JSON(serializer=dumps)


def includeme(config: Configurator) -> None:
    config.include("backrest.formats")
