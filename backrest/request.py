"""The request class: Pyramid's, with every include's request methods, made once at start.

Pyramid gives each request the properties registered with
``config.add_request_method`` (``request.dbsession``, ``request.tm``,
Cornice's ``request.current_service``...) by making a new class for that
one request. Making a class costs more than most of what a request does
with it, and every attribute read on a request of a class never seen
before misses Python's attribute cache. Here they are put on one subclass
when the application is made, and taken out of what Pyramid applies per
request: the same request, made once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyramid.interfaces import IRequestExtensions
from pyramid.request import Request

if TYPE_CHECKING:
    from pyramid.registry import Registry


def request_class(registry: Registry) -> type[Request]:
    """A request class holding the registry's request extensions, which it empties."""
    extensions = registry.queryUtility(IRequestExtensions)
    if extensions is None:
        return Request
    attributes = {"__module__": Request.__module__, **extensions.methods, **extensions.descriptors}
    extensions.methods.clear()
    extensions.descriptors.clear()
    return type(Request.__name__, (Request,), attributes)
