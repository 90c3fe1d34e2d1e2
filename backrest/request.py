"""The request class: Pyramid's, with every include's request methods, made once at start.

Pyramid gives each request the properties registered with
``config.add_request_method`` (``request.dbsession``, ``request.tm``,
Cornice's ``request.current_service``...) by making a new class for that
one request. Making a class costs more than most of what a request does
with it, and every attribute read on a request of a class never seen
before misses Python's attribute cache. Here they are put on one subclass
when the application is made, and taken out of what Pyramid applies per
request: the same request, made once.

Its query variables are kept on the request, not in the environ: see
:attr:`Request.GET`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyramid.interfaces import IRequestExtensions
from pyramid.request import Request as PyramidRequest
from webob.compat import parse_qsl_text
from webob.multidict import GetDict

if TYPE_CHECKING:
    from pyramid.registry import Registry


class Request(PyramidRequest):
    @property
    def GET(self) -> GetDict:  # noqa: N802 (WebOb's name)
        """The query string's variables, parsed once for the query string the environ holds.

        WebOb keeps them in the environ, and they hold the environ (to write
        changes back to its query string): a reference cycle, which left every
        request's environ, with its body, identity and connection, to the
        cyclic garbage collector. Kept here, they go with the request.
        """
        source = self.environ.get("QUERY_STRING", "")
        parsed = self.__dict__.get("_parsed_query")
        if parsed is not None and parsed[1] == source:
            return parsed[0]
        variables = GetDict(parse_qsl_text(source) if source else [], self.environ)
        self.__dict__["_parsed_query"] = (variables, source)
        return variables


def request_class(registry: Registry) -> type[Request]:
    """A request class holding the registry's request extensions, which it empties."""
    extensions = registry.queryUtility(IRequestExtensions)
    if extensions is None:
        return Request
    attributes = {"__module__": Request.__module__, **extensions.methods, **extensions.descriptors}
    extensions.methods.clear()
    extensions.descriptors.clear()
    return type(Request.__name__, (Request,), attributes)
