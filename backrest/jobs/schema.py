"""Procrastinate's tables and functions: applied by ``backrest migrate``, looked for by ``backrest check``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

PRESENT = text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
ABSENT = "no procrastinate schema: run backrest migrate"
"""What ``backrest check`` and ``backrest worker`` say of a database without it."""


def apply_schema(connection: Connection) -> bool:
    """Create procrastinate's schema unless it is there; answers whether it did.

    Run by :func:`backrest.migrations.upgrade` after the alembic migrations,
    under the same lock: two processes migrating at once create it once.
    """
    from procrastinate.schema import SchemaManager  # noqa: PLC0415 - only deployments with jobs have it

    if connection.scalar(PRESENT):
        connection.rollback()
        return False
    # On the driver's connection, in the transaction begun above: the schema is many statements,
    # with "%" in them, which only a query without parameters sends as they are.
    connection.connection.driver_connection.execute(SchemaManager.get_schema())
    connection.commit()
    return True


def schema_present(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(connection.scalar(PRESENT))
