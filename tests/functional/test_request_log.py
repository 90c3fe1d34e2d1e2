"""backrest's request log keeps tokens out whatever answered the request, routed or not.

Logging does not depend on the database, so these tests run on SQLite only.
"""

import logging

import pytest

from tests.client import Browser
from tests.conftest import CLIENT

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

TOKEN = "c2VjcmV0LXRva2VuLWluLWEtcGF0aA"


def logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "backrest.requests"]


def test_a_token_path_refused_by_the_throttle_is_logged_redacted(app_with, caplog):
    browser = Browser(app_with(**{"backrest.throttle.anon": "1/day"}), extra_environ=dict(CLIENT))
    browser.get("/-/version")
    with caplog.at_level(logging.INFO, logger="backrest.requests"):
        response = browser.put_json(f"/-/reset/{TOKEN}", {"password": "x" * 20}, status=429)
    assert response.headers["Retry-After"]
    [message] = logged(caplog)
    assert message.startswith("PUT /-/reset/[redacted] 429 ")
    assert TOKEN not in caplog.text


def test_a_token_path_no_route_takes_is_logged_redacted(browser, caplog):
    with caplog.at_level(logging.INFO, logger="backrest.requests"):
        browser.post_json(f"/-/confirm/{TOKEN}/more", {}, status=404)
    [message] = logged(caplog)
    assert message.startswith("POST /-/confirm/[redacted] 404 ")
    assert TOKEN not in caplog.text
