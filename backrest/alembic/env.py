"""Alembic environment: migrations run on a connection we hand in, or on the ini's database.

``alembic -c development.ini upgrade head`` works, and so does
``backrest migrate development.ini`` (see :mod:`backrest.scripts.cli`).
"""

from __future__ import annotations

from alembic import context
from pyramid.paster import get_appsettings

from backrest.db import get_engine
from backrest.settings import resolve
from backrest.tables import metadata

config = context.config


def run_migrations(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = get_engine(resolve(get_appsettings(config.config_file_name, name="main")))
    with engine.begin() as own_connection:
        run_migrations(own_connection)
