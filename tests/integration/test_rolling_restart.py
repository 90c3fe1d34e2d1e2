"""Graceful shutdown, and a rolling restart behind nginx that loses no request.

Three ``pserve`` processes (``egg:backrest#waitress``) on one PostgreSQL,
behind nginx rendered from ``deploy/nginx.conf`` as docs/deployment.rst
says, with its processes listed with ``max_fails=0``. Clients in threads
read and write through nginx over HTTPS while each process in turn gets
SIGTERM, as systemd stops a unit, exits by itself and is started again on
its port. Every answer is the expected one, and every write answered is in
the database, once.
"""

from __future__ import annotations

import contextlib
import http.client
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import FAST_HASHING, UNREACHED_RATES
from tests.integration import test_nginx as nginx
from tests.integration.test_pgbouncer import migrate
from tests.integration.test_server import (
    COOKIE,
    LOGGING,
    REQUEST_LINE,
    Reply,
    login,
    running_server,
    signup_and_confirm,
    wait_for,
)
from tests.servers import free_port, nginx_server, nginx_site_config, pserve, pserve_ini

if TYPE_CHECKING:
    import ssl
    import subprocess
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

PROCESSES = 3
CLIENTS = 3
ROUNDS = 500
"""Each client's rounds at most: the load stops once every process has restarted, long before."""
PAUSE = 0.2
"""Seconds between a client's rounds: a steady load that leaves the machine the time to start processes."""
SERVED = 3
"""Requests of the load that a process answers before it is stopped, and after it has started again."""
STOP_WAIT = 60.0
"""How long a process may take to exit after SIGTERM: far more than it takes, on a busy machine."""
STOPPED = "stopped: every request finished"
SETTINGS = {
    "backrest.db.auto_migrate": "false",
    "backrest.mail.transport": "file",
    "backrest.mail.worker": "true",
    "backrest.trusted_proxies": "127.0.0.1",
    **FAST_HASHING,
    **UNREACHED_RATES,
}


class Process:
    """One ``pserve`` of the site, on a port it keeps from one start to the next; a log for each start."""

    def __init__(self, directory: Path, database_url: str, mail: Path, blobs: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.starts = 0
        self.ini = directory / "server.ini"
        settings = {
            "sqlalchemy.url": database_url,
            "backrest.mail.directory": str(mail),
            "backrest.files.root": str(blobs),
            **SETTINGS,
        }
        self.ini.write_text(pserve_ini(settings, self.port, LOGGING, server=nginx.WAITRESS))
        self._running = contextlib.ExitStack()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.directory / f"server-{self.starts}.log"

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    def start(self) -> None:
        self.starts += 1
        self._running = contextlib.ExitStack()
        self.process = self._running.enter_context(pserve(self.ini, self.port, self.log_path))

    def stop(self) -> int:
        """SIGTERM; answers the exit status once the process has exited by itself."""
        self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout=STOP_WAIT)
        self._running.close()
        return status

    def close(self) -> None:
        self._running.close()

    def served(self) -> int:
        """How many requests this start of the process has answered."""
        return sum(1 for line in self.log.splitlines() if REQUEST_LINE.search(line))


@contextlib.contextmanager
def site(directory: Path, database_url: str) -> Iterator[tuple[list[Process], nginx.Client]]:
    """The processes behind nginx; yields them, and a client through nginx of a logged-in account."""
    mail, blobs = directory / "mail", directory / "blobs"
    processes = []
    for n in range(PROCESSES):
        (directory / f"process-{n}").mkdir()
        processes.append(Process(directory / f"process-{n}", database_url, mail, blobs))
    port = free_port()
    config, certificate = nginx_site_config(
        directory, port, free_port(), [process.port for process in processes], blobs
    )
    for process in processes:
        # As docs/deployment.rst lists the processes of nginx's own machine, in both upstreams.
        line = f"server 127.0.0.1:{process.port};"
        assert config.count(line) == 2
        config = config.replace(line, f"server 127.0.0.1:{process.port} max_fails=0;")
    with contextlib.ExitStack() as stack, ThreadPoolExecutor(PROCESSES) as starting:
        for process in processes:
            stack.callback(process.close)
        # At once: each takes seconds to start, on a busy machine many more.
        list(starting.map(Process.start, processes))
        stack.enter_context(nginx_server(config, port))
        tls: ssl.SSLContext = nginx.ssl.create_default_context(cafile=str(certificate))
        client = nginx.Client(port, tls=tls)
        nginx.log_in(client, mail)
        yield processes, client


@dataclass
class Load:
    """What the clients saw: the writes acknowledged, and every answer that was not the one expected."""

    acknowledged: dict[str, str] = field(default_factory=dict)
    """The title of each document, as the last write answered left it."""
    uploads: list[str] = field(default_factory=list)
    """The files whose upload was answered."""
    failures: list[str] = field(default_factory=list)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def expect(
        self, client: nginx.Client, status: int, method: str, path: str, body: object = None, **headers: str
    ) -> Reply | None:
        """The reply if it has ``status``; otherwise notes the failure (an error raised included)."""
        try:
            reply = client.request(method, path, body, **headers)
        except (OSError, http.client.HTTPException) as error:
            reply, problem = None, repr(error)
        else:
            problem = f"{reply.status} {reply.body[:200]!r}"
        with self.lock:
            self.requests += 1
            if reply is not None and reply.status == status:
                return reply
            self.failures.append(f"{method} {path}: {problem}")
        return None


