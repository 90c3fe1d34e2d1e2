"""SELECTs compiled once per dialect and run on the driver's cursor, their rows as named tuples.

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

import weakref
from collections import namedtuple
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from sqlalchemy.engine import Connection, Dialect
    from sqlalchemy.orm import Session
    from sqlalchemy.sql import Select
    from sqlalchemy.sql.compiler import SQLCompiler


class _Form(NamedTuple):
    """A statement as one dialect runs it."""

    compiled: SQLCompiler
    binds: dict[str, Callable[[Any], Any]]
    """The bind processor of each parameter that has one (the expanded ones' come with their expansion)."""
    results: tuple[Callable[[Any], Any] | None, ...] | None
    """Each column's result processor, or ``None`` when no column has one."""
    row: Callable[[Any], tuple[Any, ...]]
    """Makes a row, named by the columns' keys, of the driver's tuple."""


class Prepared:
    """A SELECT made once (at import or start) and run on the cursor of a session's connection."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        # Weak: tests and tools make an engine, and so a dialect, per application.
        self._forms: weakref.WeakKeyDictionary[Dialect, _Form] = weakref.WeakKeyDictionary()

    def all(self, session: Session, parameters: Mapping[str, Any]) -> list[Any]:
        """Every row of the statement with ``parameters``, in the session's transaction, if it has one."""
        connection = session.connection()
        form = self._forms.get(connection.dialect) or self._compile(connection.dialect)
        state = form.compiled.construct_expanded_state(parameters)
        processors = {**form.binds, **state.processors} if state.processors else form.binds
        values = {
            name: processor(value) if (processor := processors.get(name)) else value
            for name, value in state.parameters.items()
        }
        rows = _run(
            connection,
            state.statement,
            values if state.positiontup is None else tuple(values[name] for name in state.positiontup),
        )
        make, results = form.row, form.results
        if results is None:
            return [make(row) for row in rows]
        return [
            make(value if done is None else done(value) for done, value in zip(results, row, strict=True))
            for row in rows
        ]

    def first(self, session: Session, parameters: Mapping[str, Any]) -> Any:
        """The first row, or ``None``: for statements that find one row by a key."""
        rows = self.all(session, parameters)
        return rows[0] if rows else None

    def _compile(self, dialect: Dialect) -> _Form:
        compiled = self.statement.compile(dialect=dialect)
        columns = list(self.statement.selected_columns)
        results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )
        row = namedtuple("Row", [column.key for column in columns], rename=True)  # noqa: PYI024 - made at run time
        binds = {
            name: processor
            for name, bind in compiled.binds.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        form = _Form(compiled, binds, results if any(results) else None, row._make)
        self._forms[dialect] = form
        return form


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
