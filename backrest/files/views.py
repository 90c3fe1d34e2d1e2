"""The views a file type has beyond a content type's: uploads, and its objects' data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backrest.content.representation import changes, etag, fields, permissions, representation
from backrest.content.views import ContentViews, response_etag
from backrest.files.download import data_response
from backrest.files.models import claim_blob
from backrest.files.names import safe_filename
from backrest.files.quota import check_quota

if TYPE_CHECKING:
    from pyramid.request import Request
    from pyramid.response import Response

    from backrest.content.resources import ItemResource
    from backrest.files.models import FileContent
    from backrest.files.upload import Upload


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
        check_quota(request, obj)

    def data(self, request: Request) -> Response:
        return data_response(request, request.context.obj)

    def replace_data(self, request: Request) -> dict[str, Any]:
        item: ItemResource = request.context
        before = fields(request, item)
        self._store(request, item.obj, request.upload)
        self.mark_changed(request)
        changed = changes(before, fields(request, item))
        if changed:
            self.record(request, "update", item.obj, changed)
        allowed = permissions(request, item)
        request.response.headers["ETag"] = response_etag(request, etag(item, allowed))
        return representation(request, item, allowed)
