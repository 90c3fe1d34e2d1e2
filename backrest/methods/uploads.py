"""``FileUpload``: a file sent to a typed method, as the method receives it.

A method takes a file with an argument annotated ``FileUpload`` (or
``FileUpload | None``, ``list[FileUpload]``, a dataclass field of it). The
caller sends it as a part of a ``multipart/form-data`` body, which is
streamed to a temporary file while its SHA-256 is computed
(:mod:`backrest.methods.multipart`), never read whole into memory.

The file is there while the request runs, and is removed when it ends,
unless :meth:`FileUpload.store` made it the data of a file object: then it
is kept, or not, with the request's transaction (:mod:`backrest.files.transaction`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from backrest.files.attach import attach_upload
from backrest.files.names import safe_filename

if TYPE_CHECKING:
    from pyramid.request import Request

    from backrest.files.models import FileContent
    from backrest.files.upload import Upload


@dataclass(frozen=True)
class FileUpload:
    """A file a method was sent: what the client said of it, what it holds, and the data itself."""

    filename: str | None
    """The client's name for it, made safe to show (never a path); ``None`` when it gave none."""
    content_type: str
    """Its media type, as the client said, without parameters; one ``backrest.files.content_types`` admits."""
    size: int
    sha256: str
    """The hex SHA-256 of its data."""
    upload: Upload = field(repr=False)
    """The file as the files' uploads hold it (:class:`backrest.files.upload.Upload`)."""

    @classmethod
    def of(cls, upload: Upload) -> FileUpload:
        """What a method gets of an upload received for it: the client's filename made safe."""
        filename = None if upload.filename is None else safe_filename(upload.filename)
        received = upload.received
        return cls(filename, upload.content_type, received.size, received.sha256, upload)

    def open(self) -> IO[bytes]:
        """Its data, from the first byte: ``with report.open() as data: ...``."""
        return self.upload.received.path.open("rb")

    def store(self, request: Request, obj: FileContent) -> None:
        """Make this file the data of ``obj``, a new or existing object of a file type.

        As an upload to the type's own URL does it: ``obj`` takes the
        file's type, size, hash and (unless it has a name and the client
        gave none) its filename; it is added to the session and flushed; a
        file that takes its owner past ``backrest.files.quota`` is a 413.
        The data is kept if the request's transaction commits.
        """
        attach_upload(request, obj, self.upload)
