"""A read replica (``backrest.db.replica_url``): the writer's position, where reads go, a replica down.

The replica here is the primary itself: a server out of recovery has
replayed all it wrote, so every read may go there, and a test sees which
reads do by the statements each engine runs. The replica lagging behind, and
going away under load, are tests of real servers
(tests/integration/test_read_replicas.py).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event, make_url

from backrest import main
from backrest.replicas import REPLICA
from backrest.replicas.positions import COOKIE, HEADER, parse
from tests.client import Browser
from tests.conftest import CLIENT, PASSWORD, recorded_statements
from tests.servers import free_port

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

TITLE = {"title": "Replicated"}


@pytest.fixture
def replica_app(settings: dict[str, str]) -> Iterator[Callable[..., Any]]:
    """Build an app on the test database with a replica at ``url`` (by default the database itself)."""
    built = []

    def build(url: str | None = None, **overrides: str) -> Any:
        app = main(
            {}, **{**settings, "backrest.db.replica_url": url or settings["sqlalchemy.url"], **overrides}
        )
        built.append(app)
        return app

    yield build
    for app in built:
        app.registry[REPLICA].close()
        app.registry["db_engine"].dispose()


def browser_of(app: Any, signup: Callable[..., str]) -> Browser:
    browser = Browser(app, extra_environ=dict(CLIENT))
    browser.login(signup("ada@example.com"), PASSWORD)
    return browser


@contextlib.contextmanager
def replica_statements(app: Any) -> Iterator[list[str]]:
    """The statements run on the replica in the block (the monitor's questions aside)."""
    executed: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_arguments: Any) -> None:
        if "pg_is_in_recovery" not in statement:
            executed.append(statement)

    engine = app.registry[REPLICA].engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield executed
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_write_is_answered_with_the_primarys_position(replica_app, signup):
    browser = browser_of(replica_app(), signup)
    response = browser.post_json("/-/documents/", TITLE, status=201)
    position = response.headers[HEADER]
    assert parse(position) is not None
    [cookie] = [value for value in response.headers.getall("Set-Cookie") if value.startswith(f"{COOKIE}=")]
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert f"{COOKIE}={position}".lower() in attributes
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    later = browser.put_json(
        response.json["__meta__"]["url"], {"title": "Again"}, headers={"If-Match": response.headers["ETag"]}
    )
    assert parse(later.headers[HEADER]) > parse(position)


def test_a_read_gets_no_position(replica_app, signup):
    browser = browser_of(replica_app(), signup)
    browser.post_json("/-/documents/", TITLE, status=201)
    response = browser.get("/-/documents/")
    assert HEADER not in response.headers
    assert not [value for value in response.headers.getall("Set-Cookie") if value.startswith(COOKIE)]


def test_a_failed_write_gets_no_position(replica_app, signup):
    browser = browser_of(replica_app(), signup)
    response = browser.post_json("/-/documents/", {}, status=400)
    assert HEADER not in response.headers


def test_reads_of_content_go_to_the_replica_and_the_rest_to_the_primary(replica_app, signup):
    app = replica_app()
    browser = browser_of(app, signup)
    url = browser.post_json("/-/documents/", TITLE, status=201).json["__meta__"]["url"]
    with replica_statements(app) as on_replica, recorded_statements(app) as on_primary:
        assert browser.get(url).json["title"] == "Replicated"
        assert browser.get("/-/documents/").json["count"] == 1
    assert len(on_replica) == 2
    assert all("documents" in statement for statement in on_replica)
    # The caller's session, twice: never on the replica.
    assert len(on_primary) == 2
    assert all("documents" not in statement for statement in on_primary)


def test_an_objects_304_and_head_read_on_the_replica_in_two_statements_each(replica_app, signup):
    app = replica_app()
    browser = browser_of(app, signup)
    url = browser.post_json("/-/documents/", TITLE, status=201).json["__meta__"]["url"]
    etag = browser.get(url).headers["ETag"]
    with replica_statements(app) as on_replica, recorded_statements(app) as on_primary:
        browser.get(url, headers={"If-None-Match": etag}, status=304)
        assert browser.head(url).headers["ETag"] == etag
    assert len(on_replica) == 2
    assert len(on_primary) == 2


