"""Three backrest processes behind one nginx serve as one site, and outlive Redis going away.

One PostgreSQL, one Redis (the rate limits in its database 1, the page cache
in its database 0), three ``pserve`` processes and nginx rendered from
``deploy/nginx.conf`` in front of them. Clients speak HTTPS to nginx, each
from a loopback address of its own, and nginx spreads their requests over the
processes. A test that needs a request to reach one process in particular
sends it to that process's port with the headers nginx adds: the process
sees it as it would see it from nginx (the same URLs, the same client), so it
answers from the same cached pages and counts against the same limits.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import ssl
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
import redis

from backrest.throttle.storage import RETRY_DELAY
from tests.conftest import FAST_HASHING
from tests.integration import test_nginx as nginx
from tests.integration.test_pgbouncer import migrate
from tests.integration.test_server import LOGGING, Client, Reply, Server, concurrently, login, wait_for
from tests.servers import free_port, nginx_server, nginx_site_config, postgresql_server, pserve, pserve_ini
from tests.servers import redis_server as started_redis

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

PROCESSES = 3
ANON_LIMIT = 10
"""Requests a day for each anonymous client: few enough to count them all."""
SETTINGS = {
    "backrest.throttle.anon": f"{ANON_LIMIT}/day",
    "backrest.throttle.user": "100000/hour",
    "backrest.trusted_proxies": "127.0.0.1",
    "backrest.session.secure": "true",
    # Ending the other sessions needs a password checked at most this long ago: Ada's login.
    "backrest.reauth.max_age": "3600",
    **FAST_HASHING,
}
LIST = "/-/documents/?ordering=-modified"
"""A page of Ada's documents, the one written last first."""
ROUNDS = 6
WRITERS = 16
ATTEMPTS = WRITERS
"""A writer's tries at most: each 412 follows a success of another writer's."""
OPERATOR = {"username": "operator", "password": "operator's password"}
"""The test's own Redis account, which is never shut out."""
CACHE_WARNING = "the page cache in Redis does not answer"
THROTTLE_WARNING = "rate limits are counted in this process until Redis answers again"
SERVER_ERROR = re.compile(r" 500 [\d.]+ms$", re.MULTILINE)
"""A request line of an answer that went wrong on the server's side (a 503 of the heartbeat is its job)."""


