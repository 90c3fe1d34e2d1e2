"""backrest through PgBouncer in transaction mode: four processes share a pool smaller than their clients.

Each transaction may run on another server connection than the one before.
Whatever a connection keeps between transactions (a prepared statement, a
setting) would be found missing, or another client's, on the next one.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from backrest.db import get_engine
from backrest.migrations import upgrade
from tests.integration.test_server import Client, Reply, login, running_server, signup_and_confirm
from tests.servers import pgbouncer_server, postgresql_server

PROCESSES = 4
ROUNDS = 12
"""Each client's statements run more times than psycopg's threshold for preparing them (5)."""
THROUGH_PGBOUNCER = {"backrest.db.prepared_statements": "false", "backrest.db.auto_migrate": "false"}


def migrate(url: str) -> None:
    """The schema, straight to PostgreSQL, as ``backrest migrate`` makes it before the processes start."""
    engine = get_engine({"sqlalchemy.url": url})
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def mixed_use(client: Client, name: str) -> list[str]:
    """Create, read, list, update under If-Match, delete, again and again; answers what went wrong."""
    problems = []

    def went(reply: Reply, status: int, what: str) -> bool:
        if reply.status != status:
            problems.append(f"{name} {what}: {reply.status} {reply.body[:300]!r}")
        return reply.status == status

    for round_ in range(ROUNDS):
        created = client.post("/-/documents/", {"title": f"{name} {round_}", "tags": [name]})
        if not went(created, 201, "create"):
            continue
        url = urlsplit(created.headers["Location"]).path
        read = client.get(url)
        went(client.get(f"/-/documents/?search={name}&ordering=-modified"), 200, "list")
        if not went(read, 200, "read"):
            continue
        revised = {"title": f"{name} {round_}, revised"}
        updated = client.put(url, revised, **{"If-Match": read.headers["ETag"]})
        if went(updated, 200, "update"):
            went(client.request("DELETE", url, **{"If-Match": updated.headers["ETag"]}), 204, "delete")
    return problems


def test_four_processes_through_pgbouncer_in_transaction_mode(tmp_path):
    with postgresql_server() as direct:
        migrate(direct)
        with pgbouncer_server(direct, pool_size=2) as pooled, contextlib.ExitStack() as stack:
            servers = []
            for n in range(PROCESSES):
                directory = tmp_path / f"process-{n}"
                directory.mkdir()
                servers.append(stack.enter_context(running_server(directory, pooled, **THROUGH_PGBOUNCER)))
            first = servers[0].client()
            signup_and_confirm(servers[0], first)
            clients = []
            for server in servers:
                client = server.client()
                login(client)
                client.csrf_token = client.get("/-/login").json["csrf_token"]
                clients.append(client)

            with ThreadPoolExecutor(len(clients)) as pool:
                results = pool.map(mixed_use, clients, [f"process{n}" for n in range(PROCESSES)])
            assert [problem for problems in results for problem in problems] == []

            # The sessions live in the database: one made through a process works through all.
            session = clients[0].session
            for server in servers:
                assert Client(server.port, session=session).get("/-/login").json["authenticated"] is True
            assert first.get("/-/documents/").json["count"] == 0
            for server in servers:
                assert "Traceback" not in server.log
