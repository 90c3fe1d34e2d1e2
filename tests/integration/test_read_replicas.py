"""A real streaming standby that applies each commit two seconds late, behind a real backrest process.

The writer sends back the position of its last write, as the Python client
does: it never reads anything older than what it wrote. Another client,
which carries no position, reads on the standby and sees the lag. A standby
that stops costs no request, the heartbeat says so, and it serves reads
again once it is back. Writes always succeed: a hot standby refuses them.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text

from backrest.replicas.positions import HEADER
from tests.integration.test_server import Client, Reply, login, running_server, signup_and_confirm
from tests.servers import postgresql_with_standby

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.integration.test_server import Server
    from tests.servers import PrimaryAndStandby

APPLY_DELAY = 2.0
"""Seconds the standby waits before it applies a commit: reads without a position are that far behind."""
ROUNDS = 12
REPLICA_SETTINGS = {
    # The writer's reads give up on the standby quickly: it is two seconds behind them.
    "backrest.db.replica_max_wait": "0.1",
    "backrest.db.replica_retry": "1",
}
STARTUP = 30.0
"""Seconds the standby gets to replay the schema the process made at its start."""
RECOVERY = 30.0
"""Seconds a restarted standby gets to serve reads again (it replays what it missed, two seconds late)."""


class Writer:
    """A logged-in client that sends back the position of its last write, as the Python client does."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.position = ""

    def request(self, method: str, path: str, body: object = None, **headers: str) -> Reply:
        if self.position:
            headers[HEADER] = self.position
        reply = self.client.request(method, path, body, **headers)
        self.position = reply.headers.get(HEADER, self.position)
        return reply

    def count(self) -> int:
        """How many documents the writer sees: all it wrote, whatever the standby has replayed."""
        reply = self.request("GET", "/-/documents/")
        assert reply.status == 200, reply.body
        return reply.json["count"]

    def create(self, title: str) -> Reply:
        reply = self.request("POST", "/-/documents/", {"title": title})
        assert reply.status == 201, reply.body
        assert reply.headers[HEADER]
        return reply


def wait_for_the_schema(standby_url: str) -> None:
    """Until the standby has replayed the schema: a replica that has replayed nothing serves no read."""
    engine = create_engine(standby_url)
    deadline = time.monotonic() + STARTUP
    try:
        while True:
            with engine.connect() as connection:
                if connection.scalar(text("SELECT to_regclass('documents') IS NOT NULL")):
                    return
            assert time.monotonic() < deadline, "the standby never replayed the schema"
            time.sleep(0.2)
    finally:
        engine.dispose()


def logged_in(server: Server) -> Client:
    client = server.client()
    login(client)
    client.csrf_token = client.get("/-/login").json["csrf_token"]
    return client


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, PrimaryAndStandby]]:
    """A backrest process on a primary whose standby serves its reads; the standby's servers too."""
    with (
        postgresql_with_standby(f"{APPLY_DELAY}s") as pair,
        running_server(
            tmp_path_factory.mktemp("replicas"),
            pair.primary.url,
            **{"backrest.db.replica_url": pair.standby.url, **REPLICA_SETTINGS},
        ) as server,
    ):
        signup_and_confirm(server, server.client())
        wait_for_the_schema(pair.standby.url)
        yield server, pair
        assert "Traceback" not in server.log


def documents(client: Client, **headers: str) -> int:
    reply = client.get("/-/documents/", **headers)
    assert reply.status == 200, reply.body
    return reply.json["count"]


def test_the_writer_reads_every_write_at_once_and_others_read_the_lagging_standby(site):
    server, _pair = site
    writer = Writer(logged_in(server))
    other = logged_in(server)
    writer.create("Before the rounds")
    before = writer.count()
    stale = 0
    for round_ in range(ROUNDS):
        created = writer.create(f"Round {round_}")
        url = urlsplit(created.headers["Location"]).path
        stale += documents(other) < before + round_ + 1
        read = writer.request("GET", url)
        assert (read.status, read.json["title"]) == (200, f"Round {round_}")
        assert writer.count() == before + round_ + 1
        revised = writer.request(
            "PUT", url, {"title": f"Round {round_}, revised"}, **{"If-Match": read.headers["ETag"]}
        )
        assert revised.status == 200, revised.body
        assert writer.request("GET", url).json["title"] == f"Round {round_}, revised"
        assert writer.request("GET", url, **{"If-None-Match": revised.headers["ETag"]}).status == 304
    # Without a position, reads went to the standby, seconds behind the writes.
    assert stale == ROUNDS
    deadline = time.monotonic() + APPLY_DELAY + 10
    while documents(other) < before + ROUNDS:
        assert time.monotonic() < deadline, "the standby never caught up"
        time.sleep(0.2)


def test_a_stopped_standby_costs_no_request_and_serves_again_once_back(site):
    server, pair = site
    writer = Writer(logged_in(server))
    other = logged_in(server)
    writer.create("Before the standby stops")
    before = writer.count()
    pair.standby.stop()
    try:
        writer.create("While the standby is down")
        # Reads without a position go to the primary now: they see the write at once.
        assert documents(other) == before + 1
        assert writer.count() == before + 1
        heartbeat = other.get("/-/heartbeat")
        assert heartbeat.status == 200
        assert heartbeat.json["status"] == "ok"
        assert heartbeat.json["checks"]["replica"] == "degraded"
    finally:
        pair.standby.start()
    deadline = time.monotonic() + RECOVERY
    while other.get("/-/heartbeat").json["checks"]["replica"] != "ok":
        assert time.monotonic() < deadline, "the heartbeat never saw the standby back"
        time.sleep(0.2)
    # Back in use: a read without a position is behind the write just made.
    count = before + 1
    while True:
        writer.create("Once the standby is back")
        count += 1
        if documents(other) < count:
            break
        assert time.monotonic() < deadline, "reads never went back to the standby"
        time.sleep(0.2)
    assert writer.count() == count
