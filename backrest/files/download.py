"""Answering ``GET`` and ``HEAD`` on a file's data: whole, one range, several ranges, or through nginx.

The data is read from its blob in blocks; a whole file or a range to its
end goes through the server's ``wsgi.file_wrapper`` (waitress sends it
from the file without Python copying each block). With
``backrest.files.x_accel_redirect`` set, the answer carries only headers
and ``X-Accel-Redirect``: nginx sends the bytes, and answers ``Range``
itself (the ranges are checked here first, so a bad one gets our error).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from pyramid.httpexceptions import HTTPNotModified
from pyramid.response import Response

from backrest.content import conditional
from backrest.errors import http_error
from backrest.files.names import content_disposition
from backrest.files.ranges import ByteRange, RangeError, parse_range
from backrest.settings import TRUE

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path
    from typing import BinaryIO

    from pyramid.request import Request

    from backrest.files.models import FileContent

BLOCK = 256 * 1024
# The data is the client's, never ours: no script of it runs in our origin,
# even if a browser is told to show it.
SANDBOX = "default-src 'none'; sandbox; frame-ancestors 'none'"


def data_etag(obj: FileContent) -> str:
    """Strong, and the same for the same bytes wherever they are stored."""
    return f'"{obj.sha256}"'


def _read(file: BinaryIO, length: int) -> Iterator[bytes]:
    while length > 0:
        block = file.read(min(BLOCK, length))
        if not block:
            return
        length -= len(block)
        yield block


def _read_range(path: Path, byte_range: ByteRange) -> Iterator[bytes]:
    # Opened on the first block: a response closed before it is sent leaves no file open.
    with path.open("rb") as file:
        file.seek(byte_range.start)
        yield from _read(file, byte_range.length)


def _body(request: Request, path: Path, byte_range: ByteRange, size: int) -> Iterator[bytes]:
    wrapper = request.environ.get("wsgi.file_wrapper")
    if wrapper is None or byte_range.stop != size:
        return _read_range(path, byte_range)
    file = path.open("rb")
    file.seek(byte_range.start)
    return wrapper(file, BLOCK)


def _multipart_body(
    path: Path, ranges: list[ByteRange], heads: list[bytes], closing: bytes
) -> Iterator[bytes]:
    with path.open("rb") as file:
        for byte_range, head in zip(ranges, heads, strict=True):
            yield head
            file.seek(byte_range.start)
            yield from _read(file, byte_range.length)
        yield closing


def _if_range_holds(request: Request, obj: FileContent) -> bool:
    """``If-Range`` (RFC 9110, 13.1.5): ranges only if the client's copy is still this one."""
    header = request.headers.get("If-Range")
    if header is None:
        return True
    if header.startswith(('"', "W/")):
        return header == data_etag(obj)
    since = request.if_range.date
    return since is not None and obj.modified.replace(microsecond=0) == since


def _ranges(request: Request, obj: FileContent) -> list[ByteRange] | None:
    if "Range" not in request.headers or not _if_range_holds(request, obj):
        return None
    try:
        return parse_range(request.headers["Range"], obj.size)
    except RangeError as error:
        raise http_error(
            416, "header", "Range", str(error), headers={"Content-Range": f"bytes */{obj.size}"}
        ) from error


def _headers(request: Request, response: Response, obj: FileContent) -> None:
    download = request.GET.get("download", "").strip().lower() in TRUE
    response.headers["Content-Type"] = obj.content_type
    response.headers["Content-Disposition"] = content_disposition(
        obj.filename, obj.content_type, download=download
    )
    response.headers["ETag"] = data_etag(obj)
    response.headers["Content-Security-Policy"] = SANDBOX
    response.cache_control = "private, no-cache"
    response.vary = ("Authorization", "Cookie")
    response.last_modified = obj.modified


def data_response(request: Request, obj: FileContent) -> Response:
    """The answer to a GET or HEAD of ``obj``'s data."""
    if conditional.not_modified(request, data_etag(obj), obj.modified):
        response: Response = HTTPNotModified()
        _headers(request, response, obj)
        del response.headers["Content-Type"]
        return response
    ranges = _ranges(request, obj)
    response = Response()
    _headers(request, response, obj)
    store = request.registry["backrest.files"]
    path = store.path(obj.sha256)
    location = request.registry.settings["backrest.files.x_accel_redirect"]
    if location:
        response.headers["X-Accel-Redirect"] = location.rstrip("/") + "/" + str(path.relative_to(store.blobs))
        response.content_length = None  # nginx's to say, as the body is
        return response
    response.headers["Accept-Ranges"] = "bytes"
    if ranges is None:
        response.app_iter = _body(request, path, ByteRange(0, obj.size), obj.size)
        response.content_length = obj.size
    elif len(ranges) == 1:
        (byte_range,) = ranges
        response.status_code = 206
        response.headers["Content-Range"] = byte_range.content_range(obj.size)
        response.app_iter = _body(request, path, byte_range, obj.size)
        response.content_length = byte_range.length
    else:
        _multipart(response, path, ranges, obj)
    return response


def _multipart(response: Response, path: Path, ranges: list[ByteRange], obj: FileContent) -> None:
    """Several ranges: one ``multipart/byteranges`` body (RFC 9110, 14.6), in the order asked."""
    boundary = secrets.token_hex(16)
    heads = [
        (
            f"\r\n--{boundary}\r\nContent-Type: {obj.content_type}\r\n"
            f"Content-Range: {byte_range.content_range(obj.size)}\r\n\r\n"
        ).encode("ascii")
        for byte_range in ranges
    ]
    closing = f"\r\n--{boundary}--\r\n".encode("ascii")
    response.status_code = 206
    response.headers["Content-Type"] = f"multipart/byteranges; boundary={boundary}"
    response.app_iter = _multipart_body(path, ranges, heads, closing)
    response.content_length = sum(len(head) for head in heads) + sum(r.length for r in ranges) + len(closing)
