"""The heartbeat checks the page cache's Redis too, where the rate limits are counted in each process."""

from __future__ import annotations

from tests.client import Browser
from tests.conftest import CLIENT, error_fields
from tests.servers import free_port, redis_server


def test_the_heartbeat_checks_the_page_caches_redis(app_with):
    with redis_server() as url:
        browser = Browser(app_with(**{"backrest.cache.url": url}), extra_environ=CLIENT)
        checks = browser.get("/-/heartbeat").json["checks"]
    assert checks == {"database": "ok", "files": "ok", "redis": "ok"}


def test_the_heartbeat_says_when_the_page_caches_redis_does_not_answer(app_with):
    app = app_with(**{"backrest.cache.url": f"redis://127.0.0.1:{free_port()}/0"})
    response = Browser(app, extra_environ=CLIENT).get("/-/heartbeat", status=503)
    assert error_fields(response) == [("request", "redis")]


def test_a_page_cache_in_memory_is_no_part_to_check(app_with):
    browser = Browser(app_with(**{"backrest.cache.url": "memory://"}), extra_environ=CLIENT)
    assert "redis" not in browser.get("/-/heartbeat").json["checks"]
