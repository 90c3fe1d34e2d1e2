"""A process killed at any moment leaves at most unreferenced file data, and ``backrest gc`` removes it.

A writer process uploads, replaces and deletes files through the whole
application in a loop (``tests/integration/file_writer.py``) and is killed
with SIGKILL after a random delay, again and again: while an upload streams
in, between a blob's storing and the database's COMMIT, during the commit.
After every kill each row's blob is there, whole, with its hash and size.
At the end the leftovers are counted in the store and in the database, and
the real ``backrest gc --grace 0`` must report and remove exactly those, and
nothing any row still names. So for both stores: the local one, and an
S3 server (SeaweedFS).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import create_engine, select, text

from backrest.files.models import Blob
from backrest.files.storage import BlobStore
from backrest.types.files import File
from tests.conftest import make_settings
from tests.integration.conftest import empty_tables
from tests.servers import S3_BUCKET, ObjectStore, object_store

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterator

    from sqlalchemy.engine import Engine

KILLS = 50
MAX_DELAY = 0.4
"""Seconds a writer runs before it is killed, at most: some dozen operations."""
TIMEOUT = 60.0
"""Seconds to wait for the writer process to answer (building the application takes a few)."""
WRITER_NAME = "file_writer"
"""The writers' ``application_name`` on PostgreSQL, to see when the server has let go of a killed one."""
BACKREST = Path(sys.executable).parent / "backrest"
OPERATIONS = {"create", "replace", "delete"}


def environment() -> dict[str, str]:
    """This process's environment without ``BACKREST_*``: the children take their settings from us alone."""
    return {name: value for name, value in os.environ.items() if not name.startswith("BACKREST_")}


class Writers:
    """The process of ``file_writer``: forks writers on demand, and says how they ended."""

    def __init__(self, settings: dict[str, str], oplog: Path, log: Path) -> None:
        self.log = log
        with log.open("wb") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.integration.file_writer", json.dumps(settings), str(oplog)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                cwd=Path(__file__).parents[2],
                env=environment(),
                text=True,
            )
        self.running: int | None = None
        assert self.receive() == "ready"

    def receive(self) -> str:
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            ready = selector.select(TIMEOUT)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"file_writer did not answer:\n{self.log.read_text()}")
        return line.strip()

    def send(self, line: str) -> str:
        try:
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            pytest.fail(f"file_writer exited with {self.process.wait()}:\n{self.log.read_text()}")
        return self.receive()

    def fork(self, seed: int) -> int:
        self.running = int(self.send(f"fork {seed}"))
        return self.running

    def kill(self, pid: int) -> str:
        """SIGKILL the writer ``pid``; answers how it ended (``signal 9`` unless it had died already)."""
        os.kill(pid, signal.SIGKILL)
        ended = self.send(f"reap {pid}")
        self.running = None
        return ended

    def close(self) -> None:
        if self.running is not None:
            os.kill(self.running, signal.SIGKILL)
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


def files_in(directory: Path) -> dict[Path, int]:
    """Every file under ``directory``, with its size."""
    return {path: path.stat().st_size for path in directory.rglob("*") if path.is_file()}


class LocalBlobs:
    """What the local store holds, seen on disk."""

    def __init__(self, root: str) -> None:
        self.store = BlobStore(root)

    def stored(self) -> dict[str, tuple[int, Hashable]]:
        """Each blob's size by its name, with what changes when it is written again."""
        return {
            path.name: (size, (path.stat().st_ino, path.stat().st_mtime_ns))
            for path, size in files_in(self.store.blobs).items()
        }

    def sha256_of(self, name: str) -> str:
        digest = hashlib.sha256()
        with self.store.path(name).open("rb") as stream:
            while chunk := stream.read(1024 * 1024):
                digest.update(chunk)
        return digest.hexdigest()

    def unfinished(self) -> dict[str, int]:
        """Uploads cut off: temporary files, by their paths, with their sizes."""
        return {str(path): size for path, size in files_in(self.store.tmp).items()}


