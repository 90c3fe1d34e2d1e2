"""Seeding a benchmark database fast: one user and N documents they own.

The schema comes from the application's own migrations. Documents are
deterministic for a given ``seed`` (titles, bodies, statuses, tags, dates);
only their ids are random (``backrest.db.new_public_id``, as the application
makes them). Values are written in the form the application's column types
write them (checked by reading one row back through the ORM), without the
per-value overhead of SQLAlchemy's type processing:

- SQLite: ``executemany`` of 20 000-row batches in one transaction, then ``ANALYZE``;
- PostgreSQL: ``COPY ... FROM STDIN``, then ``VACUUM ANALYZE``.

On both, the secondary indexes the migrations made are dropped for the load
and made again afterwards from their own definitions, which is several
times faster than maintaining them row by row.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from backrest.accounts.models import User
from backrest.db import new_public_id, utcnow
from backrest.migrations import upgrade
from backrest.types.documents import Document

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import Connection, Engine

EMAIL = "bench@example.com"
PASSWORD = "a benchmark horse, battery and staple"
BATCH = 20_000
SPAN_SECONDS = 3 * 365 * 86400
"""Documents were created over the three years before the seeding."""

WORDS = (
    "annual",
    "report",
    "budget",
    "draft",
    "meeting",
    "notes",
    "plan",
    "roadmap",
    "review",
    "summary",
    "proposal",
    "design",
    "release",
    "customer",
    "support",
    "invoice",
    "contract",
    "policy",
    "security",
    "audit",
    "migration",
    "backup",
    "server",
    "network",
    "database",
    "index",
    "query",
    "cache",
    "latency",
    "throughput",
    "memory",
    "storage",
    "cluster",
    "replica",
    "onboarding",
    "hiring",
    "interview",
    "feedback",
    "retrospective",
    "sprint",
    "milestone",
    "deadline",
    "launch",
    "marketing",
    "campaign",
    "newsletter",
    "blog",
    "article",
    "press",
    "research",
    "analysis",
    "survey",
    "results",
    "quarterly",
    "monthly",
    "weekly",
    "daily",
    "team",
    "project",
    "product",
    "feature",
    "bug",
    "fix",
    "incident",
    "postmortem",
)
STATUSES = (("draft", 0.30), ("published", 0.85), ("archived", 1.0))
"""Cumulative: 30 % drafts, 55 % published, 15 % archived."""
TAGS = ("urgent", "internal", "public", "finance", "legal", "ops", "dev", "hr", "sales", "idea")
LANGUAGES = ("en", "fr", "de", "es", "it", "nl")
COLORS = ("red", "green", "blue", "yellow", "grey")
COLUMNS = (
    "id",
    "owner_id",
    "title",
    "body",
    "status",
    "tags",
    "attributes",
    "created",
    "modified",
    "version",
    "public",
)
POOL = 2000


def _json(value: Any) -> str:
    # As SQLAlchemy's JSON type writes it (json.dumps, ASCII-only is fine here).
    import json  # noqa: PLC0415 - only the pools need it

    return json.dumps(value)


class Pools:
    """Pre-made title halves, bodies, tag lists and attribute objects to draw from."""

    def __init__(self, rnd: random.Random) -> None:
        self.heads = [" ".join(rnd.choices(WORDS, k=rnd.randint(1, 4))).capitalize() for _ in range(POOL)]
        self.tails = [" ".join(rnd.choices(WORDS, k=rnd.randint(1, 5))) for _ in range(POOL)]
        self.bodies = [" ".join(rnd.choices(WORDS, k=rnd.randint(15, 70))) + "." for _ in range(POOL)]
        self.tags = [_json(rnd.sample(TAGS, rnd.randint(0, 3))) for _ in range(POOL)]
        self.attributes = []
        for _ in range(POOL):
            attributes: dict[str, Any] = {}
            if rnd.random() < 0.6:  # noqa: PLR2004
                attributes["language"] = rnd.choice(LANGUAGES)
            if rnd.random() < 0.3:  # noqa: PLR2004
                attributes["color"] = rnd.choice(COLORS)
            if rnd.random() < 0.4:  # noqa: PLR2004
                attributes["priority"] = rnd.randint(0, 5)
            self.attributes.append(_json(attributes))


def documents(count: int, seed: int = 1, now: datetime | None = None) -> Iterator[tuple[Any, ...]]:
    """``count`` documents, as tuples of the columns to write.

    id, title, body, status, tags (JSON text), attributes (JSON text), created
    and modified (naive UTC datetimes), public.
    """
    rnd = random.Random(seed)  # noqa: S311 - made-up data, not secrets
    pools = Pools(rnd)
    now = (now or utcnow()).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    draw = rnd.random
    pick = rnd.randrange
    for _ in range(count):
        title = f"{pools.heads[pick(POOL)]} {pools.tails[pick(POOL)]}"
        if draw() < 0.3:  # noqa: PLR2004 - some titles carry a number
            title = f"{title} {pick(1, 10000)}"
        created = now - timedelta(seconds=draw() * SPAN_SECONDS)
        modified = min(now, created + timedelta(seconds=draw() * 30 * 86400))
        roll = draw()
        status = next(name for name, upto in STATUSES if roll < upto)
        yield (
            new_public_id(),
            title,
            pools.bodies[pick(POOL)],
            status,
            pools.tags[pick(POOL)],
            pools.attributes[pick(POOL)],
            created,
            modified,
            draw() < 0.1,  # noqa: PLR2004 - one document in ten is public
        )


def migrate(engine: Engine) -> None:
    """The schema, as ``backrest migrate`` makes it."""
    upgrade(engine)


def create_user(engine: Engine, password_hash: str, email: str = EMAIL, *, is_admin: bool = False) -> str:
    """A confirmed user (by default the one who owns every seeded document); answers its id."""
    user_id = new_public_id()
    now = utcnow()
    with engine.begin() as connection:
        connection.execute(
            insert(User).values(
                id=user_id,
                email=email,
                password_hash=password_hash,
                is_admin=is_admin,
                firstname="Bench",
                lastname="Mark",
                email_verified=True,
                created=now,
                modified=now,
            )
        )
    return user_id


def _batches(rows: Iterator[tuple[Any, ...]], size: int = BATCH) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _secondary_indexes(connection: Connection) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the documents table's indexes, primary key aside."""
    if connection.dialect.name == "postgresql":
        query = (
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'documents' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
    else:
        query = (
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = 'documents' AND sql IS NOT NULL"
        )
    return [(name, sql) for name, sql in connection.exec_driver_sql(query)]


def _insert_sqlite(
    connection: Connection, rows: Iterator[tuple[Any, ...]], owner_id: str, ids: list[str]
) -> None:
    connection.exec_driver_sql("PRAGMA cache_size = -400000")  # 400 MB while seeding
    columns, marks = ", ".join(COLUMNS), ", ".join("?" * len(COLUMNS))
    statement = f"INSERT INTO documents ({columns}) VALUES ({marks})"  # noqa: S608 - constants
    for batch in _batches(rows):
        connection.exec_driver_sql(
            statement,
            [
                (
                    row[0],
                    owner_id,
                    *row[1:6],
                    # SQLAlchemy's SQLite DATETIME storage format, in UTC (backrest.db.UTCDateTime)
                    row[6].isoformat(" ", "microseconds"),
                    row[7].isoformat(" ", "microseconds"),
                    1,
                    int(row[8]),
                )
                for row in batch
            ],
        )
        ids.extend(row[0] for row in batch)


def _copy_postgresql(
    connection: Connection, rows: Iterator[tuple[Any, ...]], owner_id: str, ids: list[str]
) -> None:
    # COPY's text format; no value holds a tab, a newline or a backslash.
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(f"COPY documents ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for batch in _batches(rows):
            copy.write(
                "".join(
                    f"{row[0]}\t{owner_id}\t{row[1]}\t{row[2]}\t{row[3]}\t{row[4]}\t{row[5]}\t"
                    f"{row[6].isoformat(' ', 'microseconds')}+00\t"
                    f"{row[7].isoformat(' ', 'microseconds')}+00\t"
                    f"1\t{'t' if row[8] else 'f'}\n"
                    for row in batch
                )
            )
            ids.extend(row[0] for row in batch)


def seed_documents(engine: Engine, count: int, owner_id: str, seed: int = 1) -> list[str]:
    """Insert ``count`` documents owned by ``owner_id``; answers their ids, in insertion order."""
    ids: list[str] = []
    rows = documents(count, seed)
    postgresql = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        indexes = _secondary_indexes(connection)
        for name, _ in indexes:
            connection.exec_driver_sql(f"DROP INDEX {name}")
        if postgresql:
            _copy_postgresql(connection, rows, owner_id, ids)
        else:
            _insert_sqlite(connection, rows, owner_id, ids)
        if postgresql:
            connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            connection.exec_driver_sql(definition)
    # The planner's statistics, as a database in service has them (PostgreSQL's
    # autovacuum, backrest's PRAGMA optimize on SQLite: backrest.db).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if postgresql else "ANALYZE"))
    _check(engine, ids[0], owner_id)
    return ids


def _check(engine: Engine, some_id: str, owner_id: str) -> None:
    """A seeded row reads back through the ORM as the application wrote it."""
    with Session(engine) as session:
        document = session.scalars(select(Document).where(Document.id == some_id)).one()
        assert document.owner_id == owner_id  # noqa: S101
        assert document.created.tzinfo is not None  # noqa: S101
        assert document.created <= document.modified <= utcnow()  # noqa: S101
        assert isinstance(document.tags, list)  # noqa: S101
        assert isinstance(document.attributes, dict)  # noqa: S101
        assert document.version == 1  # noqa: S101


def recent_bound() -> datetime:
    """A ``created__gte`` bound that keeps about the newest third of the documents."""
    return (utcnow() - timedelta(seconds=SPAN_SECONDS / 3)).replace(microsecond=0)
