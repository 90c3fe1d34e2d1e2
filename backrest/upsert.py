"""``INSERT ... ON CONFLICT`` in the dialect of a session's database.

Both dialects backrest runs on spell it alike, but each has its own
construct; only the one in use is imported, so a PostgreSQL process never
loads SQLite's dialect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def conflict_insert(dbsession: Session, table: Any) -> Any:
    """An insert into ``table`` (a table or a mapped class) that takes ``on_conflict_do_*``."""
    if dbsession.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # noqa: PLC0415
    else:
        from sqlalchemy.dialects.sqlite import insert  # noqa: PLC0415
    return insert(table)
