"""``backrest gc``: remove the file data nothing refers to, safely while the service runs.

Three kinds of leftovers, each removed only once older than the grace
period (``backrest.files.gc_grace``), so nothing an upload in flight still
needs goes:

- blob rows no file row names, with their blobs: deleted in one statement
  that locks them, and their blobs removed before that transaction commits.
  An upload of the same content waits on that lock (it claims the row), so
  it never counts on a blob being removed; if the commit fails after the
  blobs went, the rows stay, named by no one, and the next upload of that
  content puts its blob back;
- blobs without a row (a process killed between storing the blob and
  committing its row, or a transaction that failed after an object store
  took it): gc inserts a row for each, so that an upload of the same
  content waits on it as above, removes the blobs, deletes the rows and
  commits. A row an upload holds makes gc's insert wait, then skip the blob;
- unfinished uploads: temporary files of a killed process, and an object
  store's multipart uploads it left behind.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, delete, exists, not_, select

from backrest.db import utcnow
from backrest.files.models import Blob
from backrest.files.quota import file_models
from backrest.upsert import conflict_insert

if TYPE_CHECKING:
    from pyramid.registry import Registry
    from sqlalchemy.engine import Engine

    from backrest.files.models import FileContent
    from backrest.files.storage import BlobStore, Stored

BATCH = 500
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
"""When gc's own rows (see above) say they were claimed: long before any grace period."""


@dataclass
class Removed:
    """What one kind of leftover gc removed: how many, and their bytes."""

    count: int = 0
    size: int = 0

    def add(self, size: int) -> None:
        self.count += 1
        self.size += size


@dataclass
class Collected:
    unreferenced: Removed = field(default_factory=Removed)
    """Blobs no file names (row and blob)."""
    orphans: Removed = field(default_factory=Removed)
    """Blobs without a row, and anything else in the blob store."""
    temporary: Removed = field(default_factory=Removed)
    """Uploads that never finished."""

    def report(self) -> str:
        return "\n".join(
            f"removed {removed.count} {what} ({removed.size} bytes)"
            for what, removed in (
                ("unreferenced blobs", self.unreferenced),
                ("blobs without a row", self.orphans),
                ("unfinished uploads", self.temporary),
            )
        )


def _unreferenced(
    engine: Engine, store: BlobStore, models: list[type[FileContent]], cutoff: object
) -> Removed:
    removed = Removed()
    unnamed = and_(
        Blob.claimed < cutoff, *(not_(exists().where(model.sha256 == Blob.sha256)) for model in models)
    )
    while True:
        with engine.begin() as connection:
            # Locked first, skipping those an upload holds: the delete then checks the files after
            # the lock, so it sees a file that came to name a blob while gc ran (its upload claimed
            # the row, then committed). In one statement its snapshot could miss that file.
            batch = connection.scalars(
                select(Blob.sha256).where(unnamed).limit(BATCH).with_for_update(skip_locked=True)
            ).all()
            gone = connection.execute(
                delete(Blob).where(Blob.sha256.in_(batch), unnamed).returning(Blob.sha256, Blob.size)
            ).all()
            store.remove_blobs([sha256 for sha256, _size in gone])
            for _sha256, size in gone:
                removed.add(size)
        if len(batch) < BATCH:
            return removed


def _remove_rowless(engine: Engine, store: BlobStore, blobs: dict[str, Stored], removed: Removed) -> None:
    """Remove those of ``blobs`` no row names, holding a row of gc's own for each while it does."""
    with engine.begin() as connection:
        rows = [{"sha256": sha256, "size": blob.size, "claimed": LONG_AGO} for sha256, blob in blobs.items()]
        held = connection.scalars(
            conflict_insert(connection, Blob.__table__)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["sha256"])
            .returning(Blob.sha256)
        ).all()
        store.remove_blobs(list(held))
        connection.execute(delete(Blob).where(Blob.sha256.in_(held)))
    for sha256 in held:
        removed.add(blobs[sha256].size)


def _orphans(engine: Engine, store: BlobStore, cutoff: float) -> Removed:
    removed = Removed()
    batch: dict[str, Stored] = {}
    for stored in store.stored_before(cutoff):
        if stored.sha256 is None:
            stored.remove()
            removed.add(stored.size)
            continue
        batch[stored.sha256] = stored
        if len(batch) == BATCH:
            _remove_rowless(engine, store, batch, removed)
            batch = {}
    if batch:
        _remove_rowless(engine, store, batch, removed)
    return removed


def collect(engine: Engine, store: BlobStore, models: list[type[FileContent]], grace: timedelta) -> Collected:
    """Remove what nothing refers to and nobody touched for ``grace``; answers what went."""
    collected = Collected()
    collected.unreferenced = _unreferenced(engine, store, models, utcnow() - grace)
    cutoff = time.time() - grace.total_seconds()
    collected.orphans = _orphans(engine, store, cutoff)
    for stored in store.unfinished_before(cutoff):
        stored.remove()
        collected.temporary.add(stored.size)
    return collected


def collect_garbage(registry: Registry, grace: int | None = None) -> Collected:
    """:func:`collect` for the application of ``registry``: ``backrest gc``, and its periodic job.

    ``grace`` in seconds, by default ``backrest.files.gc_grace``.
    """
    seconds = registry.settings["backrest.files.gc_grace"] if grace is None else grace
    return collect(
        registry["db_engine"], registry["backrest.files"], file_models(registry), timedelta(seconds=seconds)
    )
