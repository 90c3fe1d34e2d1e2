"""The answer while the blob store does not answer: 503, as while the database does not."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from backrest.errors import unavailable

if TYPE_CHECKING:
    from pyramid.request import Request
    from pyramid.response import Response

    from backrest.files.storage import StoreUnavailable

log = logging.getLogger(__name__)


def store_unavailable_view(exc: StoreUnavailable, request: Request) -> Response:
    """503 in the error shape, logged in one line; the transaction is aborted, so no row was written."""
    log.error("the file storage does not answer in request %s: %s", getattr(request, "request_id", None), exc)
    return unavailable(request, "files", "The file storage")
