"""The views a file type has beyond a content type's: uploads, and its objects' data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backrest.content.conditional import tag_response
from backrest.content.representation import changes, fields, permissions, representation
from backrest.content.views import ContentViews
from backrest.files.attach import attach_upload
from backrest.files.download import data_response

if TYPE_CHECKING:
    from pyramid.request import Request
    from pyramid.response import Response

    from backrest.content.resources import ItemResource
    from backrest.files.models import FileContent


class FileViews(ContentViews):
    """A content type's views, taking the data of its objects along with their fields."""

    def apply(self, request: Request, obj: FileContent, data: dict[str, Any]) -> None:
        super().apply(request, obj, data)
        upload = getattr(request, "upload", None)
        if upload is not None:
            attach_upload(request, obj, upload, renamed="filename" in data)

    def data(self, request: Request) -> Response:
        return data_response(request, request.context.obj)

    def replace_data(self, request: Request) -> dict[str, Any]:
        item: ItemResource = request.context
        before = fields(request, item)
        attach_upload(request, item.obj, request.upload)
        self.mark_changed(request)
        changed = changes(before, fields(request, item))
        if changed:
            self.record(request, "update", item.obj, changed)
        allowed = permissions(request, item)
        tag_response(request, item, allowed)
        return representation(request, item, allowed)
