"""The one tween at the edge of the application: what every request and answer go through.

In one pass, outermost first:

1. the request id, ``X-Request-Id`` and the request's log line (:mod:`.requestid`);
2. the client's address, scheme, host and prefix from trusted proxies (:mod:`.proxy`);
3. a URL that is not UTF-8 answered 400 (:mod:`.encoding`);
4. cross-origin preflights answered, and an allowed origin's headers (:mod:`.cors`);
5. the security headers of every answer, errors and 404s included (:mod:`.headers`).

One tween rather than five: each layer of Pyramid's tween chain is a call
of its own, and each header set through WebOb's ``response.headers`` scans
the whole header list. Here the headers are made once, at start, and
appended; a header the view set itself is replaced (or kept) as before.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from pyramid.tweens import INGRESS

from backrest.response_headers import add_to_list, set_headers
from backrest.tracebacks import let_go
from backrest.tweens.cors import CorsPolicy
from backrest.tweens.encoding import undecodable
from backrest.tweens.headers import security_headers
from backrest.tweens.proxy import believe_proxies
from backrest.tweens.redaction import PathRedactor
from backrest.tweens.requestid import current_request_id, log_answer, request_id_for

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from pyramid.config import Configurator
    from pyramid.registry import Registry
    from pyramid.request import Request
    from pyramid.response import Response

    from backrest.response_headers import Header


def _add_headers(response: Response, always: Iterable[Header], unless_set: Iterable[Header]) -> None:
    """Add ``always`` (replacing a view's own), ``unless_set`` where the view set none, and Vary: Origin."""
    present = {name.lower() for name, _ in response.headerlist}
    set_headers(response, always)
    response.headerlist.extend(header for header in unless_set if header[0].lower() not in present)
    # The answer depends on the Origin: a cache must not give one origin's answer to another.
    add_to_list(response, "Vary", "Origin")


def _forget_traceback(request: Request) -> None:
    """Let go of the traceback of the error an exception view answered (see :mod:`backrest.tracebacks`).

    The exception view has logged what it had to by now.
    """
    exc_info = request.__dict__.get("exc_info")
    if exc_info is not None:
        let_go(exc_info[1])
        request.exc_info = (exc_info[0], exc_info[1], None)


def edge_tween_factory(
    handler: Callable[[Request], Response], registry: Registry
) -> Callable[[Request], Response]:
    settings = registry.settings
    networks = settings["backrest.trusted_proxies"]
    redact = PathRedactor(service.path for service in registry.get("backrest.services", ()))
    cors = CorsPolicy(settings)
    security, security_unless_set = security_headers(hsts=settings["backrest.hsts"])

    def edge_tween(request: Request) -> Response:
        request_id = request.request_id = request_id_for(request)
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            believe_proxies(request, networks)
            environ = request.environ
            cross_origin = cors.allowed(environ.get("HTTP_ORIGIN"))
            response = undecodable(request)
            if response is None:
                if (
                    cross_origin
                    and request.method == "OPTIONS"
                    and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ
                ):
                    response = cors.preflight()
                else:
                    response = handler(request)
            always = (*security, *cross_origin, ("X-Request-Id", request_id))
            _add_headers(response, always, security_unless_set)
            log_answer(request, response, started, redact)
            _forget_traceback(request)
            return response
        finally:
            current_request_id.reset(token)

    return edge_tween


def includeme(config: Configurator) -> None:
    config.add_tween("backrest.tweens.edge_tween_factory", under=INGRESS)
