"""A primary failover drill: 503s while no server takes writes, then service from the promoted standby.

backrest's URL names both servers in libpq's multi-host form with
``target_session_attrs=read-write``, as docs/deployment.rst has an operator
write it: each connection goes to whichever of them takes writes. The
primary stops; until the standby is promoted, neither takes writes, and
every request that needs the database is a 503 in the error shape, never a
500. Once the standby is promoted, the service resumes by itself, with every
write acknowledged before the failover and the sessions it had.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from tests.integration.test_database_down import assert_database_down
from tests.integration.test_server import login, running_server, signup_and_confirm
from tests.servers import postgresql_with_standby

if TYPE_CHECKING:
    from tests.servers import PostgreSQL

DOCUMENTS = 5
GAP_REQUESTS = 6
"""Requests sent while no server takes writes: reads, writes and a login."""
RECOVERY_TIMEOUT = 30.0
"""Seconds the service may take to find the promoted standby: a pooled connection's check and a new one."""


def failover_url(*servers: PostgreSQL) -> str:
    """The database on whichever of ``servers`` takes writes (libpq's multi-host connection string)."""
    hosts = "&".join(f"host=127.0.0.1:{server.port}" for server in servers)
    return f"postgresql+psycopg://backrest@/backrest?{hosts}&target_session_attrs=read-write"


def test_a_failover_is_503s_until_the_standby_is_promoted_then_service_resumes(tmp_path):
    with postgresql_with_standby() as cluster:
        url = failover_url(cluster.primary, cluster.standby)
        with running_server(tmp_path, url) as server:
            client = server.client()
            signup_and_confirm(server, client)
            login(client)
            client.csrf_token = client.get("/-/login").json["csrf_token"]
            written = {}
            for number in range(DOCUMENTS):
                created = client.post("/-/documents/", {"title": f"Before the failover {number}"})
                assert created.status == 201, created.body
                written[created.json["__meta__"]["id"]] = created.json["title"]

            # A fast shutdown sends the standby every write the primary acknowledged.
            cluster.primary.run("pg_ctl", "-D", str(cluster.primary.data), "-m", "fast", "-w", "stop")
            for number in range(GAP_REQUESTS):
                reply = (
                    client.get("/-/documents/")
                    if number % 2
                    else client.post("/-/documents/", {"title": "During the gap"})
                )
                assert_database_down(server, reply)

            cluster.standby.run("pg_ctl", "-D", str(cluster.standby.data), "-w", "promote")
            deadline = time.monotonic() + RECOVERY_TIMEOUT
            while (reply := client.get("/-/documents/?ordering=created")).status != 200:
                assert reply.status == 503, reply.body
                assert time.monotonic() < deadline, (
                    f"no service {RECOVERY_TIMEOUT} seconds after the promotion"
                )
                time.sleep(0.2)
            # The session made on the old primary is valid on the new one, and so is every write.
            assert {item["__meta__"]["id"]: item["title"] for item in reply.json["results"]} == written
            after = client.post("/-/documents/", {"title": "After the failover"})
            assert after.status == 201, after.body
            assert (
                client.get(f"/-/documents/{after.json['__meta__']['id']}").json["title"]
                == "After the failover"
            )
            assert "Traceback" not in server.log
            assert not [line for line in server.request_lines() if line["status"] == "500"]
