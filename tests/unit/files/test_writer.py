"""The upload writer: every byte on disk in order with its hash, past the page cache or through it."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import resource
import signal
import threading
from typing import TYPE_CHECKING

import pytest

from backrest.files.writer import ALIGNMENT, BUFFER, UploadWriter

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

SIZES = [0, 1, ALIGNMENT - 1, ALIGNMENT, ALIGNMENT + 1, BUFFER - 1, BUFFER, BUFFER + 1, 3 * BUFFER + 4103]
CHUNKS = [7, 1000, 65536, BUFFER + 3]
"""How a request hands the data over: never in step with the buffers."""
CASES = [(size, CHUNKS[0] if size < BUFFER // 2 else CHUNKS[1 + n % 3]) for n, size in enumerate(SIZES)]


def pieces(data: bytes, chunk: int) -> Iterator[bytes]:
    for start in range(0, len(data), chunk):
        yield data[start : start + chunk]


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "buffered"])
@pytest.mark.parametrize(("size", "chunk"), CASES)
def test_writes_bytes_in_order_and_hashes_them(tmp_path: Path, size: int, chunk: int, direct: bool) -> None:
    data = os.urandom(size)
    path = tmp_path / "upload"
    writer = UploadWriter(path, 0o644, direct=direct)
    for piece in pieces(data, chunk):
        writer.write(piece)
    inode = writer.finish()
    assert path.read_bytes() == data
    assert writer.sha256 == hashlib.sha256(data).hexdigest()
    assert path.stat().st_ino == inode


def test_the_buffer_sizes_suit_direct_writes() -> None:
    assert BUFFER % ALIGNMENT == 0


def test_never_opens_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "upload"
    path.write_bytes(b"someone else's")
    with pytest.raises(FileExistsError):
        UploadWriter(path, 0o644)
    assert path.read_bytes() == b"someone else's"


def test_creates_the_file_with_the_mode_under_the_umask(tmp_path: Path) -> None:
    umask = os.umask(0o027)
    try:
        UploadWriter(tmp_path / "upload", 0o644).finish()
    finally:
        os.umask(umask)
    assert (tmp_path / "upload").stat().st_mode & 0o777 == 0o640


@contextlib.contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """Writes past ``limit`` bytes fail (EFBIG) in this process, as on a full disk."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


def writer_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("upload-")]


@pytest.mark.parametrize("size", [BUFFER // 2, 6 * BUFFER], ids=["in the caller", "on the writer thread"])
def test_a_disk_error_comes_out_and_stops_the_threads(tmp_path: Path, size: int) -> None:
    def upload() -> None:
        writer = UploadWriter(tmp_path / "upload", 0o644)
        for piece in pieces(bytes(size), 65536):
            writer.write(piece)
        writer.finish()

    with file_size_limit(BUFFER // 4), pytest.raises(OSError) as raised:
        upload()
    assert raised.value.errno == errno.EFBIG
    assert writer_threads() == []


def test_abort_stops_the_threads_and_writes_no_more(tmp_path: Path) -> None:
    path = tmp_path / "upload"
    writer = UploadWriter(path, 0o644)
    for piece in pieces(bytes(5 * BUFFER), BUFFER):
        writer.write(piece)
    writer.abort()
    assert writer_threads() == []
    written = path.stat().st_size
    writer.abort()  # again, as after a failed finish
    assert path.stat().st_size == written
    assert written % BUFFER == 0
