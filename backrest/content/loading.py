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
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect
from sqlalchemy.orm import attributes, make_transient_to_detached

from backrest.db import mark_written

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session
    from sqlalchemy.sql.elements import ColumnElement

    from backrest.content.models import Content


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
        self._identity_key = mapper.identity_key_from_primary_key

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

    def insert(self, session: Session, obj: Content) -> None:
        """Insert a new object, and put it in the session as if the session had flushed it.

        The columns it was given are sent, the others take their defaults,
        Python's or the database's; every value comes back by ``RETURNING``.
        Only for a model whose rows hold all of it (:attr:`complete`).
        """
        given = obj.__dict__
        values = {
            column: given[key]
            for key, column in zip(self._keys, self._column_keys, strict=True)
            if key in given
        }
        row = session.connection().execute(self._insert, values).one()
        given.update(zip(self._keys, row, strict=True))
        make_transient_to_detached(obj)
        session.add(obj)
        mark_written(session)


@cache
def rows_of(model: type[Content]) -> ObjectRows:
    """The one :class:`ObjectRows` of ``model``: its item loader, list and views share it."""
    return ObjectRows(model)
