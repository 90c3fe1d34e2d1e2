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
from cornice.cors import CORS_PARAMETERS
from cornice.service import decorate_view
from cornice.validators import colander_body_validator
from pyramid.exceptions import PredicateMismatch
from pyramid.httpexceptions import HTTPForbidden, HTTPMethodNotAllowed

from backrest.errors import error_handler
from backrest.security.permissions import Permission

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.config import Configurator
    from pyramid.request import Request

TRAILING_SLASH = "{trailing_slash:/?}"
# What a definition tells Cornice's wrapper of its view, and Pyramid's add_view must not get.
CORNICE_ARGUMENTS = frozenset(
    {"filters", "validators", "schema", "klass", "error_handler", "deserializer", *CORS_PARAMETERS}
)

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
        config.registry.cornice_services["__cornice" + service.name] = service
        _add_views(config, service, route_args)


def _add_views(config: Configurator, service: Service, route_args: dict[str, Any]) -> None:
    """A view for each method of ``service``, and one that answers OPTIONS and refuses other methods.

    Cornice's own registration adds three views more per service: a copy of
    each GET view for HEAD, one for OPTIONS and one refusing the methods the
    service lacks. A view and what Pyramid wraps around it take about 10 KB,
    1.4 MB for backrest's services. Pyramid's GET views answer HEAD too, and
    the last view below does the work of the other two. The definitions stay
    whole, for what describes the service: its OPTIONS, its ``Allow``, the
    API's description. CORS is the edge tween's, not Cornice's.
    """
    options = None
    for method, view, arguments in service.definitions:
        if method == "HEAD":
            continue
        decorated = decorate_view(view, {**arguments, "request_method": method}, method, route_args)
        if method == "OPTIONS":
            options = (decorated, arguments)
            continue
        config.add_view(
            view=decorated, route_name=service.name, request_method=method, **_pyramid_arguments(arguments)
        )
    view, arguments = options if options is not None else (None, {})
    config.add_view(
        view=_other_methods(service, view, arguments.get("permission", Permission.PUBLIC)),
        route_name=service.name,
        **{**_pyramid_arguments(arguments), "permission": Permission.PUBLIC, "require_csrf": False},
    )


def _pyramid_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in arguments.items() if name not in CORNICE_ARGUMENTS}


def _other_methods(
    service: Service, options: Callable[[Request], Any] | None, permission: str
) -> Callable[[Request], Any]:
    """OPTIONS, with its permission checked here, else 405 for a method ``service`` lacks."""

    def view(request: Request) -> Any:
        if request.method == "OPTIONS" and options is not None:
            if permission != Permission.PUBLIC:
                allowed = request.has_permission(permission, request.context)
                if not allowed:
                    raise HTTPForbidden(result=allowed)
            return options(request)
        if request.method not in service.defined_methods:
            refusal = HTTPMethodNotAllowed()
            refusal.allow = service.defined_methods
            raise refusal
        # The method's views were there, and their predicates refused it.
        raise PredicateMismatch(service.name)

    return view


def service_url(request: Request, service: Service, **params: str) -> str:
    """The absolute URL of ``service``, with its path parameters filled in."""
    return request.application_url + service.path.format(**params)
