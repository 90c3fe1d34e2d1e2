"""Rate limits held in Redis by real processes: one limit across two servers, and Redis going away.

Both servers use one SQLite database (the first one to start migrates it)
and one Redis; counting does not depend on the database.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING

from backrest.throttle.storage import RETRY_DELAY
from tests.integration.test_server import running_server
from tests.servers import free_port, redis_server

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.integration.test_server import Reply, Server

RATE = {"backrest.throttle.anon": "4/day"}


def remaining(reply: Reply) -> int:
    return int(reply.headers["X-RateLimit-Remaining"])


@contextlib.contextmanager
def servers(directory: Path, count: int, redis_url: str) -> Iterator[list[Server]]:
    """``count`` pserve processes on one database, counting in the Redis at ``redis_url``."""
    database = f"sqlite:///{directory / 'backrest.sqlite'}"
    with contextlib.ExitStack() as stack:
        started = []
        for number in range(count):
            home = directory / f"server{number}"
            home.mkdir()
            settings = {**RATE, "backrest.redis_url": redis_url}
            started.append(stack.enter_context(running_server(home, database, **settings)))
        yield started


def test_two_processes_on_one_redis_hold_one_limit(tmp_path):
    with redis_server() as url, servers(tmp_path, 2, url) as (one, other):
        replies = [server.client().get("/-/") for server in (one, other, one, other)]
        assert [reply.status for reply in replies] == [200] * 4
        assert [remaining(reply) for reply in replies] == [3, 2, 1, 0]
        for server in (one, other):
            refused = server.client().get("/-/documents/")
            assert refused.status == 429
            assert refused.json["errors"][0]["name"] == "too_many_requests"
            assert 0 < int(refused.headers["Retry-After"]) <= 24 * 3600
        assert "Traceback" not in one.log + other.log


def test_the_service_keeps_answering_when_redis_stops(tmp_path):
    port = free_port()
    with servers(tmp_path, 1, f"redis://127.0.0.1:{port}/0") as (server,):
        with redis_server(port):
            client = server.client()
            assert remaining(client.get("/-/")) == 3
            assert client.get("/-/heartbeat").json["checks"]["redis"] == "ok"
        # Redis stopped: counted in this process's memory from now on.
        replies = [client.get("/-/") for _ in range(5)]
        assert [reply.status for reply in replies] == [200] * 4 + [429]
        assert [remaining(reply) for reply in replies] == [3, 2, 1, 0, 0]
        down = client.get("/-/heartbeat")
        assert down.status == 503
        assert down.json["errors"][0]["name"] == "redis"
        assert server.log.count("rate limits are counted in this process until Redis answers again") == 1
        # Redis back (empty): counted there again.
        with redis_server(port):
            time.sleep(RETRY_DELAY + 0.1)
            assert remaining(client.get("/-/")) == 3
            assert client.get("/-/heartbeat").status == 200
        assert "Redis answers again" in server.log
        assert "Traceback" not in server.log
        assert " 500 " not in server.log
