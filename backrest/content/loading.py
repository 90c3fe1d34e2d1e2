"""Content objects made straight from their rows, and new ones inserted as one.

Loading a row into a mapped instance (the session's identity map, the
loader strategies and their events) costs SQLAlchemy more than running the
statement does. Objects are made here from a
:class:`~backrest.statements.Prepared` statement's row instead: every
column attribute set, detached from any session, as the session would have
left them. Reading an attribute works as on any loaded object; a request
that writes adds the object to its session, whose unit of work then
updates it (its version checked) as one it had loaded. Models with
relationships or deferred columns, which need a session to load them (a
team's ``__json__`` reads its members), are loaded through the session.

A new object is inserted by one ``INSERT ... RETURNING`` (:meth:`ObjectRows.insert`)
for the same reason: the unit of work costs a create more than its statement.
A row that must be written with it (its audit entry) goes in the same
statement on PostgreSQL, as a data-modifying ``WITH``: a statement costs the
request about a tenth of a millisecond of CPU, whatever it writes.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, inspect
from sqlalchemy.orm import attributes, make_transient_to_detached
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.schema import ColumnDefault

from backrest.db import mark_written
from backrest.statements import SHAPES, Kept, Prepared

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from sqlalchemy import Column, Insert, Update
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Mapper, Session
    from sqlalchemy.sql.elements import ColumnElement

    from backrest.content.models import Content


Along = tuple["Insert", dict[str, Any]]
"""An INSERT whose values are all bound parameters, and their values."""

WHERE_PREFIX = "where_"
"""Of the parameters that find the row an UPDATE writes: apart from those of the values it sets."""


def _python_value(default: Any) -> Any:
    """A column's default or ``onupdate`` as a callable of no argument; None if only the database has it."""
    if not isinstance(default, ColumnDefault):
        return None
    if default.is_scalar:
        return lambda: default.arg
    # SQLAlchemy wraps a default that takes no argument to take the statement's
    # context (the wrapper's __wrapped__); one that reads it is known only then.
    return getattr(default.arg, "__wrapped__", None)


def _known_before_insert(column: Column[Any]) -> bool:
    if _python_value(column.default) is not None:
        return True
    unknown = column.default is not None or column.server_default is not None
    return not unknown and column is not column.table.autoincrement_column


