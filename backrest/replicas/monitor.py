"""How far the replica has replayed, and whether it answers, as one thread of each process sees it.

The thread asks the replica for its replay position every
:data:`POLL_INTERVAL` seconds, so that a read carrying a position the
replica has already passed needs no query to know it. A read whose position
is further waits for the thread (:meth:`Monitor.wait_for`), which then asks
at once, and every :data:`WAIT_STEP` seconds while reads wait: however many
reads wait, a process asks one question at a time, and none of them runs a
statement to wait. A replica that fails
(here or under a request) is left alone for ``backrest.db.replica_retry``
seconds, reads going to the primary meanwhile; then the thread tries it
again, and reads go back to it once it answers. The thread starts with the
first read that asks, in the process that serves it, and that read waits for
its first answer: reads go to the replica only once it is known how far
behind it may be.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from backrest.db import utcnow
from backrest.replicas.positions import parse

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

POLL_INTERVAL = 0.05
"""Seconds between two questions to the replica."""
WAIT_STEP = 0.01
"""The least seconds between two questions, while reads wait for the replica to replay their position."""
FIRST_ANSWER = 1.0
"""Seconds the read that starts the thread waits for its first answer, then it reads on the primary."""

REPLAYED_LSN = "CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END"
"""How far the replica has replayed; a server out of recovery (a promoted replica) has all it has written."""
STATE = (
    f"SELECT ({REPLAYED_LSN})::text, NOT pg_is_in_recovery() "
    "OR coalesce(pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn(), false), "
    "pg_last_xact_replay_timestamp()"
)
"""The replay position, whether all that was received is replayed, and the last replayed commit's time."""


def replica_state(connection: Connection) -> tuple[int, datetime | None]:
    """The replay position, and the time up to which every commit of the primary is replayed, if known.

    A replica that has replayed all it received has every commit made on the
    primary before the question (the stream's own delay aside, which
    ``backrest.modified_since.margin`` covers); one still replaying has those
    up to its last replayed commit.
    """
    asked = utcnow()
    position, caught_up, last_commit = connection.exec_driver_sql(STATE).one()
    return parse(position) or 0, asked if caught_up else last_commit


class Monitor:
    """The replica's replay position and health, kept current by a thread of this process."""

    def __init__(self, engine: Engine, retry: float, interval: float = POLL_INTERVAL) -> None:
        self.engine = engine
        self.retry = retry
        self.interval = interval
        self.position = 0
        """How far the replica had replayed when last asked."""
        self.complete_as_of: datetime | None = None
        """Every commit of the primary up to then is replayed; ``None`` until the replica has told."""
        self.down = False
        self._retry_at = 0.0
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._stopped = threading.Event()
        self._answered = threading.Event()
        self._wanted = threading.Event()
        """A read waits for a position: ask now."""
        self._changed = threading.Condition()
        """Notified at each answer of the replica, or failure."""
        self._thread: threading.Thread | None = None

    def usable(self) -> bool:
        """Whether reads may go to the replica now; starts the thread in this process if it has not."""
        if self._pid != os.getpid():
            self._start()
        return not self.down and self.complete_as_of is not None

    def wait_for(self, position: int, timeout: float) -> bool:
        """Whether the replica replays ``position`` within ``timeout`` seconds, and answers meanwhile."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.position < position:
                left = deadline - time.monotonic()
                if left <= 0 or self.down:
                    return False
                self._wanted.set()
                self._changed.wait(left)
        return True

    def _answer(self, position: int, as_of: datetime | None) -> None:
        """The replica is at ``position``, with every commit up to ``as_of`` (if known) while it runs."""
        with self._changed:
            self.position = max(self.position, position)
            if as_of is not None and (self.complete_as_of is None or as_of > self.complete_as_of):
                self.complete_as_of = as_of
            self._changed.notify_all()

    def failed(self, error: BaseException) -> None:
        """The replica failed: reads go to the primary until it answers the thread again.

        What it had replayed is forgotten: a standby that restarts replays
        again from its last restartpoint, and may answer older data at first.
        """
        with self._lock, self._changed:
            first = not self.down
            self.down = True
            self._retry_at = time.monotonic() + self.retry
            self.position = 0
            self.complete_as_of = None
            self._changed.notify_all()
        if first:
            log.warning(
                "the read replica does not answer, reads go to the primary; trying it again in %s s: %s",
                self.retry,
                error,
            )

    def stop(self) -> None:
        """Stop the thread, which closes its connection."""
        self._stopped.set()
        self._wanted.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._stopped.clear()
            self._answered.clear()
        self._thread = threading.Thread(target=self._watch, name="backrest-replica-monitor", daemon=True)
        self._thread.start()
        self._answered.wait(FIRST_ANSWER)

    def _watch(self) -> None:
        connection: Connection | None = None
        asked = 0.0
        while not self._stopped.is_set():
            wait = self._retry_at - time.monotonic() if self.down else 0.0
            if wait > 0:
                self._stopped.wait(min(wait, 1.0))
                continue
            self._stopped.wait(max(0.0, asked + WAIT_STEP - time.monotonic()))
            asked = time.monotonic()
            try:
                if connection is None:
                    connection = self.engine.connect()
                position, as_of = replica_state(connection)
            except SQLAlchemyError as error:
                if connection is not None:
                    connection.invalidate()
                    connection.close()
                    connection = None
                self.failed(error)
                self._answered.set()
                continue
            self._answer(position, as_of)
            self._answered.set()
            if self.down:
                self.down = False
                log.info("the read replica answers again: reads go to it")
            self._wanted.wait(self.interval)
            self._wanted.clear()
        if connection is not None:
            connection.close()
