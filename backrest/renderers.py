"""The JSON renderer: UTC timestamps with ``Z``, models through ``__json__``."""

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


def includeme(config: Configurator) -> None:
    renderer = JSON()
    renderer.add_adapter(datetime, timestamp)
    config.add_renderer("json", renderer)
