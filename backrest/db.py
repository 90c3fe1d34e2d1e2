"""Database wiring: the declarative base, the engine and ``request.dbsession``.

A request that may write gets a session joined to its transaction
(:mod:`backrest.transactions`), so that it commits or aborts as a whole. A
safe request (GET, HEAD, OPTIONS) gets one connection, and a plain session
on it if it asks for one, that the transactions tween commits before the
answer leaves (:class:`SafeRequestDatabase`); on PostgreSQL its reads run
without BEGIN and COMMIT until its first write (:func:`reads_in_autocommit`).
``request.dbconnection`` is the connection of either. Tests may hand a
session in through ``request.environ["app.dbsession"]``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import secrets
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import URL, MetaData, String, engine_from_config, event, func, literal_column, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker
from sqlalchemy.types import DateTime, TypeDecorator
from zope.sqlalchemy import mark_changed
from zope.sqlalchemy.datamanager import join_transaction

from backrest.settings import SQLITE_CACHE_SIZE

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.config import Configurator
    from pyramid.request import Request
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.orm import ORMExecuteState, Session
    from sqlalchemy.sql.elements import ColumnElement

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PUBLIC_ID_LENGTH = 22

log = logging.getLogger(__name__)


def new_public_id() -> str:
    """An opaque, URL-safe id of 128 random bits: it tells nothing of how many rows exist.

    It never starts with ``-``, which command lines (``backrest download
    files ID``, ``rm``, ``grep``) would take for an option: one id in 64 is
    drawn again.
    """
    while (drawn := secrets.token_urlsafe(16)).startswith("-"):
        pass
    return drawn


NAMES_SEPARATOR = " "
"""Between the ids (or permission names, which hold no space) of :func:`aggregated_names`."""


def aggregated_names(column: ColumnElement[str]) -> ColumnElement[str]:
    """The values of ``column`` over a group, in one string: a subquery's many rows as one column.

    The separator is SQL text: given as a value, SQLAlchemy renders it into
    the statement anew at each execution (a "literal execute" parameter),
    and the statements that find the caller run on every request.
    """
    return func.aggregate_strings(column, literal_column(f"'{NAMES_SEPARATOR}'"))


def names_of(aggregated: str | None) -> tuple[str, ...]:
    """The distinct names of an :func:`aggregated_names` value, sorted (``None`` is none)."""
    return tuple(sorted(set(aggregated.split(NAMES_SEPARATOR)))) if aggregated else ()


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend.

    SQLite keeps no time zone, so values are stored naive in UTC and come
    back aware; PostgreSQL uses ``timestamptz``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetimes are ambiguous; use backrest.db.utcnow()"
            raise ValueError(msg)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PublicIdMixin:
    """Primary key that can be shown in URLs."""

    id: Mapped[str] = mapped_column(String(PUBLIC_ID_LENGTH), primary_key=True, default=new_public_id)


def _sqlite_tuning(cache_size: int) -> Callable[[Any, Any], None]:
    """What each new SQLite connection is set to; ``cache_size`` KiB of page cache, its own."""

    def tune(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute(f"PRAGMA cache_size=-{int(cache_size)}")
        cursor.close()

    return tune


def _end_failed_transaction(dbapi_connection: Any, _record: Any) -> None:
    """Roll back what a failed COMMIT left open before the connection serves again.

    SQLite keeps a transaction whose COMMIT failed (a deferred foreign key)
    open, while SQLAlchemy, having sent the COMMIT, counts it as ended and
    skips the rollback it does on returning a connection to the pool: the
    next request would commit the failed one's writes with its own.
    """
    if dbapi_connection is not None and dbapi_connection.in_transaction:
        dbapi_connection.rollback()


class SQLiteStatistics:
    """Keeps SQLite's query planner statistics current with ``PRAGMA optimize``.

    Without statistics SQLite guesses, and with the indexes content types
    have (an owner's, a status's...) it can guess a plan that sorts a whole
    table for a page of 20. SQLite advises long-lived connections to run
    ``PRAGMA optimize`` now and then: it analyzes the tables whose
    statistics are missing or stale, and costs microseconds otherwise. It
    runs as a connection goes back to the pool, at most once per ``every``
    seconds for the whole engine.
    """

    def __init__(self, every: float = 10.0) -> None:
        self.every = every
        self.due = 0.0
        self.lock = threading.Lock()

    def __call__(self, dbapi_connection: Any, _record: Any) -> None:
        now = time.monotonic()
        if dbapi_connection is None or now < self.due or not self.lock.acquire(blocking=False):
            return
        try:
            self.due = now + self.every
            dbapi_connection.execute("PRAGMA optimize")
        except dbapi_connection.OperationalError:  # sqlite3's, not imported where SQLite is not used
            # Another connection is writing (analyzing writes too): the next round will do.
            log.debug("PRAGMA optimize found the database busy", exc_info=True)
        finally:
            self.lock.release()


def _is_psycopg(url: str | URL) -> bool:
    return make_url(url).get_driver_name() == "psycopg"


def get_engine(settings: dict[str, Any], prefix: str = "sqlalchemy.", **options: Any) -> Engine:
    """The engine of ``settings``, whose errors and logs never show a statement's parameters.

    Parameters hold what requests send (passwords on their way to a hash,
    token hashes, addresses): a failed statement's exception is logged, and
    the log must not carry them. No setting turns this off.

    JSON columns are read by orjson: a list page reads two per object, and
    the standard library's decoder was a tenth of its time. Request bodies
    that reach them were parsed strictly (no NaN), so orjson reads all they hold.
    ``options`` go to SQLAlchemy's ``create_engine``.
    """
    if not settings.get("backrest.db.prepared_statements", True) and _is_psycopg(settings[f"{prefix}url"]):
        # psycopg prepares a statement on the server once a connection has run
        # it five times. Behind a pooler in transaction mode, the next
        # transaction may be on another server connection, which has no such
        # statement, or one of the same name from another client.
        options["connect_args"] = {**options.get("connect_args", {}), "prepare_threshold": None}
    engine = engine_from_config(
        settings, prefix, hide_parameters=True, json_deserializer=orjson.loads, **options
    )
    if engine.dialect.name == "sqlite":
        cache_size = settings.get("backrest.db.sqlite_cache_size", SQLITE_CACHE_SIZE)
        event.listen(engine, "connect", _sqlite_tuning(cache_size))
        event.listen(engine, "checkin", _end_failed_transaction)
        event.listen(engine, "checkin", SQLiteStatistics())
        if engine.url.database not in (None, "", ":memory:"):
            # A fresh checkout has no var/ yet: the database may be its first file.
            with contextlib.suppress(OSError):  # if it cannot be made, connecting says why
                Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    return engine


def get_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


TRANSACTION_MANAGER = "transaction_manager"
"""Where a request's session keeps the transaction manager it follows (``Session.info``)."""


