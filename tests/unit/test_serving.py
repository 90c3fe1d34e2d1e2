"""waitress stopping gracefully (backrest.serving): a real waitress in this process, over raw sockets.

The server runs in a thread of its own and is stopped with ``stop()``, as
the signal handlers of ``egg:backrest#waitress`` do; tests/integration/
test_rolling_restart.py sends the signals themselves to ``pserve``.
"""

from __future__ import annotations

import configparser
import contextlib
import logging
import signal
import socket
import threading
import time
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from waitress.server import create_server

from backrest.serving.drain import DrainingServer
from backrest.serving.runner import DEFAULT_DRAIN_TIMEOUT, parse_drain_timeout, serve_paste, stopping_on

if TYPE_CHECKING:
    from collections.abc import Iterator

WAIT = 10.0
"""How long a test waits for what should happen at once: far more than it takes, on a busy machine."""
ROOT = Path(__file__).resolve().parents[2]
BIG = 16 * 1024 * 1024
"""An answer larger than what the sockets' buffers hold, so that waitress still has some to send."""


class App:
    """A WSGI app: ``/slow`` waits until released, ``/big`` answers :data:`BIG` bytes, ``/echo`` its body."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, environ: dict, start_response) -> list[bytes]:
        path = environ["PATH_INFO"]
        if path == "/slow":
            self.entered.set()
            self.release.wait(WAIT * 3)
            body = b"done"
        elif path == "/big":
            body = bytes(range(256)) * (BIG // 256)
        else:
            body = environ["wsgi.input"].read()
        start_response(
            "200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(body)))]
        )
        return [body]


@dataclass
class Running:
    ports: list[int]
    server: DrainingServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        return self.ports[0]

    def connect(self, receive_buffer: int | None = None) -> socket.socket:
        connection = socket.socket()
        if receive_buffer:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        connection.settimeout(WAIT)
        connection.connect(("127.0.0.1", self.port))
        return connection

    def stopped(self) -> bool:
        """Whether ``run()`` has returned, waiting :data:`WAIT` seconds at most."""
        self.thread.join(WAIT)
        return not self.thread.is_alive()


@contextlib.contextmanager
def serving(app: App, drain_timeout: float = 30.0, listen: str = "127.0.0.1:0") -> Iterator[Running]:
    socket_map: dict = {}
    server = create_server(app, map=socket_map, listen=listen, threads=2)
    listening = getattr(server, "effective_listen", None) or [(server.effective_host, server.effective_port)]
    draining = DrainingServer(server, socket_map, drain_timeout)
    thread = threading.Thread(target=draining.run, daemon=True)
    thread.start()
    try:
        yield Running([int(port) for _, port in listening], draining, thread)
    finally:
        app.release.set()
        draining.stop("the test's end")
        thread.join(WAIT)


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=WAIT).close()
    except ConnectionRefusedError:
        return True
    except ConnectionResetError:
        # Taken in the listening socket's queue as it closed: not refused yet.
        return False
    return False


def wait_until_refused(port: int) -> None:
    deadline = time.monotonic() + WAIT
    while not refused(port):
        assert time.monotonic() < deadline, f"port {port} still takes connections"
        time.sleep(0.01)


def read_answer(connection: socket.socket) -> tuple[bytes, bytes]:
    """The head and the body (by its Content-Length) of the next answer on ``connection``."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, f"the connection closed after {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    [length] = [
        line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    ]
    while len(body) < int(length):
        chunk = connection.recv(65536)
        assert chunk, f"the connection closed after {len(body)} of {int(length)} bytes"
        body += chunk
    return head, body


def closed_by_server(connection: socket.socket) -> bool:
    try:
        return connection.recv(1) == b""
    except ConnectionResetError:
        return True


@pytest.fixture
def wsgi_app() -> App:
    return App()


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="backrest.serving")
    return caplog


def test_a_request_under_way_is_answered_while_new_connections_are_refused(wsgi_app, logged):
    with serving(wsgi_app) as running, running.connect() as connection:
        connection.sendall(b"GET /slow HTTP/1.1\r\nHost: test\r\n\r\n")
        assert wsgi_app.entered.wait(WAIT)
        running.server.stop("SIGTERM")
        wait_until_refused(running.port)
        assert running.thread.is_alive()

        wsgi_app.release.set()
        head, body = read_answer(connection)
        assert head.startswith(b"HTTP/1.1 200 OK")
        assert body == b"done"
        assert running.stopped()
        assert closed_by_server(connection)
    [stopping, stopped] = [
        record.getMessage() for record in logged.records if record.name == "backrest.serving.drain"
    ]
    assert (
        stopping
        == "stopping on SIGTERM: no new connections; 1 with a request under way, given at most 30 seconds"
    )
    assert stopped.startswith("stopped: every request finished, in ")


