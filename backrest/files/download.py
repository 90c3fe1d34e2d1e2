"""Answering ``GET`` and ``HEAD`` on a file's data: whole, in ranges, through nginx, or by a redirect.

The data is read from its blob in blocks; a whole file or a range to its
end on local storage goes through the server's ``wsgi.file_wrapper``
(waitress sends it from the file without Python copying each block). With
``backrest.files.x_accel_redirect`` set, the answer carries only headers
and ``X-Accel-Redirect``: nginx sends the bytes, from the blob's file (and
answers ``Range`` itself), or from an object store, at a URL signed for it
(asking for the one range granted here). With ``backrest.files.serve =
redirect`` a ``GET`` is sent to the object store at such a URL. Either way
the ranges and the conditions are checked here first, so a bad one gets
our error; an object store's ``HEAD`` is answered here.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from pyramid.httpexceptions import HTTPNotModified
from pyramid.response import Response

from backrest.content import conditional
from backrest.errors import http_error
from backrest.files.names import content_disposition
from backrest.files.ranges import ByteRange, RangeError, parse_range
from backrest.files.storage import BLOCK, BlobStore
from backrest.settings import TRUE

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pyramid.request import Request

    from backrest.files.models import FileContent
    from backrest.files.s3 import S3BlobStore

    Store = BlobStore | S3BlobStore

# The data is the client's, never ours: no script of it runs in our origin,
# even if a browser is told to show it.
SANDBOX = "default-src 'none'; sandbox; frame-ancestors 'none'"


def data_etag(obj: FileContent) -> str:
    """Strong, and the same for the same bytes wherever they are stored."""
    return f'"{obj.sha256}"'


def _body(request: Request, store: Store, obj: FileContent, byte_range: ByteRange) -> Any:
    wrapper = request.environ.get("wsgi.file_wrapper")
    if wrapper is not None and byte_range.stop == obj.size and isinstance(store, BlobStore):
        # The server sends the file itself, without Python copying each block.
        return wrapper(store.open_at(obj.sha256, byte_range.start), BLOCK)
    return store.read(obj.sha256, byte_range)


def _multipart_body(
    store: Store, obj: FileContent, ranges: list[ByteRange], heads: list[bytes], closing: bytes
) -> Iterator[bytes]:
    for byte_range, head in zip(ranges, heads, strict=True):
        yield head
        yield from store.read(obj.sha256, byte_range)
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
    settings = request.registry.settings
    location = settings["backrest.files.x_accel_redirect"]
    if isinstance(store, BlobStore):
        if location:
            relative = store.path(obj.sha256).relative_to(store.blobs)
            response.headers["X-Accel-Redirect"] = f"{location.rstrip('/')}/{relative}"
            response.content_length = None  # nginx's to say, as the body is
            return response
    elif request.method == "GET" and settings["backrest.files.serve"] == "redirect":
        return _redirect(request, response, store, obj)
    elif request.method == "GET" and location:
        return _accel_redirect(response, store, obj, location, ranges)
    response.headers["Accept-Ranges"] = "bytes"
    if ranges is None:
        response.app_iter = _answer(request, store, obj, ByteRange(0, obj.size))
        response.content_length = obj.size
    elif len(ranges) == 1:
        (byte_range,) = ranges
        response.status_code = 206
        response.headers["Content-Range"] = byte_range.content_range(obj.size)
        response.app_iter = _answer(request, store, obj, byte_range)
        response.content_length = byte_range.length
    else:
        _multipart(request, response, store, obj, ranges)
    return response


def _answer(request: Request, store: Store, obj: FileContent, byte_range: ByteRange) -> Any:
    """The body of a GET; none for a HEAD, which an object store is not asked for."""
    return [] if request.method == "HEAD" else _body(request, store, obj, byte_range)


def _redirect(request: Request, response: Response, store: S3BlobStore, obj: FileContent) -> Response:
    """A redirect to the object in the store, which answers with the type and name given here.

    The client asks the store again with its ``Range``; a ``HEAD`` is
    answered here (a URL signed for a GET is refused to a HEAD).
    """
    url = store.url(
        obj.sha256,
        ResponseContentType=obj.content_type,
        ResponseContentDisposition=response.headers["Content-Disposition"],
        ResponseCacheControl=response.headers["Cache-Control"],
    )
    response.status_code = 307
    response.location = url
    for name in ("Content-Type", "Content-Disposition"):
        del response.headers[name]
    response.content_length = 0
    return response


def _accel_redirect(
    response: Response, store: S3BlobStore, obj: FileContent, location: str, ranges: list[ByteRange] | None
) -> Response:
    """Headers only: nginx fetches the data from the store (deploy/nginx.conf) and sends it.

    The store is asked for the one range granted here, if any (several
    ranges: the whole data, as a store answers them). Its answer gets the
    type and name given here; nginx puts this answer's other headers back.
    """
    response.headers["X-Accel-Redirect"] = store.accel_redirect(
        location,
        obj.sha256,
        ResponseContentType=obj.content_type,
        ResponseContentDisposition=response.headers["Content-Disposition"],
    )
    if ranges is not None and len(ranges) == 1:
        response.headers["X-Accel-Range"] = ranges[0].header_value()
    response.content_length = None
    return response


def _multipart(
    request: Request, response: Response, store: Store, obj: FileContent, ranges: list[ByteRange]
) -> None:
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
    body = [] if request.method == "HEAD" else _multipart_body(store, obj, ranges, heads, closing)
    response.app_iter = body
    response.content_length = sum(len(head) for head in heads) + sum(r.length for r in ranges) + len(closing)
