"""Where file data lives on disk: content-addressed blobs, and uploads on their way in.

    <root>/blobs/ab/cd/abcd...   one file per distinct content, named by its SHA-256
    <root>/tmp/upload-...        uploads being received, or received and not yet committed

Both directories are on one file system, so an upload becomes a blob by a
rename: a blob path never holds a partial file. Nothing of a client's
(its filename, its type) ever becomes part of a path.

Uploads are received the same way whatever stores the blobs: into this
machine's ``<root>/tmp`` (:class:`Uploads`). :class:`BlobStore` keeps the
blobs under ``<root>/blobs``; :class:`backrest.files.s3.S3BlobStore` in an
object store that every machine shares.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backrest.files.writer import UploadWriter

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping
    from typing import BinaryIO

    from backrest.files.ranges import ByteRange
    from backrest.files.s3 import S3BlobStore

SHA256 = re.compile(r"^[0-9a-f]{64}$")
FILE_MODE = 0o644
BLOCK = 256 * 1024
"""Bytes read at a time when data is sent."""


class TooLarge(Exception):  # noqa: N818 - named for what the caller answers (413)
    """The data went past the limit it was received under; nothing of it is kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


class StoreUnavailable(Exception):  # noqa: N818 - named for what the caller answers (503)
    """The blob store did not answer, or failed: the request stored nothing, and may be tried again."""


@dataclass(frozen=True)
class Received:
    """Data received in full into a temporary file, flushed to disk."""

    path: Path
    sha256: str
    size: int
    inode: int


class Incoming:
    """Data being received into a temporary file, hashed as it comes.

    :meth:`write` raises :class:`TooLarge` as soon as more than ``limit``
    bytes came; :meth:`finish` flushes the file to disk; :meth:`abort`
    removes it. Memory does not grow with the data: each chunk is hashed,
    written and dropped (past the page cache, see :mod:`backrest.files.writer`).
    """

    def __init__(self, directory: Path, limit: int) -> None:
        self.limit = limit
        self.size = 0
        # Not mkstemp: its files are the owner's alone, and the web server
        # (another user) must read the blob this file becomes. The umask and
        # the root directory's permissions decide who else may.
        self.path = directory / f"upload-{secrets.token_hex(16)}"
        self._file = UploadWriter(self.path, FILE_MODE)

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise TooLarge(self.limit)
        self._file.write(chunk)

    def finish(self) -> Received:
        inode = self._file.finish()
        return Received(self.path, self._file.sha256, self.size, inode)

    def abort(self) -> None:
        self._file.abort()
        self.path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Stored:
    """Something ``backrest gc`` may remove: a blob (``sha256``), or a leftover (``sha256`` is None)."""

    sha256: str | None
    size: int
    remove: Callable[[], None]


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


def files_before(directory: Path, cutoff: float) -> Iterator[tuple[Path, int]]:
    """The files under ``directory`` last changed (written, renamed) before ``cutoff``, with their sizes."""
    for root, _directories, names in os.walk(directory):
        for name in names:
            path = Path(root) / name
            try:
                status = path.stat()
            except FileNotFoundError:
                continue
            if max(status.st_mtime, status.st_ctime) < cutoff:
                yield path, status.st_size


