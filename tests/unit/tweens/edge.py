"""The edge tween around a test's handler, with the settings a test gives and defaults for the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyramid.registry import Registry

from backrest.tweens import edge_tween_factory

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.request import Request
    from pyramid.response import Response

DEFAULTS = {
    "backrest.trusted_proxies": [],
    "backrest.hsts": False,
    "backrest.cors.origins": [],
    "backrest.cors.max_age": 600,
}


def edge(handler: Callable[[Request], Response], *, services: Any = (), **settings: Any) -> Callable:
    registry = Registry()
    registry.settings = {**DEFAULTS, **{f"backrest.{name}": value for name, value in settings.items()}}
    registry["backrest.services"] = list(services)
    return edge_tween_factory(handler, registry)
