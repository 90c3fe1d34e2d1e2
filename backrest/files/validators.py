"""Reading a file type's write requests: a multipart form with its file, or raw data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backrest.content import conditional
from backrest.content.representation import permissions
from backrest.content.resources import ItemResource
from backrest.files.download import data_etag
from backrest.files.quota import upload_limit
from backrest.files.upload import FILE_FIELD, read_multipart, read_raw
from backrest.validation import BodyError, body_validator, report, validate

if TYPE_CHECKING:
    import colander
    from pyramid.request import Request

    from backrest.files.models import FileContent


def _replaced(request: Request) -> FileContent | None:
    """The object whose data an upload replaces; ``None`` for an upload that makes one."""
    return request.context.obj if isinstance(request.context, ItemResource) else None


def upload_validator(
    request: Request, schema: colander.SchemaNode | None = None, *, required: bool = False, **_: Any
) -> None:
    """A multipart form's fields, checked by ``schema``, and its ``file`` as ``request.upload``.

    Any other body is read as :func:`backrest.validation.body_validator`
    does (metadata only). ``required``: the file must be there.
    """
    request.upload = None
    if request.content_type != "multipart/form-data":
        body_validator(request, schema)
    else:
        try:
            body, request.upload = read_multipart(request, upload_limit(request, _replaced(request)))
        except BodyError as error:
            report(request, error)
            return
        validate(request, schema, body)
    if required and request.upload is None and request.errors.status < 413:  # noqa: PLR2004
        request.errors.add(
            "body", FILE_FIELD, f"Required: send the data as the multipart/form-data field '{FILE_FIELD}'."
        )


def data_validator(request: Request, **_: Any) -> None:
    """The raw body is the file's new data; ``If-Match`` is checked before any of it is read."""
    item: ItemResource = request.context
    conditional.check_if_match(
        request, conditional.item_etag(item, permissions(request, item)), data_etag(item.obj)
    )
    try:
        request.upload = read_raw(request, upload_limit(request, _replaced(request)))
    except BodyError as error:
        report(request, error)
