"""Every request counted against its caller's rate: a 429 past it, ``X-RateLimit-*`` on every answer.

The tween sits right under Pyramid's exception view tween: a 429 raised here,
or a 401 for bad credentials, becomes an error of the one shape, and the
headers are added by a response callback, which sees the final answer
whatever produced it (a view, a 404, an error view). It runs before routing,
so a request's content type comes from its path, ``/-/{collection}/...``, as
:mod:`backrest.content.declare` lays them out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyramid.httpexceptions import HTTPException

from backrest.throttle.clients import client_key
from backrest.throttle.decision import too_many
from backrest.throttle.limiter import key_of
from backrest.throttle.rates import RequestRates

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    from pyramid.config import Configurator
    from pyramid.registry import Registry
    from pyramid.request import Request
    from pyramid.response import Response

    from backrest.throttle.decision import Decision
    from backrest.throttle.limiter import Throttle

UNCOUNTED_PATHS = frozenset({"/-/heartbeat"})
"""Monitoring polls these: limiting them would make a healthy site look down."""
COUNTED_APART = "backrest.throttle.counted_apart"
"""The registry's set of paths whose views count their requests against rates of their own."""
UNCOUNTED = "backrest.throttle.uncounted"
"""The registry's set of paths that are no caller's request of the API: the single-page app's files."""
COUNTED = "backrest.throttle.decision"
"""Where a request's decision is kept: pyramid_retry runs a request again on the same environ."""


def throttle_key(request: Request) -> tuple[str, str] | None:
    """Who ``request`` counts against: ``("user", user id or team key)``, ``("anon", client key)``.

    ``None`` when there is nobody to tell apart (no client address). The
    kind names the ``backrest.throttle.<kind>`` rate that applies.
    """
    identity = request.identity
    if identity is not None:
        return "user", identity.actor
    return anonymous_key(request)


def anonymous_key(request: Request) -> tuple[str, str] | None:
    # The proxy tween has put the client's address in REMOTE_ADDR, believing
    # X-Forwarded-For from trusted proxies only.
    address = request.remote_addr
    return ("anon", client_key(address)) if address else None


def is_counted(request: Request, apart: Collection[str] = frozenset()) -> bool:
    """Whether ``request`` counts against the caller's rate.

    ``apart``: paths counted by their views' own rates, or by none.
    """
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        return False  # A CORS preflight: the browser's question, not the caller's request.
    path = request.path_info.rstrip("/")
    return path not in UNCOUNTED_PATHS and path not in apart


def count_apart(config: Configurator, path: str) -> None:
    """Have requests to ``path`` counted by its view's own rates instead of the caller's."""
    config.registry.setdefault(COUNTED_APART, set()).add(path.rstrip("/"))


def leave_uncounted(config: Configurator, path: str) -> None:
    """Count no request to ``path``: what it serves is no caller's use of the API."""
    config.registry.setdefault(UNCOUNTED, set()).add(path.rstrip("/"))


def collection_of(path: str, collections: Collection[str]) -> str | None:
    """The content type a path belongs to: ``documents`` for ``/-/documents/abc``."""
    parts = path.split("/", 3)
    if len(parts) > 2 and parts[1] == "-" and parts[2] in collections:  # noqa: PLR2004 - "", "-", name
        return parts[2]
    return None


def _with_headers(decision: Decision) -> Callable[[Request, Response], None]:
    def add_headers(_request: Request, response: Response) -> None:
        # A brute-force scope's 429 (a login's) keeps the headers of the limit that refused it.
        if "X-RateLimit-Limit" not in response.headers:
            response.headerlist.extend(decision.headers().items())

    return add_headers


class ThrottleTween:
    def __init__(
        self,
        handler: Callable[[Request], Response],
        throttle: Throttle,
        rates: RequestRates,
        collections: Collection[str],
        apart: Collection[str],
    ) -> None:
        self.handler = handler
        self.throttle = throttle
        self.rates = rates
        self.collections = collections
        self.apart = apart

    def __call__(self, request: Request) -> Response:
        if is_counted(request, self.apart):
            try:
                caller = throttle_key(request)
            except HTTPException:
                # Bad credentials: counted as the anonymous client they come from, then refused.
                self.count(request, anonymous_key(request))
                raise
            self.count(request, caller)
        return self.handler(request)

    def count(self, request: Request, caller: tuple[str, str] | None) -> None:
        """Refuse ``request`` past its caller's rate, or have its answer carry the rate's headers."""
        decision = self.decide(request, caller)
        if decision is None:
            return
        if not decision.allowed:
            raise too_many(decision, "too_many_requests", "requests")
        request.add_response_callback(_with_headers(decision))

    def decide(self, request: Request, caller: tuple[str, str] | None) -> Decision | None:
        """The request's decision: counted at its first attempt, kept for the others."""
        if COUNTED not in request.environ:
            request.environ[COUNTED] = None
            if caller is not None:
                kind, key = caller
                scope = self.rates.scope(kind, collection_of(request.path_info, self.collections))
                if scope is not None:
                    request.environ[COUNTED] = self.throttle.count(scope.name, scope.rate, key_of(kind, key))
        return request.environ[COUNTED]


def throttle_tween_factory(
    handler: Callable[[Request], Response], registry: Registry
) -> Callable[[Request], Response]:
    collections = frozenset(registry.get("backrest.content_types", {}))
    rates = RequestRates(registry.settings, collections)
    if not rates:
        return handler
    apart = frozenset(registry.get(COUNTED_APART, ())) | frozenset(registry.get(UNCOUNTED, ()))
    return ThrottleTween(handler, registry["throttle"], rates, collections, apart)