class ObjectRows:
    """Objects of one model from rows that start with :attr:`columns`."""

    def __init__(self, model: type[Content]) -> None:
        mapper = inspect(model)
        mapped = list(mapper.column_attrs)
        self.complete = not mapper.relationships and not any(attribute.deferred for attribute in mapped)
        """Whether a row holds all of an object: if not, load it through the session."""
        self.columns: tuple[ColumnElement[Any], ...] = tuple(attribute.expression for attribute in mapped)
        """What a statement selects first, in this order, for :meth:`object` to read."""
        self._keys = tuple(attribute.key for attribute in mapped)
        self._identity_positions = tuple(
            self.columns.index(column) for column in mapper.primary_key if column in self.columns
        )
        self._new = mapper.class_manager.new_instance
        self._insert = mapper.local_table.insert().returning(*self.columns)
        self._column_keys = tuple(column.key for column in self.columns)
        self._keyed_columns = tuple(zip(self._keys, self._column_keys, strict=True))
        self._identity_key = mapper.identity_key_from_primary_key
        columns = [attribute.columns[0] for attribute in mapped]
        self._defaults = tuple(
            (attribute.key, default)
            for attribute, column in zip(mapped, columns, strict=True)
            if (default := _python_value(column.default)) is not None
        )
        self.known_before_insert = self.complete and all(_known_before_insert(column) for column in columns)
        """Whether a new object, its Python-side defaults filled in (:meth:`fill_defaults`), is its row."""
        self._table = mapper.local_table
        self._types = {key: column.type for key, column in zip(self._column_keys, self.columns, strict=True)}
        # Written statements, made and compiled once per shape (the columns
        # they set, the row that rides along), not built and keyed by
        # SQLAlchemy at each execution.
        self._written: Kept[tuple[Any, ...], Prepared] = Kept(SHAPES)
        self._update_statements(mapper, columns)

    def object(self, row: Sequence[Any]) -> Content:
        """The object of ``row``'s first columns, with the identity it has in a session."""
        obj = self._new()
        obj.__dict__.update(zip(self._keys, row, strict=False))
        # What sqlalchemy.orm.make_transient_to_detached() does to an instance whose
        # columns are all loaded, at a fifth of its cost: a page makes twenty.
        attributes.instance_state(obj).key = self._identity_key(
            [row[position] for position in self._identity_positions]
        )
        return obj

    def fill_defaults(self, obj: Content) -> None:
        """Give a new object the values its columns' Python-side defaults would give it on insert.

        For a model :attr:`known_before_insert`, the object is then what its
        row will be, before the row is written.
        """
        given = obj.__dict__
        for key, default in self._defaults:
            if key not in given:
                setattr(obj, key, default())

    def insert(self, session: Session, obj: Content, along: Along | None = None) -> None:
        """Insert a new object, and put it in the session as if the session had flushed it.

        Its Python-side defaults are filled in first (:meth:`fill_defaults`);
        the database's own defaults fill the columns left; every value comes
        back by ``RETURNING``. Only for a model whose rows hold all of it
        (:attr:`complete`). ``along`` is written by the same statement on
        PostgreSQL when the object is :attr:`known_before_insert`, by a
        statement just before it otherwise; its parameters' names must not
        be the model's columns'.
        """
        self.fill_defaults(obj)
        given = obj.__dict__
        connection = session.connection()
        if self.known_before_insert:
            values = {column: given.get(key) for key, column in self._keyed_columns}
            row = self._write(connection, ("insert",), self._insert_every_column, values, along)
        else:
            if along is not None:
                connection.execute(*along)
            values = {column: given[key] for key, column in self._keyed_columns if key in given}
            row = connection.execute(self._insert, values).one()
        given.update(zip(self._keys, row, strict=True))
        make_transient_to_detached(obj)
        session.add(obj)
        mark_written(session)

    def _parameters(self, column_keys: tuple[str, ...]) -> dict[str, Any]:
        """A statement's values for these columns, each a parameter named by its key."""
        return {key: bindparam(key, type_=self._types[key]) for key in column_keys}

    def _insert_every_column(self) -> Insert:
        return self._table.insert().values(self._parameters(self._column_keys))

    def _update_statements(self, mapper: Mapper[Any], columns: list[Column[Any]]) -> None:
        if len(mapper.primary_key) != 1:
            self.updatable = False
            return
        self._key = mapper.primary_key[0].key
        version = mapper.version_id_col
        self._version_key = version.key if version is not None else None
        self._version_next = mapper.version_id_generator
        self._onupdates = tuple(
            (attribute.key, _python_value(column.onupdate))
            for attribute, column in zip(mapper.column_attrs, columns, strict=True)
            if column.onupdate is not None
        )
        self.updatable = self.complete and all(update is not None for _, update in self._onupdates)
        """Whether :meth:`update` writes a changed object: one key, and every ``onupdate`` Python's."""
        self._set_always = {key for key, _ in self._onupdates}
        if version is not None:
            self._set_always.add(version.key)
        self._where = [self._table.c[self._key] == bindparam(WHERE_PREFIX + self._key)]
        if version is not None:
            self._where.append(version == bindparam(WHERE_PREFIX + version.key))

    def _update_setting(self, set_columns: tuple[str, ...]) -> Update:
        return self._table.update().where(*self._where).values(self._parameters(set_columns))

    def update(self, session: Session, obj: Content, along: Along | None = None) -> None:
        """Write the changes of an object in ``session`` by one ``UPDATE ... RETURNING``, as a flush would.

        Its version is checked (a row changed since it was read is
        :class:`~sqlalchemy.orm.exc.StaleDataError`, as from the unit of
        work) and advanced, its ``onupdate`` columns set, and what the row
        now holds is what the object holds, with nothing left for the
        session to flush. Only for an :attr:`updatable` model. ``along`` as
        for :meth:`insert`: on PostgreSQL, by the same statement.
        """
        connection = session.connection()
        given = obj.__dict__
        state = attributes.instance_state(obj)
        if not session.is_modified(obj):
            if along is not None:
                connection.execute(*along)
            return
        changed = state.committed_state
        for key, update in self._onupdates:
            if key not in changed:
                given[key] = update()
        # As the unit of work does: only what changed is set, so that nothing
        # written to the row outside its version (a foreign key's SET NULL) is lost.
        set_columns = tuple(
            column for key, column in self._keyed_columns if key in changed or key in self._set_always
        )
        values = {column: given.get(key) for key, column in self._keyed_columns if column in set_columns}
        values[WHERE_PREFIX + self._key] = state.key[1][0]
        if self._version_key is not None:
            current = given[self._version_key]
            values[WHERE_PREFIX + self._version_key] = current
            values[self._version_key] = self._version_next(current)
        row = self._write(
            connection, ("update", set_columns), lambda: self._update_setting(set_columns), values, along
        )
        if row is None:
            msg = f"The row of {state.key} changed (or went) since it was read."
            raise StaleDataError(msg)
        given.update(zip(self._keys, row, strict=True))
        # What the unit of work does to an object it has just written: its
        # history gone, and off the session's list of changed objects, so
        # that the commit's flush has nothing to look at.
        state._commit_all(given, session.identity_map)  # noqa: SLF001 - as a flush leaves it
        mark_written(session)

    def _write(
        self,
        connection: Connection,
        shape: tuple[Any, ...],
        make: Callable[[], Insert | Update],
        values: dict[str, Any],
        along: Along | None,
    ) -> Any:
        """The row a written statement of ``shape`` returns; ``along`` by the same one on PostgreSQL.

        Elsewhere ``along`` is a statement of its own, just before.
        """
        if along is not None:
            other, other_values = along
            if connection.dialect.name == "postgresql":
                values.update(other_values)
                shape, alone = (*shape, other), make
                make = lambda: alone().add_cte(other.cte("along"))  # noqa: E731 - made only when first needed
            else:
                connection.execute(other, other_values)
        prepared = self._written.get(shape)
        if prepared is None:
            prepared = Prepared(make().returning(*self.columns))
            self._written.put(shape, prepared)
        return prepared.first(connection, values)


@cache
def rows_of(model: type[Content]) -> ObjectRows:
    """The one :class:`ObjectRows` of ``model``: its item loader, list and views share it."""
    return ObjectRows(model)