def mixed_use(client: nginx.Client, name: str, load: Load, stop: threading.Event) -> None:
    """Read the API's index, upload a file, create a document, read it, replace it under If-Match.

    Round after round.
    """
    for round_ in range(ROUNDS):
        if stop.wait(PAUSE):
            return
        load.expect(client, 200, "GET", "/-/")
        body, form_type = nginx.multipart({"description": name}, f"{name}-{round_}.txt", "text/plain", b"x")
        if uploaded := load.expect(client, 201, "POST", "/-/files/", body, **{"Content-Type": form_type}):
            with load.lock:
                load.uploads.append(uploaded.json["__meta__"]["id"])
        title = f"{name} {round_}"
        created = load.expect(client, 201, "POST", "/-/documents/", {"title": title})
        if created is None:
            continue
        document = created.json["__meta__"]["id"]
        with load.lock:
            load.acknowledged[document] = title
        path = f"/-/documents/{document}"
        read = load.expect(client, 200, "GET", path)
        if read is None:
            continue
        revised = f"{title}, revised"
        if load.expect(client, 200, "PUT", path, {"title": revised}, **{"If-Match": read.headers["ETag"]}):
            with load.lock:
                load.acknowledged[document] = revised


def stored(database_url: str) -> tuple[dict[str, str], list[str]]:
    """The documents' titles by id, and the files' ids."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            documents = dict(connection.execute(text("SELECT id, title FROM documents")).all())
            files = connection.execute(text("SELECT id FROM files")).scalars().all()
            return documents, files
    finally:
        engine.dispose()


def test_a_rolling_restart_behind_nginx_loses_no_request(clean_database, tmp_path):
    migrate(clean_database)
    with site(tmp_path, clean_database) as (processes, ada):
        load, stop = Load(), threading.Event()
        clients = [
            threading.Thread(
                target=mixed_use,
                args=(
                    nginx.Client(ada.port, session=ada.session, csrf_token=ada.csrf_token, tls=ada.tls),
                    f"client{n}",
                    load,
                    stop,
                ),
            )
            for n in range(CLIENTS)
        ]
        for client in clients:
            client.start()
        try:
            for process in processes:
                # It is stopped while it answers its share of the load.
                wait_for(
                    lambda process=process: process.served() >= SERVED, f"requests to {process.port}", 30
                )
                assert process.stop() == 0
                assert STOPPED in process.log
                process.start()
                # nginx sends it requests again before the next one stops.
                wait_for(
                    lambda process=process: process.served() >= SERVED, f"requests to {process.port}", 30
                )
        finally:
            stop.set()
            for client in clients:
                client.join(timeout=60)
        assert not any(client.is_alive() for client in clients)
        assert load.failures == []
        assert load.requests > 50
        for process in processes:
            assert process.starts == 2
            for log in process.directory.glob("server-*.log"):
                assert "Traceback" not in log.read_text()
    # Every write answered is there, once: none lost, none run twice.
    documents, files = stored(clean_database)
    assert documents == load.acknowledged
    assert sorted(files) == sorted(load.uploads)
    assert len(files) > PROCESSES


def test_a_request_under_way_at_sigterm_is_answered_and_new_connections_are_refused(clean_database, tmp_path):
    with running_server(tmp_path, clean_database) as server:
        client = server.client()
        signup_and_confirm(server, client)
        login(client)
        client.csrf_token = client.get("/-/login").json["csrf_token"]
        created = client.post("/-/documents/", {"title": "draft"})
        assert created.status == 201
        document = created.json["__meta__"]["id"]
        path = f"/-/documents/{document}"
        etag = client.get(path).headers["ETag"]

        # A body sent slowly: the request is under way until its last byte.
        body = b'{"title": "final"' + b" " * 200_000 + b"}"
        head = (
            f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nAccept: application/json\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nExpect: 100-continue\r\n"
            f"Cookie: {COOKIE}={client.session}\r\nX-CSRF-Token: {client.csrf_token}\r\n"
            f"If-Match: {etag}\r\n\r\n"
        )
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
            connection.sendall(head.encode())
            # waitress has the request's head.
            interim = b""
            while not interim.endswith(b"\r\n\r\n"):
                interim += connection.recv(1)
            assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
            connection.sendall(body[:1000])

            server.process.send_signal(signal.SIGTERM)
            wait_for(lambda: "stopping on SIGTERM" in server.log, "the stopping line", 30)
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", server.port), timeout=30).close()

            for start in range(1000, len(body), 20_000):
                connection.sendall(body[start : start + 20_000])
                time.sleep(0.05)
            response = http.client.HTTPResponse(connection)
            response.begin()
            answer = response.read()
        assert response.status == 200, answer
        assert server.process.wait(timeout=STOP_WAIT) == 0
        assert STOPPED in server.log
        assert "Traceback" not in server.log
    assert stored(clean_database)[0] == {document: "final"}
