"""The one error shape, for every endpoint and whatever went wrong.

``{"status": "error", "errors": [{"location", "name", "description"}]}``

Views raise :func:`http_error` (or any Pyramid HTTP exception) so that the
transaction aborts; Cornice validation errors go through :func:`error_handler`;
the exception views below reshape everything else, Pyramid's own 404s and
403s and unexpected exceptions included. A database that does not answer
is a 503 with ``Retry-After``, not a failure of the server's own.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import TYPE_CHECKING, Any

from pyramid.exceptions import BadCSRFToken
from pyramid.httpexceptions import (
    HTTPException,
    HTTPForbidden,
    status_map,
)
from sqlalchemy.exc import DBAPIError, OperationalError

from backrest.security.permissions import Permission, ScopeDenied
from backrest.security.sources import credential_sources

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.config import Configurator
    from pyramid.request import Request
    from pyramid.response import Response

log = logging.getLogger(__name__)

LOCATIONS = frozenset({"body", "querystring", "header", "path", "cookie", "request"})
RETRY_AFTER = 30
"""Seconds to wait when the database or the file store does not answer: about a restart's time."""
# SQLSTATEs of a PostgreSQL server that refuses or ends connections: class
# 08 (connection exception), and shutting down, crashed, or starting up.
UNAVAILABLE_SQLSTATE_CLASSES = ("08",)
UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})


class Errors(list):
    """The errors of one request, and the status they answer with.

    Cornice's own collection refuses the ``cookie`` and ``request`` locations
    of our contract, so requests get this one instead.
    """

    def __init__(self, status: int = 400) -> None:
        super().__init__()
        self.status = status

    def add(self, location: str, name: str | None = None, description: str = "", **extra: Any) -> None:
        if location not in LOCATIONS:
            location = {"url": "querystring", "cookies": "cookie", "method": "request"}.get(
                location, "request"
            )
        if isinstance(description, bytes):
            description = description.decode("utf-8", "replace")
        self.append({"location": location, "name": name, "description": str(description), **extra})


def error_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"status": "error", "errors": list(errors)}


def _reshape(exc: HTTPException, errors: list[dict[str, Any]], **extra: Any) -> HTTPException:
    exc.content_type = "application/json"
    exc.charset = "utf-8"
    exc.text = json.dumps({**error_body(errors), **extra})
    # Errors describe one moment and one caller: no cache may keep them.
    exc.cache_control = "no-store"
    exc.backrest_errors = errors
    return exc


