"""Each request's transaction: pyramid_tm commits or aborts it, pyramid_retry runs it again.

A request that lost a race (a serialization failure, a concurrent insert)
runs again from the start, up to three times in all, unless its body is a
file (:func:`attempts`).

Safe requests (GET, HEAD, OPTIONS) skip the transaction manager: they
write to no file, send no mail and join no other resource, so the
two-phase machinery would only cost them. Their one database connection
(:class:`backrest.db.SafeRequestDatabase`, on
:func:`backrest.db.reads_in_autocommit`) is committed by
:func:`safe_requests_tween_factory` before the answer leaves, as pyramid_tm
would: what a GET writes (a key's ``last_used``, an OAuth authorization
code it redirects with) is stored before the client can use it, and nothing
is stored when the request failed.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from pyramid.tweens import EXCVIEW

from backrest.db import SAFE_REQUEST, SafeRequestDatabase
from backrest.validation import parsed

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.config import Configurator
    from pyramid.registry import Registry
    from pyramid.request import Request
    from pyramid.response import Response

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def may_write(request: Request) -> bool:
    """Whether pyramid_tm runs ``request`` in a transaction: unless it is safe."""
    return request.method not in SAFE_METHODS


def attempts(request: Request) -> int | None:
    """How many times pyramid_retry may run ``request``: once if its body is a file.

    To run a request again, pyramid_retry first copies its whole body to a
    temporary file; a file's body would be written twice. Bodies the API
    parses (JSON, urlencoded forms, XML) keep the configured attempts.
    """
    content_type = request.content_type
    if request.method in BODY_METHODS and (content_type == "multipart/form-data" or not parsed(content_type)):
        return 1
    return None


def safe_requests_tween_factory(
    handler: Callable[[Request], Response], _registry: Registry
) -> Callable[[Request], Response]:
    def safe_requests_tween(request: Request) -> Response:
        if request.method not in SAFE_METHODS:
            return handler(request)
        registry = request.registry
        database = SafeRequestDatabase(
            registry["db_engine"], registry["dbsession_factory"], autocommit=registry["safe_autocommit"]
        )
        request.environ[SAFE_REQUEST] = database
        try:
            response = handler(request)
        except Exception:
            database.end(commit=False)
            raise
        try:
            # An error answered by an exception view stores nothing, as under pyramid_tm.
            database.end(commit=getattr(request, "exc_info", None) is None)
        except Exception:  # noqa: BLE001 - what failed to commit is answered as its error
            return request.invoke_exception_view(sys.exc_info())
        return response

    return safe_requests_tween


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    # pyramid_tm would look up the caller before the exception views are in
    # place: a database failure there would escape the one error shape.
    settings["tm.annotate_user"] = False
    settings.setdefault("retry.attempts", 3)
    settings.setdefault("retry.activate_hook", attempts)
    settings["tm.activate_hook"] = may_write
    config.include("pyramid_tm")
    config.include("pyramid_retry")
    config.add_tween(
        "backrest.transactions.safe_requests_tween_factory", under="pyramid_tm.tm_tween_factory", over=EXCVIEW
    )