@dataclass
class ThroughNginx(nginx.Client):
    """HTTPS to nginx from the loopback ``address``."""

    address: str = nginx.CLIENT_ADDRESS

    def connect(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(
            "127.0.0.1", self.port, timeout=30, context=self.tls, source_address=(self.address, 0)
        )


@dataclass
class AsNginx(Client):
    """Plain HTTP to one process, with the headers nginx on ``site_port`` adds for a client at ``address``."""

    site_port: int = 0
    address: str = nginx.CLIENT_ADDRESS

    def request(self, method: str, path: str, body: Any = None, **headers: str) -> Reply:
        host = f"127.0.0.1:{self.site_port}"
        forwarded = {"X-Forwarded-Host": host, "X-Forwarded-Proto": "https", "X-Forwarded-For": self.address}
        return super().request(method, path, body, Host=host, **forwarded, **headers)


class Redis:
    """The site's Redis on a port of its own, which a test stops and starts again, or puts out of reach."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._running = contextlib.ExitStack()

    def url(self, database: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Start it, empty, as a Redis that keeps nothing on disk starts again."""
        self._running = contextlib.ExitStack()
        self._running.enter_context(started_redis(self.port))
        with contextlib.closing(redis.Redis(port=self.port)) as connection:
            connection.acl_setuser(
                OPERATOR["username"],
                enabled=True,
                passwords=[f"+{OPERATOR['password']}"],
                keys=["*"],
                channels=["*"],
                categories=["+@all"],
            )

    def stop(self) -> None:
        self._running.close()

    def operator(self) -> redis.Redis:
        return redis.Redis(port=self.port, **OPERATOR)

    def cached_pages(self) -> int:
        with contextlib.closing(self.operator()) as connection:
            return len(connection.keys("backrest:page:*"))

    @contextlib.contextmanager
    def out_of_reach(self) -> Iterator[None]:
        """Redis refuses backrest's connections, keeping its data, as when the network between them fails.

        Stopping it would lose what it holds: here the pages cached before
        are still there when backrest reaches it again.
        """
        with contextlib.closing(self.operator()) as connection:
            connection.acl_setuser("default", enabled=False, reset=False)
            connection.client_kill_filter(user="default")
            try:
                yield
            finally:
                connection.acl_setuser("default", enabled=True, reset=False)


@dataclass
class Site:
    """nginx on ``port`` before the ``processes``, and Ada, logged in through nginx."""

    port: int
    tls: ssl.SSLContext
    processes: list[Server]
    redis: Redis
    ada: ThroughNginx

    def client(self, address: str) -> ThroughNginx:
        return ThroughNginx(self.port, tls=self.tls, address=address)

    def direct(self, process: int, address: str = "", like: ThroughNginx | None = None) -> AsNginx:
        """A client of process number ``process``: ``like``'s session, CSRF token and address, if given."""
        return AsNginx(
            self.processes[process].port,
            session=like.session if like else "",
            csrf_token=like.csrf_token if like else "",
            site_port=self.port,
            address=address or (like.address if like else nginx.CLIENT_ADDRESS),
        )

    def as_ada(self, process: int) -> AsNginx:
        return self.direct(process, like=self.ada)

    def log_ends(self) -> list[int]:
        return [len(process.log) for process in self.processes]

    def logs_since(self, ends: list[int]) -> list[str]:
        """What each process logged after ``log_ends`` answered ``ends``."""
        return [process.log[end:] for process, end in zip(self.processes, ends, strict=True)]


@contextlib.contextmanager
def process(directory: Path, database_url: str, redis_: Redis, mail: Path) -> Iterator[Server]:
    """``pserve`` with the site's settings; waitress passes nginx's ``X-Forwarded-*`` on to backrest."""
    directory.mkdir()
    port = free_port()
    settings = {
        "sqlalchemy.url": database_url,
        "backrest.mail.transport": "file",
        "backrest.mail.directory": str(mail),
        "backrest.redis_url": redis_.url(1),
        "backrest.cache.url": redis_.url(0),
        **SETTINGS,
    }
    ini = directory / "server.ini"
    ini.write_text(pserve_ini(settings, port, LOGGING, server=nginx.WAITRESS))
    log = directory / "server.log"
    with pserve(ini, port, log, stdout_path=directory / "stdout.log") as running:
        yield Server(port, running, mail, log)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("several")
    mail = directory / "mail"
    redis_ = Redis(free_port())
    with postgresql_server() as database_url, contextlib.ExitStack() as stack:
        migrate(database_url)
        redis_.start()
        stack.callback(redis_.stop)
        processes = [
            stack.enter_context(process(directory / f"process-{n}", database_url, redis_, mail))
            for n in range(PROCESSES)
        ]
        port = free_port()
        ports = [running.port for running in processes]
        config, certificate = nginx_site_config(directory, port, free_port(), ports, directory / "blobs")
        stack.enter_context(nginx_server(config, port))
        tls = ssl.create_default_context(cafile=str(certificate))
        ada = ThroughNginx(port, tls=tls, address="127.0.2.1")
        nginx.log_in(ada, mail)
        yield Site(port, tls, processes, redis_, ada)
        for running in processes:
            assert "Traceback" not in running.log
            assert not SERVER_ERROR.search(running.log)


def path_of(reply: Reply) -> str:
    return f"/-/documents/{reply.json['__meta__']['id']}"


def create(client: Client, title: str, **fields: Any) -> tuple[str, Reply]:
    created = client.post("/-/documents/", {"title": title, **fields})
    assert created.status == 201, created.body
    return path_of(created), created


def first_of(page: Reply) -> dict[str, Any]:
    assert page.status == 200, page.body
    return page.json["results"][0]


def test_a_write_through_one_process_is_read_through_every_other(site):
    url, created = create(site.as_ada(0), "Round 0")
    etag = created.headers["ETag"]
    for round_ in range(ROUNDS):
        writer = round_ % PROCESSES
        readers = [(writer + step) % PROCESSES for step in range(1, PROCESSES)]
        # The first process to read the page makes it; the others get it from Redis, made at the same moment.
        pages = [site.as_ada(n).get(LIST) for n in range(PROCESSES)]
        assert len({page.headers["X-Page-Generated"] for page in pages}) == 1
        assert len({page.headers["ETag"] for page in pages}) == 1
        assert site.redis.cached_pages() > 0
        old_page = pages[0].headers["ETag"]

        title = f"Round {round_ + 1}"
        written = site.as_ada(writer).put(url, {"title": title}, **{"If-Match": etag})
        assert written.status == 200, written.body
        old, etag = etag, written.headers["ETag"]
        assert etag != old

        for reader in readers:
            client = site.as_ada(reader)
            item = client.get(url)
            assert (item.status, item.headers["ETag"], item.json["title"]) == (200, etag, title)
            assert client.get(url, **{"If-None-Match": old}).json["title"] == title
            assert client.get(url, **{"If-None-Match": etag}).status == 304
            page = client.get(LIST)
            assert (first_of(page)["__meta__"]["url"].endswith(url), first_of(page)["title"]) == (True, title)
            assert page.headers["ETag"] != old_page
            assert first_of(client.get(LIST, **{"If-None-Match": old_page}))["title"] == title
            assert client.get(LIST, **{"If-None-Match": page.headers["ETag"]}).status == 304
        assert first_of(site.ada.get(LIST))["title"] == title


def test_concurrent_writers_spread_over_the_processes_lose_no_update(site):
    url, _ = create(site.as_ada(0), "Tagged by everyone", tags=[])
    writers = [site.as_ada(number % PROCESSES) for number in range(WRITERS)]
    reads = [writer.get(url) for writer in writers]
    first_tries: list[int] = [0] * WRITERS

    def add_own_tag(number: int) -> Reply:
        """Read, write under If-Match, and on 412 read again and retry, as a careful client does."""
        writer, read = writers[number], reads[number]
        for attempt in range(ATTEMPTS):
            tags = [*read.json["tags"], f"writer {number}"]
            written = writer.put(url, {"tags": tags}, **{"If-Match": read.headers["ETag"]})
            if attempt == 0:
                first_tries[number] = written.status
            if written.status != 412:
                break
            read = writer.get(url)
        return written

    replies = concurrently(WRITERS, add_own_tag)
    assert [reply.status for reply in replies] == [200] * WRITERS, [reply.body for reply in replies]
    # All read the same version first: one of them won it, each of the others was told so.
    assert sorted(first_tries) == [200] + [412] * (WRITERS - 1)
    everyone = sorted(f"writer {number}" for number in range(WRITERS))
    for n in range(PROCESSES):
        final = site.as_ada(n).get(url).json
        assert sorted(final["tags"]) == everyone
        assert final["__meta__"]["version"] == WRITERS + 1
        assert sorted(first_of(site.as_ada(n).get(LIST))["tags"]) == everyone


def logged_in(site: Site, address: str) -> ThroughNginx:
    """A new session of Ada's, from ``address`` through nginx, with its CSRF token."""
    client = site.client(address)
    login(client)
    client.csrf_token = client.get("/-/login").json["csrf_token"]
    return client


def assert_refused(replies: list[Reply]) -> None:
    for reply in replies:
        assert reply.status == 401, reply.body
        assert reply.headers["WWW-Authenticate"]


def test_a_logout_through_one_process_ends_the_session_on_every_process(site):
    session = logged_in(site, "127.0.2.2")
    for n in range(PROCESSES):
        assert site.direct(n, like=session).get("/-/userprofile").status == 200
    assert site.direct(1, like=session).put("/-/logout", {}).status == 200

    # The same cookie and CSRF token, sent to every process at once.
    tabs = [site.direct(n, like=session) for n in range(PROCESSES)]
    assert_refused(concurrently(PROCESSES, lambda n: tabs[n].get("/-/userprofile")))
    assert_refused(concurrently(PROCESSES, lambda n: tabs[n].post("/-/documents/", {"title": "Too late"})))
    assert session.get("/-/userprofile").status == 401


def test_ending_the_other_sessions_through_one_process_ends_them_on_every_process(site):
    others = [logged_in(site, f"127.0.2.{3 + n}") for n in range(2)]
    for other in others:
        for n in range(PROCESSES):
            assert site.direct(n, like=other).get("/-/userprofile").status == 200

    assert site.as_ada(1).request("DELETE", "/-/sessions/").status == 204

    for other in others:
        assert_refused([site.direct(n, like=other).get("/-/userprofile") for n in range(PROCESSES)])
    for n in range(PROCESSES):
        assert site.as_ada(n).get("/-/userprofile").status == 200
    assert len(site.as_ada(2).get("/-/sessions/").json["results"]) == 1


def served_by(site: Site, prefix: str) -> list[int]:
    """How many requests whose ids start with ``prefix`` each process answered."""
    return [
        sum(line["id"].startswith(prefix) for line in running.request_lines()) for running in site.processes
    ]


def limited(site: Site, address: str, prefix: str) -> list[Reply]:
    """Three times the limit of requests from ``address``, through nginx, all at once."""
    count = PROCESSES * ANON_LIMIT
    return concurrently(
        count, lambda n: site.client(address).get("/-/version", **{"X-Request-Id": f"{prefix}{n}"})
    )


def assert_limit_held(replies: list[Reply]) -> None:
    statuses = [reply.status for reply in replies]
    assert statuses.count(200) == ANON_LIMIT, statuses
    assert statuses.count(429) == len(replies) - ANON_LIMIT, statuses
    for reply in replies:
        if reply.status == 429:
            assert reply.json["errors"][0]["name"] == "too_many_requests"
            assert 0 < int(reply.headers["Retry-After"]) <= 24 * 3600


def test_a_limit_holds_exactly_across_the_processes(site):
    assert_limit_held(limited(site, "127.0.3.1", "limit-"))
    # nginx spread them, and each process counted them all together.
    assert all(served_by(site, "limit-"))
    assert sum(served_by(site, "limit-")) == PROCESSES * ANON_LIMIT
    assert [site.direct(n, address="127.0.3.1").get("/-/version").status for n in range(PROCESSES)] == [
        429
    ] * PROCESSES
    # Behind nginx, every client is told apart by its own address.
    other = site.client("127.0.3.2").get("/-/version")
    assert (other.status, other.headers["X-RateLimit-Remaining"]) == (200, str(ANON_LIMIT - 1))


def heartbeats(site: Site) -> list[Reply]:
    return [site.direct(n).get("/-/heartbeat") for n in range(PROCESSES)]


def test_the_site_outlives_redis_stopping_and_starting_again(site):
    url, created = create(site.as_ada(0), "Before the outage")
    for n in range(PROCESSES):
        site.as_ada(n).get(LIST)
    ends = site.log_ends()
    site.redis.stop()
    try:
        for down in heartbeats(site):
            assert down.status == 503
            assert [error["name"] for error in down.json["errors"]] == ["redis"]
        written = site.as_ada(1).put(
            url, {"title": "During the outage"}, **{"If-Match": created.headers["ETag"]}
        )
        assert written.status == 200, written.body
        for n in range(PROCESSES):
            assert site.as_ada(n).get(url).json["title"] == "During the outage"
            assert first_of(site.as_ada(n).get(LIST))["title"] == "During the outage"
        for _ in range(2 * PROCESSES):
            assert first_of(site.ada.get(LIST))["title"] == "During the outage"
        # Each process counts in its own memory meanwhile, and holds the limit there.
        for n in range(PROCESSES):
            client = site.direct(n, address="127.0.4.1")
            statuses = [client.get("/-/version").status for _ in range(ANON_LIMIT + 1)]
            assert statuses == [200] * ANON_LIMIT + [429]
    finally:
        site.redis.start()

    wait_for(lambda: all(reply.status == 200 for reply in heartbeats(site)), "heartbeat of every process")
    time.sleep(RETRY_DELAY)  # when each process tries Redis for its limits again
    for n in range(PROCESSES):
        assert site.as_ada(n).get(url).json["title"] == "During the outage"
        assert first_of(site.as_ada(n).get(LIST))["title"] == "During the outage"
    assert_limit_held(limited(site, "127.0.4.2", "after-outage-"))
    for log in site.logs_since(ends):
        assert log.count(THROTTLE_WARNING) == 1
        assert log.count(CACHE_WARNING) == 1
        assert log.count("Redis answers again: rate limits are counted there") == 1
        assert log.count("Redis answers again: the page cache starts afresh") == 1
        assert "Traceback" not in log
        assert not SERVER_ERROR.search(log)


def test_a_write_while_redis_is_out_of_reach_is_never_answered_stale(site):
    url, created = create(site.as_ada(0), "Cached before")
    pages = [site.as_ada(n).get(LIST) for n in range(PROCESSES)]
    assert len({page.headers["X-Page-Generated"] for page in pages}) == 1
    with site.redis.out_of_reach():
        written = site.as_ada(0).put(
            url, {"title": "Written meanwhile"}, **{"If-Match": created.headers["ETag"]}
        )
        assert written.status == 200, written.body
        for n in range(PROCESSES):
            assert first_of(site.as_ada(n).get(LIST))["title"] == "Written meanwhile"
        assert [reply.status for reply in heartbeats(site)] == [503] * PROCESSES
    time.sleep(RETRY_DELAY)  # when each process tries Redis for its pages again
    # Redis still holds the page cached before the write: no process answers it, the writer last.
    for n in (1, 2, 0):
        page = site.as_ada(n).get(LIST)
        assert first_of(page)["title"] == "Written meanwhile"
        assert page.headers["ETag"] != pages[0].headers["ETag"]
    # The cache serves again, one page to all.
    again = [site.as_ada(n).get(LIST) for n in range(PROCESSES)]
    assert len({page.headers["X-Page-Generated"] for page in again}) == 1
    assert first_of(again[0])["title"] == "Written meanwhile"
    wait_for(lambda: all(reply.status == 200 for reply in heartbeats(site)), "heartbeat of every process")
