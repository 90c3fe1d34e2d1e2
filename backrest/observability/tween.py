"""Each answer counted and timed, by route, method and status, with its SQL statements.

Labels are bounded: the name of the route that matched (never the path,
which any caller may make up), ``none`` where none did (a 404, or an answer
given before routing: a 429 of the caller's rate, a CORS preflight); the
method, or ``other`` for a method no view answers.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from backrest.observability import METRICS
from backrest.observability.statements import counting_statements

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.registry import Registry
    from pyramid.request import Request
    from pyramid.response import Response

NO_ROUTE = "none"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
TOO_MANY_REQUESTS = 429


def route_of(request: Request) -> str:
    route = getattr(request, "matched_route", None)
    return NO_ROUTE if route is None else route.name


def method_of(request: Request) -> str:
    return request.method if request.method in METHODS else "other"


def limit_of(response: Response) -> str:
    """The name of a 429's error: ``too_many_requests`` for the caller's rate, ``login``, ``signup``..."""
    errors = getattr(response, "backrest_errors", None)
    return errors[0]["name"] if errors else "other"


def metrics_tween_factory(
    handler: Callable[[Request], Response], registry: Registry
) -> Callable[[Request], Response]:
    metrics = registry[METRICS]

    def metrics_tween(request: Request) -> Response:
        started = time.perf_counter()
        # An exception goes on to pyramid_retry, which runs the request again: its last attempt is counted.
        with counting_statements() as tally:
            response = handler(request)
        route, method = route_of(request), method_of(request)
        metrics.requests.labels(route, method, response.status_code).inc()
        metrics.duration.labels(route, method).observe(time.perf_counter() - started)
        metrics.statements.labels(route, method).observe(tally.statements)
        if response.status_code == TOO_MANY_REQUESTS:
            metrics.throttled.labels(limit_of(response)).inc()
        return response

    return metrics_tween
