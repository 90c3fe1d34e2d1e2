"""``backrest.Service``: Cornice's service with our defaults, behind one module.

Cornice is unmaintained, so every part of the code that needs it goes
through here (and :mod:`backrest.errors`). Every service answers errors in
the contract's shape, renders JSON, accepts its path with or without a
trailing slash (``/-/reset`` and ``/-/reset/`` are the same service), and
answers ``OPTIONS`` with what the caller may do there
(:mod:`backrest.content.options`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import cornice
from cornice.validators import colander_body_validator

from backrest.errors import error_handler

if TYPE_CHECKING:
    from pyramid.config import Configurator
    from pyramid.request import Request

TRAILING_SLASH = "{trailing_slash:/?}"

__all__ = ["Service", "colander_body_validator", "register_services", "service_key", "service_url"]


class Service(cornice.Service):
    """A Cornice service answering errors in the contract's shape."""

    def __init__(self, name: str, path: str, description: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("error_handler", error_handler)
        kwargs.setdefault("renderer", "json")
        super().__init__(name=name, path=path, description=description, **kwargs)


def service_key(name: str) -> str:
    """The short name of a service: ``accounts.signup`` is ``signup``."""
    return name.rpartition(".")[2]


def route_pattern(path: str) -> str:
    return path.rstrip("/") + TRAILING_SLASH


def register_services(config: Configurator, *services: Service) -> None:
    """Register ``services`` in the given order (it decides which path wins), each with OPTIONS."""
    # Imported here: the content package imports this module.
    from backrest.content.options import add_options  # noqa: PLC0415

    registered = config.registry.setdefault("backrest.services", [])
    for service in services:
        add_options(service)
        registered.append(service)
        route_args = {"factory": service.factory} if getattr(service, "factory", None) else {}
        config.add_route(service.name, route_pattern(service.path), **route_args)
        service.pyramid_route = service.name
        config.add_cornice_service(service)


def service_url(request: Request, service: Service, **params: str) -> str:
    """The absolute URL of ``service``, with its path parameters filled in."""
    return request.application_url + service.path.format(**params)
