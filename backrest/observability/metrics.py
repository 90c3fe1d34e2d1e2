"""The metrics of requests, and the registry a scrape reads: this process's, or every process's.

prometheus-client chooses how it keeps values when it is imported: in this
process's memory, or, where ``PROMETHEUS_MULTIPROC_DIR`` names a directory,
in files of that directory, one set per process id. A scrape then reads the
files of every process, live or gone, and answers their sum: whichever
process a scraper reaches behind the load balancer, it sees the whole site.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.multiprocess import MultiProcessCollector

from backrest.observability.mailqueue import MailQueueCollector

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
ROUTE_AND_METHOD = ("route", "method")
STATEMENT_BUCKETS = (0, 1, 2, 4, 8, 16, 32, 64, 128)
"""SQL statements of one request: a list page runs a few, one that runs many more is worth a look."""


@dataclass(frozen=True)
class Metrics:
    """What each request adds to, and the registry ``/-/metrics`` answers."""

    requests: Counter
    duration: Histogram
    statements: Histogram
    throttled: Counter
    scraped: CollectorRegistry


def metrics_for(engine: Engine) -> Metrics:
    """New metrics, with the depth of ``engine``'s mail queue at each scrape.

    Their registry is the application's own, not prometheus-client's global
    one: each application made in a process (tests make many) has its own.
    """
    scraped = CollectorRegistry()
    if MULTIPROCESS_DIRECTORY in os.environ:  # prometheus-client's own test, made when it was imported
        MultiProcessCollector(scraped)
        own = None  # This process's values are in its files, which the collector reads.
    else:
        own = scraped
    scraped.register(MailQueueCollector(engine))
    return Metrics(
        requests=Counter(
            "backrest_http_requests",
            "Requests answered, by route, method and status.",
            (*ROUTE_AND_METHOD, "status"),
            registry=own,
        ),
        duration=Histogram(
            "backrest_http_request_duration_seconds",
            "Time from a request's arrival to its answer, by route and method.",
            ROUTE_AND_METHOD,
            registry=own,
        ),
        statements=Histogram(
            "backrest_http_request_sql_statements",
            "SQL statements run by one request, by route and method.",
            ROUTE_AND_METHOD,
            buckets=STATEMENT_BUCKETS,
            registry=own,
        ),
        throttled=Counter(
            "backrest_throttled_requests",
            "Requests refused with 429, by the name of the limit's error.",
            ("scope",),
            registry=own,
        ),
        scraped=scraped,
    )