class ObjectBlobs(LocalBlobs):
    """What an object store holds (and the temporary files of uploads), seen through its S3 API."""

    def __init__(self, root: str, store: ObjectStore, prefix: str) -> None:
        super().__init__(root)
        self.client = store.client()
        self.prefix = prefix

    def _listed(self, operation: str, field: str) -> list[dict[str, Any]]:
        pages = self.client.get_paginator(operation).paginate(Bucket=S3_BUCKET, Prefix=self.prefix)
        return [item for page in pages for item in page.get(field, [])]

    def stored(self) -> dict[str, tuple[int, Hashable]]:
        return {
            item["Key"].rsplit("/", 1)[1]: (item["Size"], (item["ETag"], item["LastModified"]))
            for item in self._listed("list_objects_v2", "Contents")
        }

    def sha256_of(self, name: str) -> str:
        key = f"{self.prefix}sha256/{name[:2]}/{name[2:4]}/{name}"
        digest = hashlib.sha256()
        for chunk in self.client.get_object(Bucket=S3_BUCKET, Key=key)["Body"].iter_chunks(1024 * 1024):
            digest.update(chunk)
        return digest.hexdigest()

    def unfinished(self) -> dict[str, int]:
        uploads = self._listed("list_multipart_uploads", "Uploads")
        return {**super().unfinished(), **{upload["UploadId"]: 0 for upload in uploads}}


Blobs = LocalBlobs | ObjectBlobs


@dataclass
class Rows:
    files: list[tuple[str, str, int]]
    """``(id, sha256, size)`` of every file."""
    blobs: dict[str, int]
    """Every blob row: its size by its hash."""

    @property
    def referenced(self) -> set[str]:
        return {sha256 for _, sha256, _ in self.files}


def read_rows(engine: Engine) -> Rows:
    with engine.connect() as connection:
        files = sorted(
            (id_, sha256, size)
            for id_, sha256, size in connection.execute(select(File.id, File.sha256, File.size))
        )
        blobs = dict(connection.execute(select(Blob.sha256, Blob.size)).all())
    return Rows(files, blobs)


@dataclass
class Checker:
    """Checks that every file row's blob is there and whole; each version of a blob is hashed once."""

    engine: Engine
    blobs: Blobs
    verified: set[tuple[str, Hashable]] = field(default_factory=set)

    def rows(self, when: str) -> Rows:
        rows = read_rows(self.engine)
        stored = self.blobs.stored()
        for identifier, sha256, size in rows.files:
            where = f"{when}: file {identifier}, blob {sha256}"
            assert rows.blobs.get(sha256) == size, f"{where}: the blob's row is {rows.blobs.get(sha256)}"
            assert sha256 in stored, f"{where}: the blob is missing"
            stored_size, version = stored[sha256]
            if (sha256, version) not in self.verified:
                assert stored_size == size, f"{where}: the blob has {stored_size} bytes"
                assert self.blobs.sha256_of(sha256) == sha256, f"{where}: the blob's content has another hash"
                self.verified.add((sha256, version))
        return rows


def wait_for_writers_to_go(engine: Engine) -> None:
    """On PostgreSQL, wait until the server has ended the killed writers' sessions (one may be committing)."""
    if engine.dialect.name != "postgresql":
        return
    query = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name")
    deadline = time.monotonic() + TIMEOUT
    with engine.connect() as connection:
        while connection.execute(query, {"name": WRITER_NAME}).scalar_one():
            assert time.monotonic() < deadline, "PostgreSQL still serves a killed writer"
            connection.rollback()
            time.sleep(0.005)


def writer_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        return database_url
    separator = "&" if "?" in database_url else "?"
    return f"{database_url}{separator}application_name={WRITER_NAME}"


@dataclass
class Leftovers:
    """What gc should remove: ``(count, bytes)`` of each kind, as its report says them."""

    unreferenced: tuple[int, int]
    orphans: tuple[int, int]
    temporary: tuple[int, int]

    def report(self) -> list[str]:
        return [
            f"removed {count} {what} ({size} bytes)"
            for what, (count, size) in (
                ("unreferenced blobs", self.unreferenced),
                ("blobs without a row", self.orphans),
                ("unfinished uploads", self.temporary),
            )
        ]


def leftovers(rows: Rows, blobs: Blobs) -> Leftovers:
    unreferenced = [size for sha256, size in rows.blobs.items() if sha256 not in rows.referenced]
    orphans = [size for name, (size, _) in blobs.stored().items() if name not in rows.blobs]
    temporary = list(blobs.unfinished().values())
    return Leftovers(
        (len(unreferenced), sum(unreferenced)), (len(orphans), sum(orphans)), (len(temporary), sum(temporary))
    )


def orphan_names(rows: Rows, blobs: Blobs) -> set[str]:
    return {name for name in blobs.stored() if name not in rows.blobs}


