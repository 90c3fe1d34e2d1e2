"""waitress's main loop, run until asked to stop, then drained: no new connections, requests under way end.

waitress itself only stops all at once: on SIGINT its ``run()`` leaves the
main loop, waits at most 5 seconds for its threads while its listening
socket still takes connections that nobody will answer, and exits; SIGTERM,
which it leaves alone, kills the process and every request under way.

waitress has no public API for a graceful stop, so this module uses some of
its internals, each where it is needed: the socket map that
``create_server(map=...)`` fills, the classes of what is in it (the
listening servers, ``BaseWSGIServer``, and the connections,
``HTTPChannel``), a connection's state (``requests``, ``request``,
``total_outbufs_len``) and ``will_close``, which waitress's own maintenance
sets to close a connection idle for too long. tests/unit/test_serving.py
pins the behaviour this relies on.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import time
from typing import TYPE_CHECKING

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer

if TYPE_CHECKING:
    from waitress.server import MultiSocketServer

log = logging.getLogger(__name__)

SocketMap = dict[int, wasyncore.dispatcher]
"""waitress's map of the sockets its main loop watches: file descriptor to dispatcher."""

THREADS_GRACE = 1.0
"""Seconds waitress's threads get to end once no request is left (they are idle then, and end at once)."""


class DrainingServer:
    """waitress's ``server``, served from ``socket_map`` until :meth:`stop`, then drained in ``timeout``."""

    def __init__(
        self, server: BaseWSGIServer | MultiSocketServer, socket_map: SocketMap, timeout: float
    ) -> None:
        self._server = server
        self._map = socket_map
        self._timeout = timeout
        # A plain attribute, not a threading.Event: a signal handler may run
        # while the main thread holds an Event's lock, and would wait forever.
        self._reason = ""
        receiving, self._waker = socket.socketpair()
        self._waker.setblocking(False)
        _Wakeup(receiving, socket_map)

    def stop(self, reason: str) -> None:
        """Ask the main loop to stop and drain; safe in a signal handler, and from any thread."""
        self._reason = self._reason or reason
        # A full buffer has woken the loop already; a closed socket, after
        # run() has ended, has nothing left to wake.
        with contextlib.suppress(OSError):
            self._waker.send(b"\0")

    def run(self) -> None:
        """Serve until :meth:`stop`, then refuse new connections, finish the requests under way and close."""
        while not self._reason:
            self._poll(self._server.adj.asyncore_loop_timeout)
        self._drain()

    def _drain(self) -> None:
        started = time.monotonic()
        deadline = started + self._timeout
        for listener in [each for each in self._map.values() if isinstance(each, BaseWSGIServer)]:
            # The dispatcher's close(), not the server's own, which would also
            # close the trigger that waitress's threads pull once they have
            # written an answer.
            wasyncore.dispatcher.close(listener)
        under_way = self._close_idle()
        log.info(
            "stopping on %s: no new connections; %d with a request under way, given at most %g seconds",
            self._reason,
            under_way,
            self._timeout,
        )
        while self._connections() and time.monotonic() < deadline:
            self._poll(max(0.0, min(deadline - time.monotonic(), self._server.adj.asyncore_loop_timeout)))
            self._close_idle()
        remaining = self._connections()
        cut = sum(1 for channel in remaining if _under_way(channel))
        for channel in remaining:
            channel.handle_close()
        self._server.task_dispatcher.shutdown(timeout=max(deadline - time.monotonic(), THREADS_GRACE))
        # What is left: waitress's triggers and the wake-up socket.
        wasyncore.close_all(self._map)
        self._waker.close()
        elapsed = time.monotonic() - started
        if cut:
            log.warning(
                "stopped after %.1f seconds, cutting %d connections with a request unfinished",
                elapsed,
                cut,
            )
        else:
            log.info("stopped: every request finished, in %.1f seconds", elapsed)

    def _poll(self, timeout: float) -> None:
        """One round of waitress's main loop: wait ``timeout`` seconds at most, then read, accept, write."""
        wasyncore.loop(timeout=timeout, map=self._map, use_poll=self._server.adj.asyncore_use_poll, count=1)

    def _connections(self) -> list[HTTPChannel]:
        return [each for each in self._map.values() if isinstance(each, HTTPChannel)]

    def _close_idle(self) -> int:
        """Close the connections with no request under way at the next round; answers how many have one."""
        under_way = 0
        for channel in self._connections():
            if _under_way(channel):
                under_way += 1
            else:
                channel.will_close = True
        return under_way


def _under_way(channel: HTTPChannel) -> bool:
    """Whether ``channel`` has a request being received, waiting for a thread, running, or not all sent.

    ``requests`` is read first: a thread removes its request only once it has
    written the whole answer to the channel's buffers, so no request then no
    byte buffered means that nothing is left to send. Only this, the main
    thread, receives requests and closes connections.
    """
    return bool(channel.requests) or channel.request is not None or channel.total_outbufs_len > 0


class _Wakeup(wasyncore.dispatcher):
    """The receiving end of :meth:`DrainingServer.stop`'s byte: it ends the main loop's wait at once."""

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return False

    def handle_read(self) -> None:
        self.recv(64)
