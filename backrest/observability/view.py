"""``GET /-/metrics``: the metrics in Prometheus's text format, for the allowed addresses only.

Anyone else gets the 404 of a path where nothing is. The address is the
client's as the edge tween found it, believing ``X-Forwarded-For`` from
``backrest.trusted_proxies`` only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client.exposition import choose_encoder
from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response

from backrest.tweens.proxy import is_trusted

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from prometheus_client import CollectorRegistry
    from pyramid.request import Request

    from backrest.tweens.proxy import Network


def metrics_view(scraped: CollectorRegistry, allowed: Sequence[Network]) -> Callable[[Request], Response]:
    """The view answering ``scraped``'s metrics to the addresses in ``allowed``."""

    def view(request: Request) -> Response:
        if not is_trusted(request.remote_addr or "", allowed):
            raise HTTPNotFound
        # The text format, or OpenMetrics for a scraper that asks for it.
        encode, content_type = choose_encoder(request.headers.get("Accept"))
        return Response(
            body=encode(scraped), headerlist=[("Content-Type", content_type), ("Cache-Control", "no-store")]
        )

    return view