@pytest.fixture
def engine(clean_database: str) -> Iterator[Engine]:
    # The database is the session's: start from empty tables, whatever ran before.
    empty_tables(clean_database)
    engine = create_engine(clean_database)
    yield engine
    engine.dispose()


def test_killed_writers_leave_no_row_without_its_blob_and_gc_removes_the_rest(
    clean_database: str, engine: Engine, tmp_path: Path
) -> None:
    settings = make_settings(
        clean_database, tmp_path / "mail", **{"backrest.files.root": str(tmp_path / "files")}
    )
    kill_writers_then_collect(settings, LocalBlobs(settings["backrest.files.root"]), engine, tmp_path)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_killed_writers_leave_no_row_without_its_object_and_gc_removes_the_rest(
    clean_database: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with object_store() as store:
        for name, value in store.environment.items():
            monkeypatch.setenv(name, value)
        settings = make_settings(
            clean_database,
            tmp_path / "mail",
            **{
                "backrest.files.root": str(tmp_path / "files"),
                "backrest.files.storage": "s3",
                "backrest.files.s3.endpoint_url": store.endpoint_url,
                "backrest.files.s3.bucket": S3_BUCKET,
                "backrest.files.s3.prefix": "faults/",
            },
        )
        blobs = ObjectBlobs(settings["backrest.files.root"], store, "faults/")
        kill_writers_then_collect(settings, blobs, engine, tmp_path)


def kill_writers_then_collect(settings: dict[str, str], blobs: Blobs, engine: Engine, tmp_path: Path) -> None:
    """Kill writers :data:`KILLS` times, checking the rows and blobs after each; then ``backrest gc``."""
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    checker = Checker(engine, blobs)
    oplog = tmp_path / "operations"
    writers = Writers(
        {**settings, "sqlalchemy.url": writer_url(settings["sqlalchemy.url"])}, oplog, tmp_path / "writer.log"
    )
    left_temporary = left_orphan = 0
    temporary: set[str] = set()
    orphans: set[str] = set()
    try:
        for kill in range(KILLS):
            delay = rng.uniform(0, MAX_DELAY)
            pid = writers.fork(rng.randrange(2**32))
            time.sleep(delay)
            ended = writers.kill(pid)
            when = f"kill {kill} (seed {seed}) after {delay:.3f} s"
            assert ended == f"signal {signal.SIGKILL}", (
                f"{when}: the writer ended otherwise:\n{writers.log.read_text()}"
            )
            wait_for_writers_to_go(engine)
            rows = checker.rows(f"after {when}")
            now_temporary = set(blobs.unfinished())
            now_orphans = orphan_names(rows, blobs)
            left_temporary += bool(now_temporary - temporary)
            left_orphan += bool(now_orphans - orphans)
            temporary, orphans = now_temporary, now_orphans
    finally:
        writers.close()

    operations = oplog.read_text().split()
    assert set(operations) == OPERATIONS, f"the writers did not do all of {OPERATIONS}: {set(operations)}"
    rows = checker.rows("after the last kill")
    assert rows.files, "the writers left no file"
    assert set(rows.blobs) >= rows.referenced
    before = leftovers(rows, blobs)
    # Deleted and replaced data is unreferenced; what the kills cut off is the rest.
    assert before.unreferenced[0] > 0
    assert left_temporary + left_orphan > 0, f"no kill of {KILLS} landed while an upload was under way"
    print(
        f"{len(operations)} operations, {KILLS} kills: {left_temporary} left an unfinished upload, "
        f"{left_orphan} a blob without a row; before gc: {before}"
    )

    ini = tmp_path / "gc.ini"
    ini.write_text(
        "\n".join(
            ["[app:main]", "use = egg:backrest", *(f"{name} = {value}" for name, value in settings.items())]
        )
        + "\n"
    )
    gc = subprocess.run(
        [str(BACKREST), "gc", str(ini), "--grace", "0"],
        capture_output=True,
        text=True,
        env=environment(),
        timeout=TIMEOUT,
        check=False,
    )
    assert gc.returncode == 0, gc.stderr
    assert gc.stdout.splitlines() == before.report(), gc.stderr

    after = Checker(engine, blobs).rows("after gc")
    assert after.files == rows.files
    assert set(after.blobs) == after.referenced, "gc left unreferenced blob rows"
    assert set(blobs.stored()) == set(after.blobs), "gc left blobs without a row"
    assert not blobs.unfinished(), "gc left unfinished uploads"
