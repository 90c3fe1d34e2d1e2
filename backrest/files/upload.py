"""Reading an upload from a request as it streams in: a multipart form, or a raw body.

The body is read in chunks of :data:`CHUNK` bytes, each hashed and written
to a temporary file (:class:`backrest.files.storage.Incoming`), so memory
does not grow with the file. The size limit is checked against
``Content-Length`` before anything is read, and again while reading.
multipart's push parser is used because WebOb's reads the whole form
before anyone could check its size or hash it.

:func:`read_form` reads any multipart form this way, its caller saying
which parts are files (:class:`Part`); :func:`read_multipart` is a file
type's form, whose ``file`` part is its data.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, Any

import multipart

from backrest.files.names import allowed, media_type
from backrest.files.storage import TooLarge
from backrest.validation import BodyError, form_fields, max_body_size

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from pyramid.request import Request

    from backrest.files.quota import Limit
    from backrest.files.storage import Incoming, Received

CHUNK = 1024 * 1024
FILE_FIELD = "file"
MAX_PARTS = 1000
MULTIPART_OVERHEAD = 64 * 1024
"""Room for boundaries and part headers, beyond the file and the fields."""


class Part(enum.Enum):
    """What a part of a multipart form carries."""

    TEXT = "a text field"
    FILE = "one file"
    FILES = "any number of files under one name"


@dataclass(frozen=True)
class Upload:
    received: Received
    filename: str | None
    """As the client named it (not yet made safe); ``None`` when it did not."""
    content_type: str


def chunks(request: Request) -> Iterator[bytes]:
    """The request body, chunk by chunk, never past its Content-Length.

    Read from ``wsgi.input`` itself: WebOb's ``body_file`` wraps it in two
    more layers that copy every chunk again (a tenth of an upload's time).
    """
    stream = request.body_file_raw
    left = request.content_length
    if left is None:
        while chunk := stream.read(CHUNK):
            yield chunk
        return
    while left > 0 and (chunk := stream.read(min(CHUNK, left))):
        left -= len(chunk)
        yield chunk


def checked_type(request: Request, value: str | None, location: str, name: str) -> str:
    """The media type of an upload, if the allow-list admits it (else 415; malformed: 400)."""
    essence = media_type(value)
    if essence is None:
        msg = f"{value!r} is not a media type (type/subtype)."
        raise BodyError(msg, 400, location, name)
    patterns = request.registry.settings["backrest.files.content_types"]
    if not allowed(essence, patterns):
        msg = f"Files of type {essence} are not accepted here; accepted: {', '.join(patterns)}."
        raise BodyError(msg, 415, location, name)
    return essence


def refuse_by_length(request: Request, limit: Limit, name: str | None, allowance: int = 0) -> None:
    """A body announced larger than the limit (and ``allowance``) is refused before a byte of it is read."""
    if request.content_length is not None and request.content_length > limit.size + allowance:
        raise limit.error("body", name)


def read_raw(request: Request, limit: Limit) -> Upload:
    """The whole body is the file; its type is the request's Content-Type."""
    content_type = checked_type(request, request.headers.get("Content-Type"), "header", "Content-Type")
    refuse_by_length(request, limit, None)
    store = request.registry["backrest.files"]
    try:
        received = store.receive(chunks(request), limit.size)
    except TooLarge as error:
        raise limit.error("body", None) from error
    request.file_transaction.add(received)
    return Upload(received, None, content_type)


class _Form:
    """The text fields and the files of a multipart form, as the parser's events come."""

    def __init__(
        self,
        request: Request,
        limit: Limit,
        kind: Callable[[multipart.MultipartSegment], Part],
        too_many: str,
    ) -> None:
        self.request = request
        self.limit = limit
        self.kind = kind
        self.too_many = too_many
        self.fields_left = max_body_size(request)
        self.pairs: list[tuple[str, str]] = []
        self.uploads: list[tuple[str, Upload]] = []
        self.incoming: Incoming | None = None
        self.segment: multipart.MultipartSegment | None = None
        self.file_type = ""
        self.value = bytearray()

    def feed(self, events: Iterable[multipart.MultipartSegment | bytes | None]) -> None:
        for event in events:
            if isinstance(event, multipart.MultipartSegment):
                self.start(event)
            elif event is None:
                self.end()
            else:
                self.data(event)

    def start(self, segment: multipart.MultipartSegment) -> None:
        self.segment = segment
        kind = self.kind(segment)
        if kind is Part.TEXT:
            self.value.clear()
            return
        if kind is Part.FILE and any(name == segment.name for name, _ in self.uploads):
            raise BodyError(self.too_many, 400, "body", segment.name)
        self.file_type = checked_type(self.request, segment.header("Content-Type"), "body", segment.name)
        self.incoming = self.request.registry["backrest.files"].incoming(self.limit.size)

    def data(self, chunk: bytes) -> None:
        if self.incoming is not None:
            try:
                self.incoming.write(chunk)
            except TooLarge as error:
                raise self.limit.error("body", self.segment.name) from error
            return
        self.fields_left -= len(chunk)
        if self.fields_left < 0:
            msg = f"The form's fields are larger than {max_body_size(self.request)} bytes."
            raise BodyError(msg, 413)
        self.value += chunk

    def end(self) -> None:
        segment = self.segment
        if self.incoming is not None:
            received = self.incoming.finish()
            self.incoming = None
            self.request.file_transaction.add(received)
            self.uploads.append((segment.name, Upload(received, segment.filename, self.file_type)))
            return
        try:
            self.pairs.append((segment.name or "", self.value.decode("utf-8")))
        except UnicodeDecodeError as error:
            msg = "The form fields are not valid UTF-8."
            raise BodyError(msg, 400, "body", segment.name) from error

    def abort(self) -> None:
        if self.incoming is not None:
            self.incoming.abort()


def _boundary(request: Request) -> str:
    _, options = multipart.parse_options_header(request.headers.get("Content-Type", ""))
    boundary = options.get("boundary")
    if not boundary:
        msg = "A multipart body needs the boundary parameter of its Content-Type."
        raise BodyError(msg, 400, "header", "Content-Type")
    return boundary


def read_form(
    request: Request,
    limit: Limit,
    kind: Callable[[multipart.MultipartSegment], Part],
    too_many: str,
) -> tuple[list[tuple[str, str]], list[tuple[str, Upload]]]:
    """The text fields of a multipart form, ``(name, text)``, and its files, ``(name, upload)``, in order.

    ``kind`` tells a file part from a text field; a second file under a name
    whose ``kind`` is :attr:`Part.FILE` is a 400 saying ``too_many``. Each
    file is received under ``limit`` (else 413) and held by the request's
    transaction, which removes it when the request ends unless it was
    claimed; the text fields together may take ``backrest.max_body_size``.
    """
    form = _Form(request, limit, kind, too_many)
    try:
        parser = multipart.PushMultipartParser(
            _boundary(request), content_length=request.content_length or -1, max_segment_count=MAX_PARTS
        )
        # The empty chunk at the end checks that the body is complete.
        for chunk in chain(chunks(request), (b"",)):
            form.feed(parser.parse(chunk))
    except multipart.MultipartError as error:
        form.abort()
        msg = f"Invalid multipart body: {error}"
        raise BodyError(msg) from error
    except BaseException:
        form.abort()
        raise
    return form.pairs, form.uploads


def _file_part(segment: multipart.MultipartSegment) -> Part:
    return Part.FILE if segment.name == FILE_FIELD else Part.TEXT


def read_multipart(request: Request, limit: Limit) -> tuple[dict[str, Any], Upload | None]:
    """The fields of a multipart form (by the dotted-name rules), and its ``file`` part if any."""
    # The form's other fields may take backrest.max_body_size besides the file.
    refuse_by_length(request, limit, FILE_FIELD, max_body_size(request) + MULTIPART_OVERHEAD)
    pairs, uploads = read_form(request, limit, _file_part, "Send one file per request.")
    return form_fields(pairs), uploads[0][1] if uploads else None
