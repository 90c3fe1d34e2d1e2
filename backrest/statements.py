"""Statements compiled once per dialect and run on the driver's cursor, their rows as named tuples.

Written by hand because no library does it: SQLAlchemy's execution of a
compiled statement (its execution context, result metadata and row
objects) costs two to three times what psycopg takes to send the statement
and read its rows, about 60 µs a statement, and every request runs one for
its caller and one for its object. What SQLAlchemy gives a statement stays:
the SQL of each dialect, expanding and literal parameters, the types' bind
and result processors, the ``before_cursor_execute`` and
``after_cursor_execute`` events (the safe sessions' autocommit rule and any
instrumentation listen there), and its exceptions, so that errors are
answered as every other database error is.
"""

from __future__ import annotations

import threading
import weakref
from collections import namedtuple
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from sqlalchemy.engine import Connection, Dialect
    from sqlalchemy.sql import Insert, Select
    from sqlalchemy.sql.cache_key import CacheKey
    from sqlalchemy.sql.compiler import ExpandedState, SQLCompiler


K = TypeVar("K")
V = TypeVar("V")


class _Form(NamedTuple):
    """A statement as one dialect runs it."""

    compiled: SQLCompiler
    binds: dict[str, Callable[[Any], Any]]
    """The bind processor of each parameter that has one (the expanded ones' come with their expansion)."""
    results: tuple[tuple[int, Callable[[Any], Any]], ...]
    """The position and result processor of each column that has one."""
    row: Callable[[Any], tuple[Any, ...]]
    """Makes a row, named by the columns' keys, of the driver's tuple."""


class Prepared:
    """A SELECT (or INSERT ... RETURNING) made once, at import or start, and run on a connection's cursor.

    A request's is ``request.dbconnection``: its session's, or a safe
    request's own (:class:`backrest.db.SafeRequestDatabase`).
    """

    def __init__(self, statement: Select[Any] | Insert) -> None:
        self.statement = statement
        # Weak: tests and tools make an engine, and so a dialect, per application.
        self._forms: weakref.WeakKeyDictionary[Dialect, _Form] = weakref.WeakKeyDictionary()

    def all(self, connection: Connection, parameters: Mapping[str, Any]) -> list[Any]:
        """Every row of the statement with ``parameters``, in the connection's transaction, if it has one."""
        form = self._forms.get(connection.dialect)
        if form is None:
            form = self._forms[connection.dialect] = _form(self.statement, connection.dialect)
        return _fetch(
            connection, form, *_driver_parameters(form, form.compiled.construct_expanded_state(parameters))
        )

    def first(self, connection: Connection, parameters: Mapping[str, Any]) -> Any:
        """The first row, or ``None``: for statements that find one row by a key."""
        rows = self.all(connection, parameters)
        return rows[0] if rows else None


class Bound(NamedTuple):
    """A statement with its values, compiled and expanded: made by one request, run again by later ones."""

    form: _Form
    statement: str
    parameters: Any
    """As the driver takes them: processed, expanded, positional where the dialect is."""

    def all(self, connection: Connection) -> list[Any]:
        """Every row, in the connection's transaction, if it has one."""
        return _fetch(connection, self.form, self.statement, self.parameters)


class Kept(Generic[K, V]):
    """At most ``size`` values, the oldest put leaving first: what a process keeps of what it made.

    Read without a lock (a dict's ``get`` is atomic); put under one.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: dict[K, V] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        return self._values.get(key)

    def put(self, key: K, value: V) -> None:
        with self._lock:
            while len(self._values) >= self.size:
                del self._values[next(iter(self._values))]
            self._values[key] = value


SHAPES = 500
"""How many shapes of statements :func:`bind` keeps compiled, per dialect (as SQLAlchemy's own cache)."""
_shapes: weakref.WeakKeyDictionary[Dialect, Kept[Any, _Form]] = weakref.WeakKeyDictionary()


def bind(dialect: Dialect, statement: Select[Any], parameters: Mapping[str, Any]) -> Bound:
    """``statement`` with ``parameters``, ready to run, compiled once per shape.

    A statement's shape is SQLAlchemy's cache key, the key of its own
    compiled cache: statements that differ only in their values (another
    caller, another filter value) share one compiled form, whose parameters
    take this statement's values in the order the key extracted them, as
    SQLAlchemy's execution does.
    """
    key = statement._generate_cache_key()  # noqa: SLF001 - SQLAlchemy's cache key, as its execution takes it
    if key is None:  # an element that cannot be cached: compiled each time
        form = _form(statement, dialect)
        return Bound(form, *_driver_parameters(form, form.compiled.construct_expanded_state(parameters)))
    shapes = _shapes.get(dialect)
    if shapes is None:
        shapes = _shapes.setdefault(dialect, Kept(SHAPES))
    form = shapes.get(key.key)
    if form is None:
        form = _form(statement, dialect, key)
        shapes.put(key.key, form)
    compiled = form.compiled
    values = compiled.construct_params(parameters, extracted_parameters=key.bindparams, _no_postcompile=True)
    state = compiled._process_parameters_for_postcompile(values)  # noqa: SLF001 - as construct_expanded_state
    return Bound(form, *_driver_parameters(form, state))


def _form(statement: Select[Any] | Insert, dialect: Dialect, key: CacheKey | None = None) -> _Form:
    compiled = statement.compile(dialect=dialect, cache_key=key)
    columns = list(statement.exported_columns)
    results = tuple(
        (position, process)
        for position, column in enumerate(columns)
        if (process := column.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
    )
    row = namedtuple("Row", [column.key for column in columns], rename=True)  # noqa: PYI024 - made at run time
    binds = {
        name: processor
        for name, bind in compiled.binds.items()
        if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    }
    return _Form(compiled, binds, results, row._make)


def _driver_parameters(form: _Form, state: ExpandedState) -> tuple[str, Any]:
    """The SQL and the parameters the driver takes: processed, positional where the dialect is."""
    processors = {**form.binds, **state.processors} if state.processors else form.binds
    values = {
        name: processor(value) if (processor := processors.get(name)) else value
        for name, value in state.parameters.items()
    }
    if state.positiontup is None:
        return state.statement, values
    return state.statement, tuple(values[name] for name in state.positiontup)


def _fetch(connection: Connection, form: _Form, statement: str, parameters: Any) -> list[Any]:
    found = _run(connection, statement, parameters)
    make, results = form.row, form.results
    if not results:
        return [make(row) for row in found]
    made = []
    for row in found:
        values = list(row)
        for position, process in results:
            values[position] = process(values[position])
        made.append(make(values))
    return made


def _run(connection: Connection, statement: str, parameters: Any) -> list[tuple[Any, ...]]:
    dbapi_connection = connection.connection.dbapi_connection
    cursor = dbapi_connection.cursor()
    try:
        dispatch = connection.dispatch
        for listener in dispatch.before_cursor_execute:
            statement, parameters = listener(connection, cursor, statement, parameters, None, False)
        cursor.execute(statement, parameters)
        rows = cursor.fetchall()
        for listener in dispatch.after_cursor_execute:
            listener(connection, cursor, statement, parameters, None, False)
    except connection.dialect.loaded_dbapi.Error as error:
        disconnected = connection.dialect.is_disconnect(error, dbapi_connection, cursor)
        if disconnected:
            connection.invalidate(error)
        raise DBAPIError.instance(
            statement,
            parameters,
            error,
            connection.dialect.loaded_dbapi.Error,
            hide_parameters=True,
            connection_invalidated=disconnected,
            dialect=connection.dialect,
        ) from error
    finally:
        cursor.close()
    return rows