def _join(session: Session) -> None:
    join_transaction(session, transaction_manager=session.info[TRANSACTION_MANAGER])


def _changed(session: Session) -> None:
    mark_changed(session, transaction_manager=session.info[TRANSACTION_MANAGER])


def _changed_by_orm_statement(state: ORMExecuteState) -> None:
    if state.is_orm_statement and (state.is_insert or state.is_update or state.is_delete):
        _changed(state.session)


def mark_written(session: Session) -> None:
    """Tell the transaction manager a session follows that it wrote, by a statement of its own.

    zope.sqlalchemy sees the writes of the session's unit of work and of its
    ORM statements; a statement run on its connection is not seen, and a
    transaction that seems to have written nothing is rolled back. A
    session that follows no transaction manager (a safe request's) is
    committed anyway.
    """
    if TRANSACTION_MANAGER in session.info:
        _changed(session)


def get_tm_session_factory(engine: Engine) -> sessionmaker:
    """Sessions that join the transaction manager named in their ``info``.

    These are zope.sqlalchemy's own listeners, registered once on the factory:
    ``zope.sqlalchemy.register`` on each request's session costs about a third
    of a millisecond of SQLAlchemy's event bookkeeping, a fifth of an item GET.
    """
    factory = get_session_factory(engine)
    event.listen(factory, "after_begin", lambda session, _transaction, _connection: _join(session))
    event.listen(factory, "after_attach", lambda session, _instance: _join(session))
    event.listen(factory, "after_flush", lambda session, _context: _changed(session))
    event.listen(factory, "after_bulk_update", lambda context: _changed(context.session))
    event.listen(factory, "after_bulk_delete", lambda context: _changed(context.session))
    event.listen(factory, "do_orm_execute", _changed_by_orm_statement)
    return factory


SAFE_REQUEST = "backrest.safe_request"
"""In a safe request's environ: its :class:`SafeRequestDatabase`, for the transactions tween to end."""


