"""The server-side cache of list pages: served from memory or Redis, stale after any write."""

import pytest
from sqlalchemy import event

from tests.client import Browser
from tests.conftest import CLIENT, OTHER_CLIENT, PASSWORD
from tests.servers import redis_server


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url


@pytest.fixture(params=["memory", "redis"])
def cached_app(request, app_with):
    url = "memory://" if request.param == "memory" else request.getfixturevalue("redis_url")
    # CLIENT is also a trusted proxy: its X-Forwarded-Host names the host a page is for.
    app = app_with(**{"backrest.cache.url": url, "backrest.trusted_proxies": CLIENT["REMOTE_ADDR"]})
    if request.param == "redis":
        app.registry["backrest.page_cache"].client.flushdb()
    return app


@pytest.fixture
def ada(cached_app, signup):
    browser = Browser(cached_app, extra_environ=CLIENT)
    signup("ada@example.com")
    browser.login("ada@example.com", PASSWORD)
    browser.post_json("/-/documents/", {"title": "First"}, status=201)
    return browser


def statements(app, request):
    counted = []
    engine = app.registry["db_engine"]

    def count(*_args):
        counted.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        request()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(counted)


def test_a_cached_page_is_answered_without_querying_the_list(ada, cached_app):
    first = statements(cached_app, lambda: ada.get("/-/documents/"))
    second = statements(cached_app, lambda: ada.get("/-/documents/"))
    assert second < first
    assert second == 1  # the session lookup, nothing for the list


def test_a_cached_page_is_the_same_answer(ada):
    first = ada.get("/-/documents/")
    second = ada.get("/-/documents/")
    assert second.json == first.json
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["X-Page-Generated"] == first.headers["X-Page-Generated"]


def test_a_cached_page_still_answers_304(ada):
    tag = ada.get("/-/documents/").headers["ETag"]
    ada.get("/-/documents/", headers={"If-None-Match": tag}, status=304)


@pytest.mark.parametrize("write", ["create", "update", "delete"])
def test_every_write_makes_the_cached_pages_stale(ada, write):
    before = ada.get("/-/documents/").json
    url = before["results"][0]["__meta__"]["url"]
    if write == "create":
        ada.post_json("/-/documents/", {"title": "Second"}, status=201)
    elif write == "update":
        ada.patch_json(url, {"title": "Renamed"})
    else:
        ada.delete(url, status=204)
    after = ada.get("/-/documents/").json
    assert after != before


def test_a_failed_write_keeps_the_cache(ada, cached_app):
    ada.get("/-/documents/")
    ada.post_json("/-/documents/", {"title": ""}, status=400)
    assert statements(cached_app, lambda: ada.get("/-/documents/")) == 1


def test_callers_never_get_each_others_pages(ada, cached_app, signup):
    ada.get("/-/documents/")
    signup("bob@example.com")
    bob = Browser(cached_app, extra_environ=OTHER_CLIENT)
    bob.login("bob@example.com", PASSWORD)
    assert bob.get("/-/documents/").json["count"] == 0
    anonymous = Browser(cached_app)
    assert anonymous.get("/-/documents/").json["count"] == 0


def test_hosts_never_get_each_others_pages(ada):
    for host in ("api.example.com", "elsewhere.example"):
        page = ada.get("/-/documents/", headers={"X-Forwarded-Host": host}).json
        assert page["results"][0]["__meta__"]["url"].startswith(f"http://{host}/-/documents/")


def test_lists_work_while_redis_is_down(app_with, signup):
    with redis_server() as url:
        app = app_with(**{"backrest.cache.url": url})
        browser = Browser(app, extra_environ=CLIENT)
        signup("ada@example.com")
        browser.login("ada@example.com", PASSWORD)
        browser.post_json("/-/documents/", {"title": "First"}, status=201)
        browser.get("/-/documents/")
    # Redis has stopped: reads go to the database, writes still succeed.
    browser.post_json("/-/documents/", {"title": "Second"}, status=201)
    assert browser.get("/-/documents/").json["count"] == 2
