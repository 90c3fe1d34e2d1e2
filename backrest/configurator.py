"""Pyramid's Configurator, with the ``backrest.introspection`` setting holding in every include."""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator as PyramidConfigurator

INTROSPECTION = "backrest.introspection"


class Configurator(PyramidConfigurator):
    """Keeps Pyramid's records of views, routes and permissions only when asked to.

    Pyramid keeps an introspectable record of each of them for the tools
    that list them (``proutes``, the debug toolbar): half a megabyte in a
    process serving backrest's services, which no request reads.
    ``Configurator(introspection=False)`` would only turn it off for the
    root: ``config.include`` makes a configurator of the same class without
    passing the choice on, so each one reads it from the settings.
    """

    def __init__(self, **kwargs: Any) -> None:
        registry = kwargs.get("registry")
        settings = registry.settings if registry is not None else kwargs.get("settings")
        super().__init__(**kwargs, introspection=(settings or {}).get(INTROSPECTION, True))