def test_idle_kept_alive_connections_are_closed_at_once(wsgi_app, logged):
    with serving(wsgi_app) as running, running.connect() as idle:
        idle.sendall(b"POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 2\r\n\r\nhi")
        assert read_answer(idle)[1] == b"hi"

        running.server.stop("SIGINT")
        # Well before the drain timeout (30 seconds): nothing was under way.
        assert running.stopped()
        assert closed_by_server(idle)
        assert refused(running.port)
    assert "stopping on SIGINT: no new connections;" in logged.text
    assert "stopped: every request finished" in logged.text


def test_a_request_partly_received_is_received_in_full_and_answered(wsgi_app):
    body = b"x" * 100_000
    with serving(wsgi_app) as running, running.connect() as connection:
        connection.sendall(
            b"POST /echo HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)
        )
        # The server has the head: the request is under way.
        assert connection.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        running.server.stop("SIGTERM")
        wait_until_refused(running.port)

        for start in range(0, len(body), 10_000):
            connection.sendall(body[start : start + 10_000])
            time.sleep(0.01)
        head, echoed = read_answer(connection)
        assert head.startswith(b"HTTP/1.1 200 OK")
        assert echoed == body
        assert running.stopped()


def test_an_answer_not_all_sent_is_sent_to_the_end(wsgi_app):
    with serving(wsgi_app) as running, running.connect(receive_buffer=16384) as connection:
        connection.sendall(b"GET /big HTTP/1.1\r\nHost: test\r\n\r\n")
        first = connection.recv(1024)
        assert first.startswith(b"HTTP/1.1 200 OK")
        running.server.stop("SIGTERM")
        wait_until_refused(running.port)
        assert running.thread.is_alive()

        rest = b""
        while chunk := connection.recv(1024 * 1024):
            rest += chunk
        body = (first + rest).split(b"\r\n\r\n", 1)[1]
        assert body == bytes(range(256)) * (BIG // 256)
        assert running.stopped()


def test_every_listening_socket_is_closed(wsgi_app):
    with serving(wsgi_app, listen="127.0.0.1:0 127.0.0.1:0") as running:
        assert len(set(running.ports)) == 2
        running.server.stop("SIGTERM")
        assert running.stopped()
        assert all(refused(port) for port in running.ports)


def test_a_request_still_running_at_the_drain_timeout_is_cut(wsgi_app, logged):
    with serving(wsgi_app, drain_timeout=0.5) as running, running.connect() as connection:
        connection.sendall(b"GET /slow HTTP/1.1\r\nHost: test\r\n\r\n")
        assert wsgi_app.entered.wait(WAIT)
        running.server.stop("SIGTERM")
        assert running.stopped()
        assert closed_by_server(connection)
    [stopped] = [record for record in logged.records if record.getMessage().startswith("stopped")]
    assert stopped.levelno == logging.WARNING
    assert "cutting 1 connections with a request unfinished" in stopped.getMessage()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_signals_call_stop_with_their_name_then_their_handlers_are_back(signum):
    before = signal.getsignal(signum)
    reasons = []
    with stopping_on([signal.SIGTERM, signal.SIGINT], reasons.append):
        signal.raise_signal(signum)
        signal.raise_signal(signum)
    assert reasons == [signum.name, signum.name]
    assert signal.getsignal(signum) is before


def test_drain_timeout_defaults_and_parses():
    assert parse_drain_timeout(None) == DEFAULT_DRAIN_TIMEOUT
    assert parse_drain_timeout("2.5") == 2.5


@pytest.mark.parametrize("value", ["0", "-1", "soon", "inf", "nan", ""])
def test_drain_timeout_must_be_seconds_above_zero(value):
    with pytest.raises(ValueError, match="drain_timeout must be a number of seconds above 0"):
        parse_drain_timeout(value)


def test_a_bad_drain_timeout_is_refused_before_listening(wsgi_app):
    with pytest.raises(ValueError, match="drain_timeout"):
        serve_paste(wsgi_app, {}, listen="127.0.0.1:0", drain_timeout="soon")


@pytest.mark.parametrize("ini", ["production.ini", "development.ini"])
def test_the_ini_files_serve_with_this_runner_and_its_options(ini):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / ini)
    options = dict(parser["server:main"])
    assert options.pop("use") == "egg:backrest#waitress"
    [runner] = [entry for entry in entry_points(group="paste.server_runner") if entry.dist.name == "backrest"]
    assert runner.name == "waitress"
    assert runner.load() is serve_paste
    assert parse_drain_timeout(options.get("drain_timeout")) == DEFAULT_DRAIN_TIMEOUT
