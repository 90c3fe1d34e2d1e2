"""Bringing a database schema up to date with the alembic migrations, one process at a time.

Several processes may start migrating one database at once: development's
``backrest.db.auto_migrate`` in each process, ``backrest migrate`` run on
every machine by a deploy tool. :func:`serialised` lets one of them in; the
others wait, then find the schema up to date. A migration that needs a lock
held by a transaction of the running service waits ``lock_timeout`` seconds
at most, and fails with :class:`MigrationLockedError`: waiting longer would hold
up every request queued behind it.
"""

from __future__ import annotations

import contextlib
import logging
import re
from typing import TYPE_CHECKING, Any

from alembic import command, op
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import column, func, inspect, select, table
from sqlalchemy.exc import OperationalError

from backrest.settings import MIGRATION_LOCK_TIMEOUT

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from sqlalchemy.engine import Connection, Engine

MIGRATION_LOCK = int.from_bytes(b"backrest", "big")
"""The key of PostgreSQL's advisory lock on migrations: the bytes of "backrest" as a bigint."""
LOCK_NOT_AVAILABLE = "55P03"
"""PostgreSQL's SQLSTATE for a lock not granted within ``lock_timeout``."""

log = logging.getLogger(__name__)


class MigrationLockedError(Exception):
    """A migration gave up waiting for a lock another transaction holds; it left nothing of itself."""


def compared(name: str | None, type_: str, _parents: Mapping[str, str | None]) -> bool:
    """Whether autogenerate compares this object: not procrastinate's tables, which it would drop.

    They are procrastinate's schema, applied after the migrations (:func:`schema_steps`).
    """
    return not (type_ == "table" and name is not None and name.startswith("procrastinate_"))


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "backrest:alembic")
    return config


@contextlib.contextmanager
def serialised(connection: Connection, lock_timeout: int = MIGRATION_LOCK_TIMEOUT) -> Iterator[None]:
    """Hold ``connection`` as the only one migrating its database until the block ends.

    On PostgreSQL a session-level advisory lock, which, unlike a
    transaction-level one, outlives the commit of each migration and of
    each autocommit block (``CREATE INDEX CONCURRENTLY``). The lock and
    the session's timeouts end with the connection, which is closed rather
    than returned to the pool. The run waits for the lock with no timeout:
    another process's migrations may rightly take long.

    SQLite has no lock that outlives a transaction: the whole run is one
    transaction, begun with the database's write lock, which the others
    wait for (``busy_timeout``). A migration there cannot step out of it
    (:func:`autocommit_block`).
    """
    if connection.dialect.name != "postgresql":
        # No SQLAlchemy API begins SQLite's IMMEDIATE transaction: its driver only begins before a write.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield
        connection.commit()
        return
    try:
        # A role's own timeouts (ALTER ROLE ... SET) would cut short the wait for the other process, and
        # CREATE INDEX CONCURRENTLY, which leaves an invalid index behind when cancelled.
        _set(connection, statement_timeout="0", lock_timeout="0")
        if not connection.scalar(select(func.pg_try_advisory_lock(MIGRATION_LOCK))):
            log.info("another process is migrating the database: waiting for it to finish")
            connection.execute(select(func.pg_advisory_lock(MIGRATION_LOCK)))
        _set(connection, lock_timeout=f"{lock_timeout}s")
        # Alembic begins its own transactions (one per migration) on a connection that is in none.
        connection.commit()
        yield
    finally:
        # Not detach(), which alembic's autocommit block fails on.
        connection.invalidate()


def _set(connection: Connection, **values: str) -> None:
    """Set PostgreSQL settings for the session (``SET`` takes no bound parameters)."""
    connection.execute(select(*(func.set_config(name, value, False) for name, value in values.items())))


@contextlib.contextmanager
def autocommit_block() -> Iterator[None]:
    """Run a migration's statements outside its transaction where PostgreSQL requires it.

    ``CREATE INDEX CONCURRENTLY`` (``postgresql_concurrently=True``) cannot
    run in a transaction, and needs alembic's autocommit block. It waits for
    the transactions that wrote to its table to end, holding up no request
    meanwhile; a lock timeout would only make it fail and leave an invalid
    index behind, so there is none in the block. SQLite has no such
    statement, and its migrations run in one transaction that holds the
    write lock (:func:`serialised`): there the statements stay in it.
    """
    context = op.get_context()
    if context.dialect.name != "postgresql":
        yield
        return
    with context.autocommit_block():
        bind = op.get_bind()
        lock_timeout = bind.scalar(select(func.current_setting("lock_timeout")))
        _set(bind, lock_timeout="0")
        try:
            yield
        finally:
            _set(bind, lock_timeout=lock_timeout)


def upgrade(
    engine: Engine,
    revision: str = "head",
    lock_timeout: int = MIGRATION_LOCK_TIMEOUT,
    then: Sequence[Callable[[Connection], object]] = (),
) -> None:
    """Migrate to ``revision``; raise :class:`MigrationLockedError` when a lock is not granted in time.

    Each of ``then`` runs next, under the same lock, on the connection:
    schemas of others' making, such as procrastinate's (``backrest.jobs``).
    """
    config = alembic_config()
    with engine.connect() as connection, serialised(connection, lock_timeout):
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, revision)
            for step in then:
                step(connection)
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            raise MigrationLockedError(_locked(connection, error.statement or "", lock_timeout)) from error


def schema_steps(settings: Mapping[str, Any]) -> list[Callable[[Connection], object]]:
    """What :func:`upgrade` applies after the migrations for these settings: procrastinate's schema."""
    if settings["backrest.jobs"] != "procrastinate":
        return []
    from backrest.jobs.schema import apply_schema  # noqa: PLC0415 - only deployments with jobs have it

    return [apply_schema]


def _locked(connection: Connection, statement: str, lock_timeout: int) -> str:
    """What an operator needs to know of a lock timeout: which table, and what to do.

    PostgreSQL does not say which lock was not granted: of the tables the
    statement names, those another session holds a lock on are the ones.
    """
    connection.rollback()  # in case alembic has not ended the failed statement's transaction
    named = sorted(
        name
        for name in inspect(connection).get_table_names()
        if re.search(rf"\b{re.escape(name)}\b", statement)
    )
    locks = table("pg_locks", column("relation"), column("pid"), column("granted"))
    classes = table("pg_class", column("oid"), column("relname"))
    held = connection.scalars(
        select(classes.c.relname)
        .distinct()
        .join(locks, locks.c.relation == classes.c.oid)
        .where(locks.c.granted, locks.c.pid != func.pg_backend_pid(), classes.c.relname.in_(named))
        .order_by(classes.c.relname)
    ).all()
    heads = MigrationContext.configure(connection).get_current_heads()
    return (
        f"a migration waited {lock_timeout} s for a lock on {', '.join(held or named) or 'a table'} that"
        f" another transaction holds, and gave up; the schema stays at revision {', '.join(heads) or 'none'}:"
        " retry later, or when that transaction has ended"
    )


def pending(engine: Engine) -> bool:
    """Whether the database's schema is behind the migrations of this version (``backrest migrate``)."""
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current != set(ScriptDirectory.from_config(alembic_config()).get_heads())