class Uploads:
    """Uploads on their way in, as temporary files in ``<root>/tmp``, whatever stores the blobs."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        self.tmp = self.root / "tmp"

    def prepare(self) -> None:
        self.tmp.mkdir(parents=True, exist_ok=True)

    def can_receive(self) -> bool:
        """Whether an upload could be received now."""
        try:
            with tempfile.TemporaryFile(dir=self.tmp) as probe:
                probe.write(b"ok")
        except OSError:
            return False
        return True

    def incoming(self, limit: int) -> Incoming:
        """A new temporary file to receive at most ``limit`` bytes into."""
        return Incoming(self.tmp, limit)

    def receive(self, chunks: Iterable[bytes], limit: int) -> Received:
        """Write ``chunks`` to a new temporary file; see :class:`Incoming`."""
        incoming = self.incoming(limit)
        try:
            for chunk in chunks:
                incoming.write(chunk)
            return incoming.finish()
        except BaseException:
            incoming.abort()
            raise

    def discard(self, received: Received) -> None:
        received.path.unlink(missing_ok=True)

    def unfinished_before(self, cutoff: float) -> Iterator[Stored]:
        """Uploads never finished (their process was killed), last written before ``cutoff``."""
        for path, size in files_before(self.tmp, cutoff):
            yield Stored(None, size, lambda path=path: _unlink(path))


def _sync_directory(path: Path) -> None:
    """Make a rename or a removal in ``path`` durable (a file's fsync does not cover its name)."""
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class BlobStore(Uploads):
    """The blob and temporary directories under one root, on this machine's disk."""

    def __init__(self, root: str | Path) -> None:
        super().__init__(root)
        self.blobs = self.root / "blobs"

    def prepare(self) -> None:
        super().prepare()
        self.blobs.mkdir(parents=True, exist_ok=True)

    def works(self) -> bool:
        """Whether an upload could be received and stored now (the heartbeat's check)."""
        return self.can_receive() and self.blobs.is_dir()

    def problem(self) -> str:
        """What :meth:`works` found wrong, said to an operator."""
        return f"{self.root} cannot be written to"

    def path(self, sha256: str) -> Path:
        if not SHA256.match(sha256):
            msg = f"not a SHA-256: {sha256!r}"
            raise ValueError(msg)
        return self.blobs / sha256[:2] / sha256[2:4] / sha256

    def publish(self, received: Received, *, replace: bool) -> bool:
        """Make ``received`` the blob of its hash; answers whether its file is now the blob's.

        ``replace`` puts it there even if a file is already there (the caller
        inserted the blob's row: only its own file may be removed again if
        the transaction fails). Otherwise an existing blob is kept and the
        upload only fills a missing one.
        """
        target = self.path(received.sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        if replace:
            received.path.replace(target)
        else:
            try:
                os.link(received.path, target)
            except FileExistsError:
                received.path.unlink(missing_ok=True)
                return False
            received.path.unlink(missing_ok=True)
        _sync_directory(target.parent)
        return True

    def remove_published(self, received: Received) -> None:
        """Take back what :meth:`publish` put in place, unless another upload has replaced it since."""
        target = self.path(received.sha256)
        try:
            if target.stat().st_ino == received.inode:
                target.unlink()
        except FileNotFoundError:
            return
        _sync_directory(target.parent)

    def open_at(self, sha256: str, start: int) -> BinaryIO:
        """The blob's file, open for reading at ``start``."""
        file = self.path(sha256).open("rb")
        file.seek(start)
        return file

    def read(self, sha256: str, byte_range: ByteRange) -> Iterator[bytes]:
        """The bytes of ``byte_range``.

        The file is opened on the first block: an answer closed before it is sent leaves no file open.
        """
        with self.open_at(sha256, byte_range.start) as file:
            length = byte_range.length
            while length > 0:
                block = file.read(min(BLOCK, length))
                if not block:
                    return
                length -= len(block)
                yield block

    def remove_blobs(self, hashes: list[str]) -> None:
        """Remove the blobs of ``hashes`` (``backrest gc``, which made sure no row names them)."""
        for sha256 in hashes:
            _unlink(self.path(sha256))

    def stored_before(self, cutoff: float) -> Iterator[Stored]:
        """Every file in the blob directory last changed before ``cutoff``: blobs, and anything else."""
        for path, size in files_before(self.blobs, cutoff):
            sha256 = path.name if SHA256.match(path.name) else None
            yield Stored(sha256, size, lambda path=path: _unlink(path))


def blob_store(settings: Mapping[str, Any]) -> BlobStore | S3BlobStore:
    """The store ``backrest.files.storage`` names, for the data of every file."""
    root = settings["backrest.files.root"]
    if settings["backrest.files.storage"] == "local":
        return BlobStore(root)
    # boto3 is imported only where an object store is used (backrest[s3]).
    from backrest.files.s3 import S3BlobStore  # noqa: PLC0415

    return S3BlobStore(
        root,
        bucket=settings["backrest.files.s3.bucket"],
        prefix=settings["backrest.files.s3.prefix"],
        endpoint_url=settings["backrest.files.s3.endpoint_url"],
        region=settings["backrest.files.s3.region"],
        url_expiry=settings["backrest.files.s3.url_expiry"],
    )
