"""The migrations make the schema the models declare, and can be undone."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, make_url, text

from backrest.db import get_engine
from backrest.migrations import alembic_config, upgrade
from backrest.tables import metadata

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from sqlalchemy.engine import Engine


@pytest.fixture
def empty_engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database of its own, with no tables yet."""
    if database_url.startswith("sqlite"):
        engine = get_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'migrations.sqlite'}"})
        yield engine
        engine.dispose()
        return
    name = f"migrations_{secrets.token_hex(4)}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    engine = get_engine({"sqlalchemy.url": make_url(database_url).set(database=name)})
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name}"))
    admin.dispose()


# SQLite's reflection skips the lower(email) index; PostgreSQL compares it.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index"),
    pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index"),
]


def differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def test_migrations_make_the_schema_the_models_declare(empty_engine):
    upgrade(empty_engine)
    assert differences(empty_engine) == []


def test_migrations_undo_and_redo(empty_engine):
    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    upgrade(empty_engine)
    assert differences(empty_engine) == []


def test_a_deletion_remembered_for_a_collection_is_kept_for_everyone(empty_engine):
    upgrade(empty_engine, "0003")
    with empty_engine.begin() as connection:
        connection.execute(
            text("INSERT INTO content_deletions (collection, deleted) VALUES ('documents', :deleted)"),
            {"deleted": "2026-11-30 10:00:00.000000"},
        )
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        rows = connection.execute(text("SELECT collection, principal FROM content_removals")).all()
    assert [tuple(row) for row in rows] == [("documents", "system.Everyone")]


def test_bodies_of_mail_sent_or_given_up_are_forgotten(empty_engine):
    upgrade(empty_engine, "0009")
    insert = text(
        "INSERT INTO mail_outbox (sender, recipients, subject, body, created, next_attempt, attempts,"
        " last_error, sent, failed) VALUES ('a@example.com', '[]', :subject, 'link', :now, :now, 0, '',"
        " :sent, :failed)"
    )
    now = "2026-12-01 10:00:00.000000"
    with empty_engine.begin() as connection:
        for subject, sent, failed in (("queued", None, None), ("sent", now, None), ("given up", None, now)):
            connection.execute(insert, {"subject": subject, "now": now, "sent": sent, "failed": failed})
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        rows = connection.execute(text("SELECT subject, body FROM mail_outbox ORDER BY id")).all()
    assert [tuple(row) for row in rows] == [("queued", "link"), ("sent", ""), ("given up", "")]


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command  # noqa: PLC0415

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
