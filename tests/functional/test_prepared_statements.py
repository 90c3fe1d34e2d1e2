"""Statements run on the driver's cursor, and objects made from their rows, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import bindparam, event, inspect, literal_column, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from backrest import statements
from backrest.content.loading import ObjectRows
from backrest.content.models import ContentRemoval
from backrest.statements import Prepared
from backrest.teams.models import Team
from backrest.types.documents import Document

REMOVALS = Prepared(
    select(ContentRemoval.principal, ContentRemoval.removed)
    .where(
        ContentRemoval.collection == "documents",
        ContentRemoval.principal.in_(bindparam("principals", expanding=True)),
    )
    .order_by(ContentRemoval.principal)
)
MOMENT = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)


def removal(principal: str, collection: str = "documents") -> ContentRemoval:
    return ContentRemoval(collection=collection, principal=principal, removed=MOMENT)


def test_rows_are_named_and_typed_as_sqlalchemy_gives_them(dbsession):
    dbsession.add_all([removal("a"), removal("b"), removal("c"), removal("a", collection="files")])
    dbsession.commit()

    rows = REMOVALS.all(dbsession.connection(), {"principals": ["a", "c", "z"]})

    assert [(row.principal, row.removed) for row in rows] == [("a", MOMENT), ("c", MOMENT)]
    assert rows[0].removed.tzinfo is UTC  # SQLite keeps none: UTCDateTime's processor gave it back
    assert REMOVALS.all(dbsession.connection(), {"principals": ["b"]}) == [("b", MOMENT)]
    assert REMOVALS.first(dbsession.connection(), {"principals": ["z"]}) is None


def test_bind_processors_apply_to_parameters(dbsession):
    dbsession.add(removal("a"))
    dbsession.commit()
    since = Prepared(select(ContentRemoval.principal).where(ContentRemoval.removed >= bindparam("since")))

    assert since.all(dbsession.connection(), {"since": MOMENT - timedelta(microseconds=1)}) == [("a",)]
    assert since.all(dbsession.connection(), {"since": MOMENT + timedelta(microseconds=1)}) == []
    with pytest.raises(Exception, match="naive datetimes are ambiguous"):
        since.all(dbsession.connection(), {"since": MOMENT.replace(tzinfo=None)})


def test_a_statement_runs_in_the_sessions_transaction(dbsession):
    dbsession.add(removal("a"))
    dbsession.flush()
    assert REMOVALS.all(dbsession.connection(), {"principals": ["a"]}) == [("a", MOMENT)]
    dbsession.rollback()
    assert REMOVALS.all(dbsession.connection(), {"principals": ["a"]}) == []


def test_listeners_of_the_engine_see_each_statement(app, dbsession):
    seen: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(app.registry["db_engine"], "before_cursor_execute", record)
    try:
        REMOVALS.all(dbsession.connection(), {"principals": ["a", "b"]})
    finally:
        event.remove(app.registry["db_engine"], "before_cursor_execute", record)
    assert len(seen) == 1
    assert "content_removals" in seen[0]


def test_a_database_error_is_sqlalchemys_and_leaves_the_session_usable(dbsession):
    broken = Prepared(select(literal_column("no_such_column")).select_from(ContentRemoval))

    with pytest.raises(DBAPIError, match="no_such_column"):
        broken.all(dbsession.connection(), {})
    dbsession.rollback()
    assert REMOVALS.all(dbsession.connection(), {"principals": ["a"]}) == []


def test_an_object_made_from_its_row_is_the_one_the_session_loads(dbsession):
    dbsession.execute(
        Document.__table__.insert(), [{"id": "doc1", "title": "T", "tags": ["x"], "attributes": {}}]
    )
    dbsession.commit()
    rows = ObjectRows(Document)
    read = Prepared(select(*rows.columns).where(Document.id == "doc1"))

    made = rows.object(read.first(dbsession.connection(), {}))
    loaded = dbsession.get(Document, "doc1")

    assert rows.complete
    assert made is not loaded
    assert made.__json__(None) == loaded.__json__(None)
    assert (made.id, made.version, made.created, made.public, made.owner_id) == (
        loaded.id,
        loaded.version,
        loaded.created,
        loaded.public,
        loaded.owner_id,
    )
    state = inspect(made)
    assert state.detached
    assert state.key == inspect(loaded).key


def test_a_model_with_relationships_is_not_complete_from_a_row():
    assert not ObjectRows(Team).complete


def test_statements_of_one_shape_each_run_with_their_own_values(dbsession):
    dbsession.add_all([removal("a"), removal("b", collection="files"), removal("c", collection="files")])
    dbsession.commit()

    def removed(collection: str, *principals: str) -> list[Any]:
        statement = select(ContentRemoval.principal, ContentRemoval.removed).where(
            ContentRemoval.collection == collection,
            ContentRemoval.principal.in_(bindparam("principals", expanding=True)),
        )
        ordered = statement.order_by(ContentRemoval.principal)
        bound = statements.bind(dbsession.get_bind().dialect, ordered, {"principals": principals})
        return bound.all(dbsession.connection())

    assert removed("documents", "a", "b") == [("a", MOMENT)]
    assert removed("files", "a", "b") == [("b", MOMENT)]
    assert [row.principal for row in removed("files", "a", "b", "c")] == ["b", "c"]
    assert removed("nothing", "a") == []


def test_an_inserted_object_has_its_defaults_and_is_the_sessions_to_change(dbsession):
    rows = ObjectRows(Document)
    obj = Document(title="New", tags=["a"])

    rows.insert(dbsession, obj)

    assert inspect(obj).persistent
    assert (obj.body, obj.status, obj.version, obj.attributes) == ("", "draft", 1, {})
    assert obj.id
    assert obj.created.tzinfo is UTC
    obj.title = "Changed"
    dbsession.commit()
    dbsession.expunge_all()
    stored = dbsession.get(Document, obj.id)
    assert (stored.title, stored.tags, stored.version) == ("Changed", ["a"], 2)


def test_a_new_objects_python_defaults_make_it_its_row_before_the_insert(dbsession):
    rows = ObjectRows(Document)
    obj = Document(title="New")

    rows.fill_defaults(obj)
    before = {key: getattr(obj, key) for key in ("id", "body", "status", "tags", "attributes", "version")}
    rows.insert(dbsession, obj)

    assert rows.known_before_insert
    assert before == {key: getattr(obj, key) for key in before}
    assert dbsession.get(Document, obj.id).created == obj.created


class Other(DeclarativeBase):
    pass


class Numbered(Other):
    """A row the database numbers, and one column only the database fills."""

    __tablename__ = "numbered"
    id: Mapped[int] = mapped_column(primary_key=True)
    stamp: Mapped[str] = mapped_column(server_default="now")


class Stamped(Other):
    __tablename__ = "stamped"
    id: Mapped[str] = mapped_column(primary_key=True, default=lambda: "x")
    stamp: Mapped[str] = mapped_column(default=lambda context: context.current_parameters["id"])


@pytest.mark.parametrize("model", [Numbered, Stamped])
def test_a_row_the_database_or_the_statement_completes_is_not_known_before_the_insert(model):
    assert not ObjectRows(model).known_before_insert


def test_a_row_written_along_goes_with_the_insert(dbsession):
    rows = ObjectRows(Document)
    along = (
        ContentRemoval.__table__.insert().values(
            collection=bindparam("along_collection"),
            principal=bindparam("along_principal"),
            removed=bindparam("along_removed"),
        ),
        {"along_collection": "documents", "along_principal": "p", "along_removed": MOMENT},
    )

    rows.insert(dbsession, Document(title="New"), along=along)

    assert REMOVALS.all(dbsession.connection(), {"principals": ["p"]}) == [("p", MOMENT)]


def test_an_update_writes_the_changes_and_leaves_nothing_to_flush(app, dbsession):
    rows = ObjectRows(Document)
    obj = Document(title="New")
    rows.insert(dbsession, obj)
    created = obj.modified
    obj.title = "Changed"

    rows.update(dbsession, obj)

    assert (obj.version, obj.modified > created) == (2, True)
    assert not dbsession.dirty
    flushed: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        flushed.append(statement)

    event.listen(app.registry["db_engine"], "before_cursor_execute", record)
    try:
        dbsession.flush()
    finally:
        event.remove(app.registry["db_engine"], "before_cursor_execute", record)
    assert flushed == []
    dbsession.commit()
    dbsession.expunge_all()
    assert (dbsession.get(Document, obj.id).title, dbsession.get(Document, obj.id).version) == ("Changed", 2)


def test_an_update_of_a_row_changed_since_it_was_read_is_stale(dbsession):
    rows = ObjectRows(Document)
    obj = Document(title="New")
    rows.insert(dbsession, obj)
    dbsession.execute(
        update(Document).values(version=Document.version + 1).execution_options(synchronize_session=False)
    )
    obj.title = "Changed"

    with pytest.raises(StaleDataError):
        rows.update(dbsession, obj)


def test_an_update_sets_only_what_changed_as_the_unit_of_work_does(dbsession):
    rows = ObjectRows(Document)
    obj = Document(title="New", body="Mine")
    rows.insert(dbsession, obj)
    # Written outside the version, as a foreign key's ON DELETE SET NULL writes.
    dbsession.execute(
        update(Document)
        .where(Document.id == obj.id)
        .values(body="Theirs")
        .execution_options(synchronize_session=False)
    )
    obj.title = "Changed"

    rows.update(dbsession, obj)

    assert (obj.title, obj.body, obj.version) == ("Changed", "Theirs", 2)
