"""``backrest gc``: remove the file data nothing refers to, safely while the service runs.

Three kinds of leftovers, each removed only once older than the grace
period (``backrest.files.gc_grace``), so nothing an upload in flight still
needs goes:

- blob rows no file row names, with their files: deleted in one statement
  that locks them, and their files removed before that transaction commits.
  An upload of the same content waits on that lock (it claims the row), so
  it never counts on a file being removed; if the commit fails after the
  files went, the rows stay, named by no one, and the next upload of that
  content puts its file back;
- blob files without a row (a process killed between putting the file in
  place and committing its row);
- temporary files (an upload cut off by a killed process).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import and_, delete, exists, not_, select

from backrest.db import utcnow
from backrest.files.models import Blob
from backrest.files.storage import SHA256

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import Engine

    from backrest.files.models import FileContent
    from backrest.files.storage import BlobStore

BATCH = 500


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
    """Blobs no file names (row and file)."""
    orphans: Removed = field(default_factory=Removed)
    """Blob files without a row."""
    temporary: Removed = field(default_factory=Removed)
    """Temporary files of uploads that never finished."""

    def report(self) -> str:
        return "\n".join(
            f"removed {removed.count} {what} ({removed.size} bytes)"
            for what, removed in (
                ("unreferenced blobs", self.unreferenced),
                ("blob files without a row", self.orphans),
                ("temporary files", self.temporary),
            )
        )


def _unlink(path: Path) -> int:
    """Remove ``path``; answers the bytes freed (0 if it was already gone)."""
    try:
        size = path.stat().st_size
        path.unlink()
    except FileNotFoundError:
        return 0
    return size


def _unreferenced(
    engine: Engine, store: BlobStore, models: list[type[FileContent]], cutoff: object
) -> Removed:
    removed = Removed()
    unnamed = and_(
        Blob.claimed < cutoff, *(not_(exists().where(model.sha256 == Blob.sha256)) for model in models)
    )
    while True:
        with engine.begin() as connection:
            batch = select(Blob.sha256).where(unnamed).limit(BATCH).scalar_subquery()
            gone = connection.execute(
                delete(Blob).where(Blob.sha256.in_(batch), unnamed).returning(Blob.sha256, Blob.size)
            ).all()
            for sha256, size in gone:
                _unlink(store.path(sha256))
                removed.add(size)
        if len(gone) < BATCH:
            return removed


def _old_files(directory: Path, cutoff: float) -> Iterator[Path]:
    """The files under ``directory`` last changed (written, renamed) before ``cutoff``."""
    for root, _directories, names in os.walk(directory):
        for name in names:
            path = Path(root) / name
            try:
                status = path.stat()
            except FileNotFoundError:
                continue
            if max(status.st_mtime, status.st_ctime) < cutoff:
                yield path


def _orphans(engine: Engine, store: BlobStore, cutoff: float) -> Removed:
    removed = Removed()
    old = list(_old_files(store.blobs, cutoff))
    for start in range(0, len(old), BATCH):
        paths = {path.name: path for path in old[start : start + BATCH]}
        with engine.connect() as connection:
            known = set(connection.scalars(select(Blob.sha256).where(Blob.sha256.in_(list(paths)))))
        for name, path in paths.items():
            if name not in known or not SHA256.match(name):
                removed.add(_unlink(path))
    return removed


def collect(engine: Engine, store: BlobStore, models: list[type[FileContent]], grace: timedelta) -> Collected:
    """Remove what nothing refers to and nobody touched for ``grace``; answers what went."""
    collected = Collected()
    collected.unreferenced = _unreferenced(engine, store, models, utcnow() - grace)
    cutoff = time.time() - grace.total_seconds()
    collected.orphans = _orphans(engine, store, cutoff)
    for path in _old_files(store.tmp, cutoff):
        collected.temporary.add(_unlink(path))
    return collected
