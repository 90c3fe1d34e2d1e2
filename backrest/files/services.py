"""The services of a file type: a content type's, taking uploads, and ``/-/{collection}/{id}/data``."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from backrest.content.declare import content_services, with_options
from backrest.content.resources import id_factory
from backrest.files.upload import FILE_FIELD
from backrest.files.validators import data_validator, upload_validator
from backrest.files.views import FileViews
from backrest.openapi.converter import to_schema
from backrest.openapi.operations import request_body
from backrest.security.permissions import Permission
from backrest.service import Service

if TYPE_CHECKING:
    from collections.abc import Callable

    import colander

    from backrest.content.declare import ContentType

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
