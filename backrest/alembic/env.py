"""Alembic environment: migrations run on a connection we hand in, or on the ini's database.

``alembic -c development.ini upgrade head`` works, and so does
``backrest migrate development.ini`` (see :mod:`backrest.scripts.cli`); both
run one process at a time (:func:`backrest.migrations.serialised`).
"""

from __future__ import annotations

from alembic import context
from pyramid.paster import get_appsettings

from backrest.db import get_engine
from backrest.migrations import compared, serialised
from backrest.settings import resolve
from backrest.tables import metadata

config = context.config


def run_migrations(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        include_name=compared,
        # On a connection in no transaction (PostgreSQL's), each migration commits on its own: the locks
        # it takes are held while it runs, not until the last one ends, and one that steps out of its
        # transaction (autocommit_block) leaves the ones before it committed, as they would be anyway.
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    settings = resolve(get_appsettings(config.config_file_name, name="main"))
    with (
        get_engine(settings).connect() as own_connection,
        serialised(own_connection, settings["backrest.db.migration_lock_timeout"]),
    ):
        run_migrations(own_connection)
