"""Requests whose URL is not UTF-8 are a client's mistake: 400, not a crash in the view.

WebOb decodes the path and the query string lazily, the first time a view
reads them; undecodable bytes would then surface as an exception deep in the
application. They are checked once, at the edge, before anything reads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest.errors import http_error

if TYPE_CHECKING:
    from pyramid.request import Request
    from pyramid.response import Response


def undecodable(request: Request) -> Response | None:
    """The 400 of a request whose query string or path is not UTF-8, or None."""
    try:
        request.GET  # noqa: B018 - decoding is the check
    except UnicodeDecodeError:
        return http_error(400, "querystring", None, "The query string is not valid UTF-8.")
    try:
        request.path_info  # noqa: B018 - decoding is the check
    except UnicodeDecodeError:
        return http_error(400, "path", None, "The path is not valid UTF-8.")
    return None
