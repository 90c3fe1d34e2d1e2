"""Declaring a typed method: the ``@method`` decorator and the ``config.add_method`` directive.

A method is a plain function with annotations::

    @method(group="documents", permission=Permission.EDIT)
    def tag(request: Request, documents: list[Document], tags: list[str]) -> list[Document]: ...

The decorator only marks the function; ``config.scan()`` of its module, or
``config.add_method(function)``, serves it at ``POST /-/api/{group}/{name}``
(:mod:`backrest.methods.services`). A parameter named ``request`` receives
the request; every other parameter is an argument of the call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import venusian

from backrest.security.permissions import Permission

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from pyramid.config import Configurator

NAME = re.compile(r"[a-z][a-z0-9_]{0,49}")
"""Groups and names: lowercase Python-like identifiers, so that clients can make attributes of them."""
SCOPES = ("read", "write")
ATTRIBUTE = "__backrest_method__"


@dataclass(frozen=True)
class MethodSpec:
    """How a method is served: where, to whom, and with which scope of a key or token."""

    group: str
    name: str
    permission: str = Permission.VIEW
    """Checked against the method's ACL: by default, any logged-in caller holds view, create, edit, delete."""
    scope: str = "read"
    """What a key or token must hold: ``read`` for methods that change nothing, else ``write``."""
    description: str = ""
    acl: Sequence[tuple[str, str, Any]] | None = None
    """The ACL the permission is checked against, instead of the default."""

    def __post_init__(self) -> None:
        for what, value in (("group", self.group), ("name", self.name)):
            if not NAME.fullmatch(value):
                msg = f"A method's {what} must be a lowercase identifier, not {value!r}."
                raise ValueError(msg)
        if self.scope not in SCOPES:
            msg = f"A method's scope is read or write, not {self.scope!r}."
            raise ValueError(msg)

    @property
    def key(self) -> str:
        """``home.describe_site``: how the API root and the client name it."""
        return f"{self.group}.{self.name}"

    @property
    def writes(self) -> bool:
        return self.scope == "write"


def default_scope(permission: str) -> str:
    return "read" if permission in {Permission.PUBLIC, Permission.VIEW, Permission.IDENTITY} else "write"


def method(
    group: str,
    *,
    name: str | None = None,
    permission: str = Permission.VIEW,
    scope: str | None = None,
    description: str | None = None,
    acl: Sequence[tuple[str, str, Any]] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a function as a typed method; its module's ``config.scan()`` serves it.

    ``name`` defaults to the function's name, ``description`` to the first
    line of its docstring, ``scope`` to ``read`` for the view permission
    (and public methods), ``write`` for any other.
    """

    def mark(function: Callable[..., Any]) -> Callable[..., Any]:
        spec = MethodSpec(
            group=group,
            name=name or function.__name__,
            permission=permission,
            scope=scope or default_scope(permission),
            description=description if description is not None else first_line(function.__doc__),
            acl=acl,
        )
        setattr(function, ATTRIBUTE, spec)

        def register(scanner: Any, _name: str, wrapped: Callable[..., Any]) -> None:
            scanner.config.add_method(wrapped)

        venusian.attach(function, register, category="pyramid")
        return function

    return mark


def first_line(text: str | None) -> str:
    return (text or "").strip().partition("\n")[0]


def spec_of(function: Callable[..., Any]) -> MethodSpec:
    spec = getattr(function, ATTRIBUTE, None)
    if spec is None:
        msg = f"{function.__qualname__} is not a method: decorate it with @backrest.method(...)."
        raise TypeError(msg)
    return spec


def add_method(config: Configurator, function: Callable[..., Any]) -> None:
    """The ``config.add_method`` directive: serve a function marked by :func:`method`."""
    # Imported here: the services need the content framework, which this module must not load.
    from backrest.methods.services import method_service  # noqa: PLC0415
    from backrest.service import register_services  # noqa: PLC0415

    spec = spec_of(function)
    registered = config.registry.setdefault("backrest.methods", {})
    if spec.key in registered:
        msg = f"The method {spec.key} is declared twice."
        raise ValueError(msg)
    service = method_service(config.registry, spec, function)
    registered[spec.key] = service
    register_services(config, service)
