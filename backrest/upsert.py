"""``INSERT ... ON CONFLICT`` in the dialect of a session's database.

Both dialects backrest runs on spell it alike, but each has its own
construct; only the one in use is imported, so a PostgreSQL process never
loads SQLite's dialect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session


def conflict_insert(bound: Session | Connection, table: Any) -> Any:
    """An insert into ``table`` (a table or a mapped class) that takes ``on_conflict_do_*``.

    ``bound`` is a session or a connection, of the database it is for.
    """
    dialect = bound.dialect if hasattr(bound, "dialect") else bound.bind.dialect
    if dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # noqa: PLC0415
    else:
        from sqlalchemy.dialects.sqlite import insert  # noqa: PLC0415
    return insert(table)
