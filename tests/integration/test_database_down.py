"""The database going down under a running server, and coming back: 503s in the error shape, then recovery.

The server is ``pserve`` on a PostgreSQL cluster of its own, which the test
stops and starts again; the clusters other tests share keep running.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shlex
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, text

from tests.conftest import PASSWORD
from tests.integration.test_server import running_server, signup
from tests.servers import postgres_bin_dir, postgresql_server

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.integration.test_server import Client, Reply, Server

RECOVERY_TIMEOUT = 10.0


def data_directory(url: str) -> Path:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return Path(connection.execute(text("SHOW data_directory")).scalar_one())
    finally:
        engine.dispose()


def pg_ctl(data: Path, *arguments: str) -> None:
    """``pg_ctl`` on the cluster in ``data``, as the user who owns it (PostgreSQL refuses to run as root)."""
    owner = data.stat().st_uid
    prefix = [] if owner == os.geteuid() else ["runuser", "-u", pwd.getpwuid(owner).pw_name, "--"]
    command = [*prefix, str(postgres_bin_dir() / "pg_ctl"), "-D", str(data), "-w", *arguments]
    subprocess.run(command, check=True, capture_output=True)


@contextlib.contextmanager
def stopped(url: str) -> Iterator[None]:
    """The PostgreSQL server of ``url`` stopped for the block, then started again as it ran."""
    data = data_directory(url)
    # postmaster.opts: the server's command line, "-D <data>" first.
    options = shlex.split((data / "postmaster.opts").read_text())[3:]
    pg_ctl(data, "-m", "fast", "stop")
    try:
        yield
    finally:
        pg_ctl(data, "-o", shlex.join(options), "-l", str(data.parent / "log"), "start")


def assert_database_down(server: Server, reply: Reply) -> None:
    """A 503 in the error shape, whose request id is in the server's log line about it."""
    assert reply.status == 503
    assert reply.headers["Retry-After"] == "30"
    [error] = reply.json["errors"]
    assert (error["location"], error["name"]) == ("request", "database")
    request_id = reply.headers["X-Request-Id"]
    assert reply.json["request_id"] == request_id
    assert f"the database does not answer in request {request_id}" in server.log


def login(client: Client) -> Reply:
    return client.put("/-/login", {"login": "ada@example.com", "password": PASSWORD})


def test_a_stopped_database_is_503_until_it_is_back(tmp_path):
    with postgresql_server() as url, running_server(tmp_path, url) as server:
        client = server.client()
        assert signup(client).status == 201
        assert client.get("/-/documents/").status == 200
        with stopped(url):
            # The first finds its pooled connection dead; the others cannot connect.
            for reply in (client.get("/-/documents/"), login(client), signup(client, "bob@example.com")):
                assert_database_down(server, reply)
            assert "Traceback" not in server.log
            assert server.client().get("/-/heartbeat").status == 503
        deadline = time.monotonic() + RECOVERY_TIMEOUT
        while (reply := client.get("/-/documents/")).status != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert reply.status == 200
        assert login(client).status == 200
        assert "SELECT" not in server.log
