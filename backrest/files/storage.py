"""Where file data lives on disk: content-addressed blobs, and uploads on their way in.

    <root>/blobs/ab/cd/abcd...   one file per distinct content, named by its SHA-256
    <root>/tmp/upload-...        uploads being received, or received and not yet committed

Both directories are on one file system, so an upload becomes a blob by a
rename: a blob path never holds a partial file. Nothing of a client's
(its filename, its type) ever becomes part of a path.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from backrest.files.writer import UploadWriter

if TYPE_CHECKING:
    from collections.abc import Iterable

SHA256 = re.compile(r"^[0-9a-f]{64}$")
FILE_MODE = 0o644


class TooLarge(Exception):  # noqa: N818 - named for what the caller answers (413)
    """The data went past the limit it was received under; nothing of it is kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


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


def _sync_directory(path: Path) -> None:
    """Make a rename or a removal in ``path`` durable (a file's fsync does not cover its name)."""
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class BlobStore:
    """The blob and temporary directories under one root."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        self.blobs = self.root / "blobs"
        self.tmp = self.root / "tmp"

    def prepare(self) -> None:
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)

    def works(self) -> bool:
        """Whether an upload could be received now (the heartbeat's check)."""
        try:
            with tempfile.TemporaryFile(dir=self.tmp) as probe:
                probe.write(b"ok")
        except OSError:
            return False
        return self.blobs.is_dir()

    def path(self, sha256: str) -> Path:
        if not SHA256.match(sha256):
            msg = f"not a SHA-256: {sha256!r}"
            raise ValueError(msg)
        return self.blobs / sha256[:2] / sha256[2:4] / sha256

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

    def discard(self, received: Received) -> None:
        received.path.unlink(missing_ok=True)
