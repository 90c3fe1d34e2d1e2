"""What operators watch: Prometheus metrics at ``/-/metrics``, and JSON log lines (:mod:`.logs`).

The metrics are off unless ``backrest.metrics.enabled``: then nothing of
them is on a request's path (no tween, no SQL listener, no route), and
prometheus-client is not even imported. On, each request is counted and
timed (:mod:`.tween`), with its SQL statements (:mod:`.statements`); a
scrape adds the mail queue's depth (:mod:`.mailqueue`). Where
``PROMETHEUS_MULTIPROC_DIR`` is set, every process of the site writes its
values there and a scrape of any one of them answers the sum
(:mod:`.metrics`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyramid.config import Configurator

METRICS = "backrest.metrics"
"""The registry's :class:`~backrest.observability.metrics.Metrics`."""
PATH = "/-/metrics"
ROUTE = "observability.metrics"


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    if not settings["backrest.metrics.enabled"]:
        return
    try:
        from backrest.observability.metrics import metrics_for  # noqa: PLC0415 - an optional extra
    except ImportError as error:
        msg = f"setting backrest.metrics.enabled needs the metrics extra, backrest[metrics]: {error}"
        raise ValueError(msg) from error
    from pyramid.tweens import INGRESS  # noqa: PLC0415

    from backrest.observability.statements import count_statements_of  # noqa: PLC0415
    from backrest.observability.view import metrics_view  # noqa: PLC0415
    from backrest.security.permissions import Permission  # noqa: PLC0415
    from backrest.throttle import leave_uncounted  # noqa: PLC0415

    engine = config.registry["db_engine"]
    metrics = config.registry[METRICS] = metrics_for(engine)
    count_statements_of(engine)
    # Outermost, over the edge tween: every answer is counted, a preflight or a URL refused there too.
    config.add_tween(
        "backrest.observability.tween.metrics_tween_factory",
        under=INGRESS,
        over="backrest.tweens.edge_tween_factory",
    )
    config.add_route(ROUTE, PATH)
    config.add_view(
        metrics_view(metrics.scraped, settings["backrest.metrics.allowed"]),
        route_name=ROUTE,
        request_method="GET",
        permission=Permission.PUBLIC,
    )
    # A scraper asks every few seconds: no caller's rate is for it.
    leave_uncounted(config, PATH)
