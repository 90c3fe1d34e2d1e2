"""JSON as every format sees it: UTC timestamps with ``Z``, models through ``__json__``.

Every service names the renderer ``json``. What answers to that name is the
negotiating renderer of :mod:`backrest.formats.negotiation`: it writes the
JSON set up here unless the request asks for XML or the browsable page, and
those are written from the same JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pyramid.renderers import JSON

if TYPE_CHECKING:
    from pyramid.config import Configurator
    from pyramid.request import Request


def timestamp(value: datetime, request: Request | None = None) -> str:
    """ISO 8601 in UTC with ``Z``: ``2026-11-22T10:00:00.123456Z``."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def json_renderer() -> JSON:
    """Pyramid's JSON renderer factory, knowing our timestamps."""
    renderer = JSON()
    renderer.add_adapter(datetime, timestamp)
    return renderer


def includeme(config: Configurator) -> None:
    config.include("backrest.formats")
