"""The views a file-like type adds to a content type's: uploads, and ``/-/{collection}/{id}/data``."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from backrest.content import conditional
from backrest.content.declare import content_services, with_options
from backrest.content.representation import changes, etag, fields, permissions, representation
from backrest.content.resources import ItemResource, id_factory
from backrest.content.views import ContentViews, response_etag
from backrest.files.download import data_etag, data_response
from backrest.files.models import claim_blob
from backrest.files.names import safe_filename
from backrest.files.quota import check_quota, upload_limit
from backrest.files.upload import FILE_FIELD, read_multipart, read_raw
from backrest.openapi.converter import to_schema
from backrest.openapi.operations import request_body
from backrest.security.permissions import Permission
from backrest.service import Service
from backrest.validation import BodyError, body_validator, report, validate

if TYPE_CHECKING:
    from collections.abc import Callable

    import colander
    from pyramid.request import Request
    from pyramid.response import Response

    from backrest.content.declare import ContentType
    from backrest.files.models import FileContent
    from backrest.files.upload import Upload

BINARY = {"type": "string", "format": "binary"}


def upload_body(*, required: bool) -> Callable[[colander.SchemaNode | None], dict[str, Any]]:
    """The OpenAPI request body of a write that may (or must) carry a file."""

    def body(node: colander.SchemaNode | None) -> dict[str, Any]:
        fields = to_schema(node) if node is not None else {"type": "object", "properties": {}}
        form = {**fields, "properties": {**fields.get("properties", {}), FILE_FIELD: BINARY}}
        content = {"multipart/form-data": {"schema": form}}
        if required:
            form["required"] = [*fields.get("required", ()), FILE_FIELD]
        else:
            content.update(request_body(node)["content"])
        return {"required": True, "content": content}

    return body


def raw_body(node: colander.SchemaNode | None) -> dict[str, Any]:
    return {"required": True, "content": {"*/*": {"schema": BINARY}}}


def _owner_and_replaced(request: Request) -> tuple[str | None, int]:
    """Whose storage an upload takes, and how many of its bytes it frees (the data it replaces)."""
    if isinstance(request.context, ItemResource):
        obj = request.context.obj
        return obj.owner_id, obj.size
    return request.authenticated_userid, 0


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
            body, request.upload = read_multipart(
                request, upload_limit(request, *_owner_and_replaced(request))
            )
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
    conditional.check_if_match(request, etag(item, permissions(request, item)), data_etag(item.obj))
    try:
        request.upload = read_raw(request, upload_limit(request, *_owner_and_replaced(request)))
    except BodyError as error:
        report(request, error)


class FileViews(ContentViews):
    """A content type's views, taking the data of its objects along with their fields."""

    def apply(self, request: Request, obj: FileContent, data: dict[str, Any]) -> None:
        super().apply(request, obj, data)
        upload = getattr(request, "upload", None)
        if upload is not None:
            self._store(request, obj, upload, renamed="filename" in data)

    @staticmethod
    def _store(request: Request, obj: FileContent, upload: Upload, *, renamed: bool = False) -> None:
        """Make ``upload`` the data of ``obj``, committed (or not) with the request's transaction."""
        received = upload.received
        owner = claim_blob(request.dbsession, received.sha256, received.size)
        request.file_transaction.claim(received, owner=owner)
        obj.set_data(received.sha256, received.size, upload.content_type)
        if not renamed and (upload.filename is not None or obj.filename is None):
            obj.filename = safe_filename(upload.filename)
        request.dbsession.add(obj)
        request.dbsession.flush()
        check_quota(request, obj.owner_id)

    def data(self, request: Request) -> Response:
        return data_response(request, request.context.obj)

    def replace_data(self, request: Request) -> dict[str, Any]:
        item: ItemResource = request.context
        before = fields(request, item)
        self._store(request, item.obj, request.upload)
        self._changed(request)
        changed = changes(before, fields(request, item))
        if changed:
            self._record(request, "update", item.obj, changed)
        allowed = permissions(request, item)
        request.response.headers["ETag"] = response_etag(request, etag(item, allowed))
        return representation(request, item, allowed)


def file_services(content_type: ContentType) -> tuple[Service, Service, Service]:
    """A content type's services with uploads, and the service of its objects' data."""
    views = FileViews(content_type)
    collection, item = content_services(
        content_type,
        views,
        create_validator=partial(upload_validator, required=True),
        update_validator=upload_validator,
        create_options={"request_body": upload_body(required=True)},
        update_options={"request_body": upload_body(required=False)},
        error_statuses=(413, 415),
    )
    for service in (collection, item):
        # OPTIONS lists it among the fields of POST and PUT.
        service.file_field = FILE_FIELD
    data = Service(
        f"content.{content_type.name}.data",
        f"/-/{content_type.name}/{{id}}/data",
        f"The data of one of {content_type.name}.",
        factory=id_factory(content_type.model),
    )
    data.add_view(
        "GET",
        views.data,
        permission=Permission.VIEW,
        response_media_type="application/octet-stream",
        error_statuses=(416,),
    )
    if not content_type.read_only:
        data.add_view(
            "PUT",
            views.replace_data,
            permission=Permission.EDIT,
            validators=(data_validator,),
            error_statuses=(412, 413, 415, 428),
            request_body=raw_body,
        )
    with_options(data, content_type)
    return collection, item, data
