"""Making an upload the data of a file object, committed (or not) with the request's transaction.

The one way data becomes a file object's: its uploads (:mod:`backrest.files.views`)
and a typed method that keeps a file it was sent
(:meth:`backrest.methods.FileUpload.store`) both come here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest.files.models import claim_blob
from backrest.files.names import safe_filename
from backrest.files.quota import check_quota

if TYPE_CHECKING:
    from pyramid.request import Request

    from backrest.files.models import FileContent
    from backrest.files.upload import Upload


def attach_upload(request: Request, obj: FileContent, upload: Upload, *, renamed: bool = False) -> None:
    """Make ``upload`` the data of ``obj``, added to the session and flushed; 413 past the quota.

    The blob is claimed now and published when the transaction commits. The
    object takes the upload's filename (made safe), unless ``renamed`` (the
    request names it) or the upload has none and the object has one.
    """
    received = upload.received
    owner = claim_blob(request.dbsession, received.sha256, received.size)
    request.file_transaction.claim(received, owner=owner)
    obj.set_data(received.sha256, received.size, upload.content_type)
    if not renamed and (upload.filename is not None or obj.filename is None):
        obj.filename = safe_filename(upload.filename)
    request.dbsession.add(obj)
    request.dbsession.flush()
    check_quota(request, obj)
