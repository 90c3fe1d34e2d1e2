"""Writing an upload to disk past the page cache, hashing it on the way, on threads of their own.

An upload is written once and rarely read back soon after, so copying it
through the page cache only costs: the kernel must find a fresh page for
every 4 KiB (dear in a virtual machine, where the host backs guest memory
lazily), write the pages out later, and evict what was cached before. With
``O_DIRECT`` the disk reads straight from our buffers. The request's thread
only fills buffers; one thread hashes them and another writes them, so
reading the request, hashing and disk writing overlap. Measured on uploads
of 1 GiB: more than twice as fast as hashing and buffered writing in turn
with an fsync at the end.

No library does this (aligned buffers, a pipeline of two threads, the
unaligned tail), hence the hand-written class. Where the file system
refuses ``O_DIRECT`` (or the platform has none), the same class writes
through the page cache.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import mmap
import os
import queue
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

BUFFER = 4 * 1024 * 1024
"""Bytes handed to the disk at once: large enough for a disk's full speed."""
BUFFERS = 4
"""One being filled, one hashed, one written, one spare: the memory of an upload."""
ALIGNMENT = 4096
"""What ``O_DIRECT`` asks of lengths and offsets on the file systems we meet (a page, a block)."""
_DIRECT = getattr(os, "O_DIRECT", 0)

_Item = tuple[mmap.mmap, int] | None
"""A buffer and how many of its bytes count; ``None`` ends a stage."""


class UploadWriter:
    """A new file, written in order and hashed: :meth:`write` the data, then :meth:`finish` or :meth:`abort`.

    The file is created with ``mode`` (``O_EXCL``: never an existing file).
    Errors of the disk (a full disk, say) come out of the :meth:`write` or
    :meth:`finish` after them, and close the file. :attr:`sha256` is the hex digest once
    :meth:`finish` returned.
    """

    def __init__(self, path: Path, mode: int, *, direct: bool = True) -> None:
        self.sha256 = ""
        self._digest = hashlib.sha256()
        self._buffers = [mmap.mmap(-1, BUFFER)]  # page-aligned, as O_DIRECT needs
        self._buffer = self._buffers[0]
        self._filled = 0
        self._free: queue.SimpleQueue[mmap.mmap] = queue.SimpleQueue()
        self._to_hash: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._to_write: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._error: OSError | None = None
        self._discard = False
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
        self.direct = bool(direct and _DIRECT)
        if self.direct:
            try:
                self._fd = os.open(path, flags | _DIRECT, mode)
            except OSError as error:
                if error.errno != errno.EINVAL:
                    raise
                self.direct = False  # a file system without O_DIRECT (the name was not created)
        if not self.direct:
            self._fd = os.open(path, flags, mode)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        view = memoryview(data)
        while view:
            taken = min(len(view), BUFFER - self._filled)
            self._buffer[self._filled : self._filled + taken] = view[:taken]
            self._filled += taken
            view = view[taken:]
            if self._filled == BUFFER:
                self._hand_over()

    def _hand_over(self) -> None:
        """Send the full buffer down the pipeline and go on with a free one."""
        if not self._threads:
            # Started with the first full buffer: a small file needs neither threads nor more buffers.
            for _ in range(BUFFERS - 1):
                self._buffers.append(mmap.mmap(-1, BUFFER))
                self._free.put(self._buffers[-1])
            self._threads = [
                threading.Thread(target=self._hash_buffers, name="upload-hasher", daemon=True),
                threading.Thread(target=self._write_buffers, name="upload-writer", daemon=True),
            ]
            for thread in self._threads:
                thread.start()
        if self._error is not None:
            self.abort()
            raise self._error
        self._to_hash.put((self._buffer, BUFFER))
        self._buffer = self._free.get()
        self._filled = 0

    def _hash_buffers(self) -> None:
        while (item := self._to_hash.get()) is not None:
            buffer, length = item
            self._digest.update(memoryview(buffer)[:length])  # without the GIL, as the writer's os.write
            self._to_write.put(item)
        self._to_write.put(None)

    def _write_buffers(self) -> None:
        while (item := self._to_write.get()) is not None:
            buffer, length = item
            if self._error is None and not self._discard:
                try:
                    _write_all(self._fd, memoryview(buffer)[:length])
                except OSError as error:
                    self._error = error  # the next write() or finish() raises it; buffers keep coming back
            self._free.put(buffer)

    def _stop_threads(self) -> None:
        if self._threads:
            self._to_hash.put(None)
            for thread in self._threads:
                thread.join()
            self._threads = []

    def finish(self) -> int:
        """Write what is left, flush the file to disk, close it; answers its inode."""
        try:
            self._stop_threads()
            if self._error is not None:
                raise self._error
            self._write_rest()
            os.fsync(self._fd)  # the file's size, and the disk's own cache
            self.sha256 = self._digest.hexdigest()
            return os.fstat(self._fd).st_ino
        finally:
            self._close()

    def _write_rest(self) -> None:
        rest = memoryview(self._buffer)[: self._filled]
        self._digest.update(rest)
        if self.direct:
            aligned = self._filled - self._filled % ALIGNMENT
            _write_all(self._fd, rest[:aligned])
            rest = rest[aligned:]
            # The unaligned tail cannot go past the page cache: it goes through it.
            fcntl.fcntl(self._fd, fcntl.F_SETFL, fcntl.fcntl(self._fd, fcntl.F_GETFL) & ~_DIRECT)
        _write_all(self._fd, rest)

    def abort(self) -> None:
        """Stop writing and close the file (the caller removes it)."""
        self._discard = True
        self._close()

    def _close(self) -> None:
        if self._fd < 0:
            return
        self._stop_threads()
        os.close(self._fd)
        self._fd = -1
        # Let go of, not closed: a traceback may still hold a view of one.
        self._buffers.clear()
        self._free = queue.SimpleQueue()


def _write_all(fd: int, data: memoryview) -> None:
    while data:
        data = data[os.write(fd, data) :]