def http_error(
    status: int,
    location: str,
    name: str | None,
    description: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HTTPException:
    """An HTTP exception carrying one error in the contract's shape; raise it."""
    errors = Errors(status)
    errors.add(location, name, description)
    exc = status_map[status](headers=headers)
    return _reshape(exc, errors, **extra)


def errors_exception(errors: Errors) -> HTTPException:
    """An HTTP exception carrying every error collected in ``errors``."""
    return _reshape(status_map[errors.status](), errors)


def error_handler(request: Request) -> HTTPException:
    """Cornice's hook: the validation errors of ``request`` as a response."""
    return errors_exception(request.errors)


def _slug(exc: HTTPException) -> str:
    return exc.title.lower().replace(" ", "_").replace("-", "_")


def http_exception_view(exc: HTTPException, request: Request) -> Response:
    if getattr(exc, "backrest_errors", None) is not None:
        return exc
    if exc.code is not None and exc.code < 400:  # noqa: PLR2004 - redirects keep their body
        return exc
    description = exc.detail if isinstance(exc.detail, str) and exc.detail else exc.explanation
    if exc.code == 405:  # noqa: PLR2004
        description = f"{request.method} is not allowed here; use {', '.join(exc.allow or ())}."
    errors = Errors(exc.code)
    errors.add("request", _slug(exc), description)
    return _reshape(exc, errors)


def not_found_view(exc: HTTPException, request: Request) -> Response:
    if getattr(exc, "backrest_errors", None) is not None:
        return exc
    return http_error(404, "path", "path", "There is nothing at this URL.")


def forbidden_view(exc: HTTPForbidden, request: Request) -> Response:
    """Refuse without telling more than the caller may know.

    An object the caller may not see is not there (404, as for an id that
    does not exist); anonymous callers are asked to authenticate (401);
    others are refused (403).
    """
    if getattr(exc, "backrest_errors", None) is not None:
        return exc
    context = request.context
    if getattr(context, "hides_existence", False) and not request.has_permission(Permission.VIEW, context):
        return not_found_view(exc, request)
    if isinstance(exc.result, ScopeDenied):
        return http_error(403, "header", "Authorization", str(exc.result))
    if request.identity is None:
        return http_error(
            401,
            "header",
            "Authorization",
            "Authentication is required.",
            headers={"WWW-Authenticate": credential_sources(request.registry).site_challenge},
        )
    return http_error(403, "request", "permission", "You may not do this.")


def csrf_view(exc: BadCSRFToken, request: Request) -> Response:
    return http_error(
        403,
        "header",
        "X-CSRF-Token",
        "Requests authenticated by the session cookie must send the session's CSRF token.",
    )


def server_error_view(exc: Exception, request: Request) -> Response:
    """Log the failure with its request id; show the id, never the traceback."""
    request_id = getattr(request, "request_id", None)
    log.error("unexpected error in request %s", request_id, exc_info=exc)
    return http_error(
        500,
        "request",
        "server_error",
        f"The server failed to answer. Quote request id {request_id} when reporting this.",
        request_id=request_id,
    )


def database_unavailable(exc: DBAPIError) -> bool:
    """Whether ``exc`` says the database cannot be reached, rather than that a statement failed.

    SQLAlchemy flags a connection it found dead; a connection that cannot
    be made is the driver's to tell: psycopg's errors without a server's
    SQLSTATE (or with one of a refused connection), SQLite's "unable to
    open database file".
    """
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.orig
    # sqlite3 is loaded by SQLAlchemy's SQLite driver: without it, no error is one of its.
    sqlite3 = sys.modules.get("sqlite3")
    if sqlite3 is not None and isinstance(cause, sqlite3.Error):
        # The primary code: extended ones (SQLITE_CANTOPEN_ISDIR...) add bits above it.
        return getattr(cause, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_CANTOPEN
    if not hasattr(cause, "sqlstate"):
        return False
    sqlstate = cause.sqlstate
    return (
        sqlstate is None
        or sqlstate.startswith(UNAVAILABLE_SQLSTATE_CLASSES)
        or sqlstate in UNAVAILABLE_SQLSTATES
    )


def unavailable_reason(exc: DBAPIError) -> str:
    """Why the database does not answer, in one line: the driver's error and message.

    The driver's message says why (refused, closed); SQLAlchemy's would add
    the statement and its values.
    """
    cause = exc.orig
    return f"{type(cause).__module__}.{type(cause).__qualname__}: {' '.join(str(cause).split())}"


def database_error_view(exc: DBAPIError, request: Request) -> Response:
    """503 while the database does not answer, logged in one line without SQL; other failures are 500s."""
    if not database_unavailable(exc):
        return server_error_view(exc, request)
    log.error(
        "the database does not answer in request %s: %s",
        getattr(request, "request_id", None),
        unavailable_reason(exc),
    )
    return unavailable(request, "database", "The database")


def unavailable(request: Request, part: str, what: str) -> Response:
    """503 with ``Retry-After``: ``part`` (``what``, as a sentence names it) does not answer."""
    request_id = getattr(request, "request_id", None)
    return http_error(
        503,
        "request",
        part,
        f"{what} does not answer; try again in {RETRY_AFTER} seconds. "
        f"Quote request id {request_id} if this lasts.",
        headers={"Retry-After": str(RETRY_AFTER)},
        request_id=request_id,
    )


def _add_last_resort_view(
    config: Configurator, view: Callable[[Any, Request], Response], context: type[Exception]
) -> None:
    # A retryable failure before the last attempt is no error: pyramid_retry
    # runs the request again, so no view may answer it.
    config.add_exception_view(view, context=context, retryable_error=False)
    config.add_exception_view(view, context=context, last_retry_attempt=True)


def includeme(config: Configurator) -> None:
    config.add_request_method(lambda _request: Errors(), "errors", reify=True)
    _add_last_resort_view(config, server_error_view, Exception)
    _add_last_resort_view(config, database_error_view, DBAPIError)
    config.add_exception_view(http_exception_view, context=HTTPException)
    config.add_exception_view(csrf_view, context=BadCSRFToken)
    config.add_notfound_view(not_found_view)
    config.add_forbidden_view(forbidden_view)
