"""``GET /-/metrics``: off unless enabled, for allowed addresses only, and what the counters say.

A scrape is read with prometheus-client's own parser, as Prometheus would
read it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from pyramid.interfaces import ITweens

from backrest.observability import METRICS
from tests.client import Browser
from tests.conftest import CLIENT, PASSWORD, recorded_statements

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

ENABLED = {"backrest.metrics.enabled": "true"}
SCRAPER = {"REMOTE_ADDR": "127.0.0.1"}
NOT_FOUND = {
    "status": "error",
    "errors": [{"location": "path", "name": "path", "description": "There is nothing at this URL."}],
}


class Scrape:
    """The samples of one scrape, by name and labels; a sample not there is 0."""

    def __init__(self, text: str) -> None:
        self.samples = {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }

    def __call__(self, name: str, **labels: str) -> float:
        return self.samples.get((name, frozenset(labels.items())), 0.0)

    def requests(self, route: str, method: str, status: int) -> float:
        """The count of answers with ``status`` to ``method`` requests on ``route``."""
        return self("backrest_http_requests_total", route=route, method=method, status=str(status))


def scrape(app: Any, **environ: str) -> Scrape:
    return Scrape(Browser(app, extra_environ={**SCRAPER, **environ}).get("/-/metrics").text)


@pytest.fixture
def metered(app_with: Callable[..., Any]) -> Any:
    return app_with(**ENABLED)


@pytest.fixture
def client(metered: Any) -> Browser:
    return Browser(metered, extra_environ=dict(CLIENT))


@pytest.fixture
def statements(metered: Any) -> Iterator[list[str]]:
    """The SQL statements the application runs from now on, as a listener of the test sees them."""
    with recorded_statements(metered) as executed:
        yield executed


def test_off_by_default_the_path_is_nothing_and_no_request_pays_for_it(app):
    scraper = Browser(app, extra_environ=SCRAPER)
    assert scraper.get("/-/metrics", status=404).json == NOT_FOUND
    assert METRICS not in app.registry
    tweens = [name for name, _factory in app.registry.getUtility(ITweens).implicit()]
    assert not [name for name in tweens if "observability" in name]


def test_answers_prometheus_text_format_uncached(metered):
    response = Browser(metered, extra_environ=SCRAPER).get("/-/metrics")
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert "# TYPE backrest_http_requests_total counter" in response.text
    assert "# TYPE backrest_http_request_duration_seconds histogram" in response.text


def test_openmetrics_for_a_scraper_that_asks_for_it(metered):
    """As Prometheus does."""
    accept = "application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5"
    response = Browser(metered, extra_environ=SCRAPER).get("/-/metrics", headers={"Accept": accept})
    assert response.headers["Content-Type"].startswith("application/openmetrics-text; version=1.0.0;")
    assert response.text.endswith("# EOF\n")


def test_requests_are_counted_by_route_method_and_status(metered, client):
    client.get("/-/heartbeat")
    client.get("/-/heartbeat")
    client.get("/-/no/such/thing", status=404)
    client.put_json("/-/version", {}, status=405)
    unlinted = Browser(metered, extra_environ=dict(CLIENT), lint=False)  # WebTest's lint knows no BREW
    unlinted.request("/-/version", method="BREW", status=405)
    scraped = scrape(metered)
    assert scraped.requests("discovery.heartbeat", "GET", 200) == 2
    # No route, and no path: the paths callers make up would be series without end.
    assert scraped.requests("none", "GET", 404) == 1
    assert scraped.requests("discovery.version", "PUT", 405) == 1
    assert scraped.requests("discovery.version", "other", 405) == 1
    assert not [labels for _name, labels in scraped.samples if ("route", "/-/no/such/thing") in labels]


def test_counters_move_between_scrapes(metered, client):
    before = scrape(metered)
    client.get("/-/version")
    after = scrape(metered)

    def moved(name: str, **labels: str) -> float:
        labels = {"route": "discovery.version", "method": "GET", **labels}
        return after(name, **labels) - before(name, **labels)

    assert moved("backrest_http_requests_total", status="200") == 1
    assert moved("backrest_http_request_duration_seconds_count") == 1
    assert moved("backrest_http_request_duration_seconds_sum") > 0
    # The first scrape was counted too, once it had answered.
    assert after.requests("observability.metrics", "GET", 200) == 1


def test_an_address_not_allowed_gets_the_404_of_a_path_where_nothing_is(metered):
    stranger = Browser(metered, extra_environ=dict(CLIENT))
    assert stranger.get("/-/metrics", status=404).json == NOT_FOUND
    # X-Forwarded-For from a client that is no trusted proxy is not believed.
    spoofed = stranger.get("/-/metrics", headers={"X-Forwarded-For": "127.0.0.1"}, status=404)
    assert spoofed.json == NOT_FOUND


def test_behind_a_trusted_proxy_the_client_it_names_is_judged(app_with):
    metered = app_with(**ENABLED, **{"backrest.trusted_proxies": "10.0.0.0/8"})
    proxy = Browser(metered, extra_environ={"REMOTE_ADDR": "10.0.0.2"})
    assert proxy.get("/-/metrics", headers={"X-Forwarded-For": "127.0.0.1"}, status=200)
    # The proxy's own address is not the client's: a caller from outside is refused.
    outside = proxy.get("/-/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, status=404)
    assert outside.json == NOT_FOUND


def test_the_allowed_networks_are_a_setting(app_with):
    metered = app_with(**ENABLED, **{"backrest.metrics.allowed": "10.1.0.0/16 2001:db8::/32"})
    assert Browser(metered, extra_environ={"REMOTE_ADDR": "10.1.2.3"}).get("/-/metrics", status=200)
    assert Browser(metered, extra_environ={"REMOTE_ADDR": "2001:db8::7"}).get("/-/metrics", status=200)
    assert Browser(metered, extra_environ=SCRAPER).get("/-/metrics", status=404).json == NOT_FOUND


def test_the_sql_statements_of_each_request_are_counted(metered, client, statements):
    client.post_json("/-/signup", {"email": "ada@example.com", "password": PASSWORD}, status=201)
    signup_statements = len(statements)
    client.get("/-/no/such/thing", status=404)
    assert len(statements) == signup_statements
    scraped = scrape(metered)
    signup = {"route": "accounts.signup", "method": "POST"}
    assert signup_statements > 0
    assert scraped("backrest_http_request_sql_statements_count", **signup) == 1
    assert scraped("backrest_http_request_sql_statements_sum", **signup) == signup_statements
    not_found = {"route": "none", "method": "GET"}
    assert scraped("backrest_http_request_sql_statements_bucket", **not_found, le="0.0") == 1


def test_throttled_requests_are_counted_by_limit_and_scrapes_never_are(app_with):
    metered = app_with(**ENABLED, **{"backrest.throttle.anon": "2/day"})
    client = Browser(metered, extra_environ=dict(CLIENT))
    client.get("/-/version")
    client.get("/-/version")
    client.get("/-/version", status=429)
    # The scraper is anonymous too, and asks more often than the rate allows.
    for _ in range(4):
        scraped = scrape(metered)
    assert scraped("backrest_throttled_requests_total", scope="too_many_requests") == 1
    assert scraped.requests("none", "GET", 429) == 1


def test_a_brute_force_limit_is_counted_under_its_name(app_with):
    metered = app_with(**ENABLED, **{"backrest.throttle.signup": "1/day"})
    client = Browser(metered, extra_environ=dict(CLIENT))
    client.post_json("/-/signup", {"email": "ada@example.com", "password": PASSWORD}, status=201)
    client.post_json("/-/signup", {"email": "bob@example.com", "password": PASSWORD}, status=429)
    scraped = scrape(metered)
    assert scraped("backrest_throttled_requests_total", scope="signup") == 1
    assert scraped.requests("accounts.signup", "POST", 429) == 1


def test_the_mail_queue_depth_is_the_outbox_not_yet_delivered(metered, client, mailbox):
    assert scrape(metered)("backrest_mail_queue_depth") == 0
    client.post_json("/-/signup", {"email": "ada@example.com", "password": PASSWORD}, status=201)
    client.post_json("/-/signup", {"email": "bob@example.com", "password": PASSWORD}, status=201)
    assert scrape(metered)("backrest_mail_queue_depth") == 2
    metered.registry["mail_worker"].deliver_due()
    assert scrape(metered)("backrest_mail_queue_depth") == 0