def test_writes_and_their_checks_never_go_to_the_replica(replica_app, signup):
    app = replica_app()
    browser = browser_of(app, signup)
    created = browser.post_json("/-/documents/", TITLE, status=201)
    url = created.json["__meta__"]["url"]
    with replica_statements(app) as on_replica:
        browser.put_json(url, {"title": "Changed"}, headers={"If-Match": created.headers["ETag"]}, status=200)
        browser.put_json(url, {"title": "Lost"}, headers={"If-Match": created.headers["ETag"]}, status=412)
        browser.delete(url, status=204)
    assert on_replica == []


def test_a_read_carrying_a_position_the_replica_has_passed_reads_there(replica_app, signup):
    """Waiting for the position runs no statement of the request's: the object is still two."""
    app = replica_app()
    browser = browser_of(app, signup)
    response = browser.post_json("/-/documents/", TITLE, status=201)
    position = {HEADER: response.headers[HEADER]}
    with replica_statements(app) as on_replica, recorded_statements(app) as on_primary:
        assert browser.get(response.json["__meta__"]["url"], headers=position).json["title"] == "Replicated"
        browser.get("/-/documents/", headers=position)
    assert len(on_replica) == 2
    assert len(on_primary) == 2


def test_a_position_the_replica_never_reaches_reads_on_the_primary(replica_app, signup):
    app = replica_app(**{"backrest.db.replica_max_wait": "0.05"})
    browser = browser_of(app, signup)
    browser.post_json("/-/documents/", TITLE, status=201)
    with replica_statements(app) as on_replica:
        assert browser.get("/-/documents/", headers={HEADER: "FFFFFF/0"}).json["count"] == 1
    # It was only asked how far it had replayed.
    assert on_replica == []


@pytest.mark.parametrize("position", ["", "nonsense", "1/2/3", "123456789/0"])
def test_a_position_not_of_postgresql_is_ignored(replica_app, signup, position):
    browser = browser_of(replica_app(), signup)
    browser.post_json("/-/documents/", TITLE, status=201)
    assert browser.get("/-/documents/", headers={HEADER: position}).json["count"] == 1


def test_the_heartbeat_says_the_replica_works(replica_app):
    browser = Browser(replica_app(), extra_environ=dict(CLIENT))
    assert browser.get("/-/heartbeat").json["checks"]["replica"] == "ok"


def unreachable(settings: dict[str, str]) -> str:
    return make_url(settings["sqlalchemy.url"]).set(port=free_port()).render_as_string(hide_password=False)


def test_a_replica_down_costs_no_read(replica_app, signup, settings):
    app = replica_app(unreachable(settings))
    browser = browser_of(app, signup)
    url = browser.post_json("/-/documents/", TITLE, status=201).json["__meta__"]["url"]
    assert browser.get(url).json["title"] == "Replicated"
    assert browser.get("/-/documents/").json["count"] == 1
    assert app.registry[REPLICA].monitor.down
    heartbeat = browser.get("/-/heartbeat", status=200).json
    assert heartbeat["status"] == "ok"
    assert heartbeat["checks"]["replica"] == "degraded"


def test_pages_read_on_the_replica_are_not_cached(replica_app, signup):
    app = replica_app(**{"backrest.cache.url": "memory://"})
    browser = browser_of(app, signup)
    browser.post_json("/-/documents/", TITLE, status=201)
    browser.get("/-/documents/")
    assert not app.registry["backrest.page_cache"]._values
    app.registry[REPLICA].monitor.failed(RuntimeError("stopped by the test"))
    browser.get("/-/documents/")
    assert app.registry["backrest.page_cache"]._values


def test_the_position_header_is_exposed_to_other_origins(replica_app):
    app = replica_app(**{"backrest.cors.origins": "https://app.example.com"})
    browser = Browser(app, extra_environ=dict(CLIENT))
    response = browser.get("/-/heartbeat", headers={"Origin": "https://app.example.com"})
    assert HEADER in response.headers["Access-Control-Expose-Headers"]


def test_a_position_in_the_cookie_counts_as_one_in_the_header(replica_app, signup):
    """Browsers send the cookie: a position there that the replica never reaches reads on the primary."""
    app = replica_app(**{"backrest.db.replica_max_wait": "0.05"})
    browser = browser_of(app, signup)
    browser.post_json("/-/documents/", TITLE, status=201)
    browser.set_cookie(COOKIE, "FFFFFF/0")
    with replica_statements(app) as on_replica:
        assert browser.get("/-/documents/").json["count"] == 1
    assert on_replica == []
