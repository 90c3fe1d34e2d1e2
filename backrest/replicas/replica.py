"""The replica's engine, and the choice, for one read, between the replica and the primary.

Connections to the replica read in autocommit: each statement sees what the
replica has replayed when it runs, and none waits on a transaction.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from backrest.db import get_engine
from backrest.replicas.monitor import Monitor
from backrest.replicas.positions import parse

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 2
"""Seconds to wait for the replica to accept a connection (libpq's least)."""

WRITTEN = "SELECT pg_current_wal_lsn()::text"
"""The primary's position once a request has committed: its commit is written out there or before."""


class Replica:
    """One streaming replica of the primary."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.engine: Engine = get_engine(
            {**settings, "sqlalchemy.url": settings["backrest.db.replica_url"]},
            isolation_level="AUTOCOMMIT",
            connect_args={"connect_timeout": CONNECT_TIMEOUT},
        )
        self.max_wait: float = settings["backrest.db.replica_max_wait"]
        self.monitor = Monitor(self.engine, settings["backrest.db.replica_retry"])

    def connection(self, position: int | None) -> Connection | None:
        """A connection to the replica once it has replayed ``position``; ``None``: read on the primary.

        ``None`` when the replica is down, fails now, or has not replayed
        ``position`` within ``backrest.db.replica_max_wait`` seconds.
        """
        monitor = self.monitor
        if not monitor.usable():
            return None
        if position is not None and not monitor.wait_for(position, self.max_wait):
            return None
        try:
            return self.engine.connect()
        except SQLAlchemyError as error:
            monitor.failed(error)
            return None

    def works(self) -> bool:
        """Whether the replica answers now, whatever this process found before (the heartbeat's check)."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def close(self) -> None:
        self.monitor.stop()
        self.engine.dispose()


def written(primary: Engine) -> int | None:
    """The primary's position now, or ``None`` if it does not answer: the write stands, with no position."""
    try:
        with primary.connect() as connection:
            return parse(connection.exec_driver_sql(WRITTEN).scalar())
    except SQLAlchemyError:
        log.warning("the primary's position could not be read after a write", exc_info=True)
        return None
