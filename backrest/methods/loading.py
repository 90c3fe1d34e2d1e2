"""Objects a method names by id, loaded with the caller's rights, and the rights on them.

An object the caller may not view is answered as one that does not exist,
exactly as at its own URL: the two must not be told apart.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from pyramid.httpexceptions import HTTPNotFound

from backrest.content.resources import CollectionResource, ItemResource, item_loader
from backrest.errors import http_error
from backrest.security.permissions import Permission

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.request import Request

    from backrest.content.models import Content

LOADED = "backrest.methods.loaded"
"""The request's loaded objects, by ``id()``, with their resources: their rights are checked on these."""

_loader = cache(item_loader)
"""One loader (and its prepared statement) per model."""
MAX_OBJECTS = 1000
"""Objects one call may name: each is a query, which a stranger must not multiply at will."""


def model_loader(request: Request) -> Callable[[type, str, str], Any]:
    """The function the argument decoder calls for each object named by id (and its argument's name)."""
    loaded = 0

    def load(model: type[Content], object_id: str, name: str) -> Content:
        nonlocal loaded
        loaded += 1
        if loaded > MAX_OBJECTS:
            raise http_error(400, "body", name, f"A call may name at most {MAX_OBJECTS} objects.")
        try:
            item = _loader(model)(request, object_id)
        except HTTPNotFound as error:
            raise _not_found(request, model, object_id, name) from error
        if not request.has_permission(Permission.VIEW, item):
            raise _not_found(request, model, object_id, name)
        request.environ.setdefault(LOADED, {})[id(item.obj)] = item
        return item.obj

    return load


def _not_found(request: Request, model: type, object_id: str, name: str) -> Exception:
    collection = request.registry["backrest.content_types_by_model"][model].name
    return http_error(404, "body", name, f"No object {object_id} in /-/{collection}/, or none you may see.")


def resource_of(request: Request, obj: Content) -> ItemResource:
    """The resource of an object a method was given, on which its rights are checked."""
    loaded = request.environ.get(LOADED, {})
    if id(obj) in loaded:
        return loaded[id(obj)]
    content_type = request.registry["backrest.content_types_by_model"][type(obj)]
    return CollectionResource(request, content_type).item(obj, ())


def may(request: Request, permission: str, obj: Content) -> bool:
    """Whether the caller holds ``permission`` on ``obj`` (``edit``, ``delete``...)."""
    return bool(request.has_permission(permission, resource_of(request, obj)))