class SafeRequestDatabase:
    """A safe request's one connection, taken on first use, and the session on it if one is asked for.

    Statements made once (:mod:`backrest.statements`) run on the connection
    itself: most safe requests (find the caller, read an object or a page)
    need no session, whose transaction bookkeeping would cost them more than
    their statements. With ``autocommit`` (:func:`reads_in_autocommit`), the
    connection reads outside any transaction until its first write.
    """

    def __init__(self, engine: Engine, session_factory: sessionmaker, *, autocommit: bool) -> None:
        self.engine = engine
        self.session_factory = session_factory
        self.autocommit = autocommit
        self.connection: Connection | None = None
        self.session: Session | None = None

    def connect(self) -> Connection:
        if self.connection is None:
            self.connection = self.engine.connect()
            if self.autocommit:
                # On the driver's connection: SQLAlchemy's isolation_level option
                # would set it and reset it at each checkout, at a twentieth of an
                # item GET; the pool's checkin listener puts it back.
                self.connection.info[READS_IN_AUTOCOMMIT] = True
                self.connection.connection.dbapi_connection.autocommit = True
        return self.connection

    def dbsession(self) -> Session:
        if self.session is None:
            self.session = self.session_factory(bind=self.connect())
        return self.session

    def end(self, *, commit: bool) -> None:
        """Commit (or roll back) what the request wrote, and give the connection back."""
        try:
            if self.session is not None:
                if commit:
                    self.session.commit()
                else:
                    self.session.rollback()
            if self.connection is not None and self.connection.in_transaction():
                if commit:
                    self.connection.commit()
                else:
                    self.connection.rollback()
        finally:
            if self.session is not None:
                self.session.close()
            if self.connection is not None:
                self.connection.close()


READ_ONLY = re.compile(r"\s*SELECT\b(?!.*\bFOR\s+(?:UPDATE|SHARE|NO\s+KEY|KEY)\b)", re.IGNORECASE | re.DOTALL)
"""A statement that only reads: a SELECT that locks no row."""


@functools.lru_cache(maxsize=256)
def _reads_only(statement: str) -> bool:
    """Whether ``statement`` matches :data:`READ_ONLY`, kept for each statement.

    The same few statements run again and again, and the pattern reads each
    to its end: 16 µs for a caller's lookup, 22 for a list page's statement.
    """
    return READ_ONLY.match(statement) is not None


READS_IN_AUTOCOMMIT = "backrest.reads_in_autocommit"
"""In the ``info`` of a connection a safe request reads on in autocommit, until it is checked in."""


def _begin_before_writing(
    connection: Connection, _cursor: Any, statement: str, _parameters: Any, _context: Any, _many: bool
) -> None:
    """Leave autocommit before a statement that writes or locks: from there on, one transaction."""
    if READS_IN_AUTOCOMMIT in connection.info and not _reads_only(statement):
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection.autocommit:
            dbapi_connection.autocommit = False


def _leave_autocommit(dbapi_connection: Any, record: Any) -> None:
    if record.info.pop(READS_IN_AUTOCOMMIT, False) and dbapi_connection is not None:
        dbapi_connection.autocommit = False


def reads_in_autocommit(engine: Engine) -> bool:
    """Whether safe requests read in autocommit, writes (a GET may write) in one transaction.

    Each read statement of a PostgreSQL connection in autocommit is a
    transaction of its own, as it is under READ COMMITTED inside one: the
    same answers, without the BEGIN and COMMIT round trips. The first
    statement that writes or locks rows begins a transaction that holds
    every statement after it, committed (or rolled back) as a whole before
    the answer leaves. The pool takes each connection back out of
    autocommit. SQLite needs none of this: it begins a transaction only to
    write.
    """
    if engine.dialect.name != "postgresql":
        return False
    event.listen(engine, "before_cursor_execute", _begin_before_writing)
    event.listen(engine, "checkin", _leave_autocommit)
    return True


def _dbsession(request: Request) -> Session:
    dbsession = request.environ.get("app.dbsession")
    if dbsession is not None:
        return dbsession
    safe_request = request.environ.get(SAFE_REQUEST)
    if safe_request is not None:
        return safe_request.dbsession()
    dbsession = request.registry["tm_dbsession_factory"](info={TRANSACTION_MANAGER: request.tm})
    request.add_finished_callback(lambda _request: dbsession.close())
    return dbsession


def _dbconnection(request: Request) -> Connection:
    """The connection of the request's statements: a safe request's own, else its session's."""
    safe_request = request.environ.get(SAFE_REQUEST)
    if safe_request is not None and "app.dbsession" not in request.environ:
        return safe_request.connect()
    return request.dbsession.connection()


def includeme(config: Configurator) -> None:
    engine = get_engine(config.get_settings())
    config.registry["db_engine"] = engine
    config.registry["dbsession_factory"] = get_session_factory(engine)
    config.registry["tm_dbsession_factory"] = get_tm_session_factory(engine)
    config.registry["safe_autocommit"] = reads_in_autocommit(engine)
    config.add_request_method(_dbsession, "dbsession", reify=True)
    config.add_request_method(_dbconnection, "dbconnection", reify=True)
