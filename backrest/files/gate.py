"""``GET /-/auth``: whether the caller is authenticated, for a proxy to ask before it takes an upload.

An upload may be a gigabyte, and a server reads a request's whole body
before backrest sees who sent it. ``deploy/nginx.conf`` asks here first
(``auth_request``) with the upload's headers and no body: ``204`` lets the
body through, ``401`` refuses it before nginx reads a byte of it. The
answer costs what any request costs: the caller's identity (one lookup of
the session, the key or the password) and its count against the rate limit.
Whether the caller may write there is backrest's to decide once the upload
arrives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyramid.httpexceptions import HTTPForbidden, HTTPNoContent

from backrest.security.permissions import Permission
from backrest.service import Service

if TYPE_CHECKING:
    from pyramid.request import Request

gate = Service("files.auth", "/-/auth", "Whether the caller is authenticated: 204, else 401.")


@gate.get(permission=Permission.PUBLIC, no_store=True, error_statuses=(401,))
def gate_view(request: Request) -> HTTPNoContent:
    if request.identity is None:
        # The forbidden view answers an anonymous caller 401, with the challenge.
        raise HTTPForbidden
    return HTTPNoContent()
