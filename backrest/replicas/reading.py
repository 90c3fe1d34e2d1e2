"""Where a safe read runs: :func:`read`, the one door of content reads to the replica.

Only GET and HEAD read there, and only what :func:`read` is handed: the
objects and pages of content. Everything else stays on the primary,
``request.dbconnection`` and ``request.dbsession``: the caller's session and
credentials, every write, the ``If-Match`` checks and the permission checks
that guard a write (they run in requests that may write). A request that
carries a position (:mod:`backrest.replicas.positions`) reads on the replica
once it has replayed that far, else on the primary; a request without one
reads on the replica. A statement the replica fails runs again on the
primary: a replica going away costs no request.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.exc import DBAPIError

from backrest.replicas import positions

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from pyramid.request import Request
    from sqlalchemy.engine import Connection

    from backrest.replicas.replica import Replica

log = logging.getLogger(__name__)

REPLICA = "backrest.replica"
"""In the registry: the :class:`~backrest.replicas.replica.Replica`, when one is configured."""
CONNECTION = "backrest.replica.connection"
"""In a request's environ: its connection to the replica, or ``None`` once it reads on the primary."""
SERVED = "backrest.replica.served"
"""In a request's environ once it has read on the replica."""
READ_METHODS = frozenset({"GET", "HEAD"})

T = TypeVar("T")


def read(request: Request, run: Callable[[Connection], T]) -> T:
    """``run(connection)`` on the replica if this read may go there, else on the primary's connection."""
    connection = _replica_connection(request)
    if connection is None:
        return run(request.dbconnection)
    try:
        result = run(connection)
    except DBAPIError as error:
        if error.connection_invalidated:
            replica: Replica = request.registry[REPLICA]
            replica.monitor.failed(error)
        else:
            # A query cancelled by a conflict with recovery, say: the replica itself still answers.
            log.warning("a read failed on the replica, it runs on the primary: %s", error.orig)
        _leave(request)
        return run(request.dbconnection)
    request.environ[SERVED] = True
    return result


def served_by_replica(request: Request) -> bool:
    """Whether the request has read on the replica (what it read may be older than the primary's)."""
    return SERVED in request.environ


def complete_as_of(request: Request) -> datetime | None:
    """For a request that read on the replica: a time up to which the replica had every commit.

    ``None`` for a request that read on the primary. Reads go to the replica
    only once that time is known (:meth:`~backrest.replicas.monitor.Monitor.usable`).
    """
    if not served_by_replica(request):
        return None
    return request.registry[REPLICA].monitor.complete_as_of


def _replica_connection(request: Request) -> Connection | None:
    replica: Replica | None = request.registry.get(REPLICA)
    if replica is None:  # no replica configured: nothing to remember on the request
        return None
    environ = request.environ
    if CONNECTION in environ:
        return environ[CONNECTION]
    connection = None
    if request.method in READ_METHODS and "app.dbsession" not in environ:
        connection = replica.connection(positions.of_request(request))
        if connection is not None:
            request.add_finished_callback(lambda _request: connection.close())
    environ[CONNECTION] = connection
    return connection


def _leave(request: Request) -> None:
    """The request reads on the primary from now on."""
    request.environ[CONNECTION] = None
