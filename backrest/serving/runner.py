"""The paste server runner ``egg:backrest#waitress``: waitress, stopping gracefully on SIGTERM and SIGINT.

pserve calls :func:`serve_paste` with the options of the ini file's
``[server:main]``. They are waitress's, as with ``egg:waitress#main``, but
for ``drain_timeout``: how many seconds at most a stopping process gives the
requests under way (docs/deployment.rst, "Graceful shutdown and rolling
restarts").
"""

from __future__ import annotations

import contextlib
import math
import signal
from typing import TYPE_CHECKING

from waitress.server import create_server

from backrest.serving.drain import DrainingServer, SocketMap

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping
    from types import FrameType

    from _typeshed.wsgi import WSGIApplication

DEFAULT_DRAIN_TIMEOUT = 30.0
"""Seconds: well below systemd's TimeoutStopSec (90 seconds unless set), after which it kills the process."""
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def serve_paste(app: WSGIApplication, global_conf: Mapping[str, str], **options: str) -> int:
    """Serve ``app`` with waitress until SIGTERM or SIGINT, then drain and return 0 (pserve then exits 0)."""
    drain_timeout = parse_drain_timeout(options.pop("drain_timeout", None))
    socket_map: SocketMap = {}
    server = create_server(app, map=socket_map, **options)
    server.print_listen("Serving on http://{}:{}")
    draining = DrainingServer(server, socket_map, drain_timeout)
    with stopping_on(STOP_SIGNALS, draining.stop):
        draining.run()
    return 0


def parse_drain_timeout(value: str | None) -> float:
    """``drain_timeout`` in seconds, :data:`DEFAULT_DRAIN_TIMEOUT` when not given."""
    if value is None:
        return DEFAULT_DRAIN_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds < math.inf:
        msg = f"drain_timeout must be a number of seconds above 0, not {value!r}"
        raise ValueError(msg)
    return seconds


@contextlib.contextmanager
def stopping_on(signals: Iterable[signal.Signals], stop: Callable[[str], None]) -> Iterator[None]:
    """Within the block, each of ``signals`` calls ``stop`` with its name; their handlers are put back after.

    Python runs signal handlers in the main thread only, and only it may set them.
    """

    def handle(signum: int, frame: FrameType | None) -> None:
        stop(signal.Signals(signum).name)

    previous = {signum: signal.signal(signum, handle) for signum in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            # None: a handler not set from Python, which Python cannot set again.
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
