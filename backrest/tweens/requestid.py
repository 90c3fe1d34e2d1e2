"""``X-Request-Id`` on every response, in every log line, and request logging.

An incoming id is echoed when it looks like an id (so a proxy's id ties its
log to ours); anything else is replaced. Logged paths have their tokens
redacted (:mod:`backrest.tweens.redaction`): a reset link's token in a log
would be a password in a log.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from typing import TYPE_CHECKING
from urllib.parse import quote

from webob.request import PATH_SAFE

from backrest.tweens.redaction import PathRedactor

if TYPE_CHECKING:
    from pyramid.request import Request
    from pyramid.response import Response

log = logging.getLogger("backrest.requests")

VALID_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Gives every record ``request_id``: the id of the request being served, or ``-``.

    Any formatter then sees it as a field of the record: ``%(request_id)s``,
    python-json-logger's JSON, structlog's ``ExtraAdder``. Attach it to a
    handler (``logging.config.dictConfig``). ``fileConfig``, which ``pserve``
    uses, knows no filters: its formatters apply it themselves
    (:class:`RequestIdFormatter`, :class:`backrest.observability.logs.JsonFormatter`).
    A record that already has an id keeps it: the filter of a ``QueueHandler``
    runs in the request's thread, its listener's formatter in another.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


with_request_id = RequestIdFilter()
"""The filter that formatters of ``fileConfig`` apply themselves."""


class RequestIdFormatter(logging.Formatter):
    """A formatter that knows ``%(request_id)s`` (:class:`RequestIdFilter`).

    Name it in the ini file's ``[formatter_*]`` section (``class = ...``).
    """

    def format(self, record: logging.LogRecord) -> str:
        with_request_id.filter(record)
        return super().format(record)


def request_id_for(request: Request) -> str:
    incoming = request.headers.get("X-Request-Id", "")
    return incoming if VALID_ID.fullmatch(incoming) else uuid.uuid4().hex


def _quoted(wsgi_path: str) -> str:
    """A WSGI path (its bytes as latin-1 text) quoted as WebOb's ``request.path`` is, UTF-8 or not.

    Quoted, a path cannot write a line break or a quote of its own into the log.
    """
    return quote(wsgi_path.encode("latin-1", "replace"), safe=PATH_SAFE)


def logged_path(request: Request, redact: PathRedactor) -> str:
    """The path as the log shows it: the prefix the app is mounted under, then the path, redacted."""
    environ = request.environ
    return _quoted(environ.get("SCRIPT_NAME", "")) + redact(_quoted(environ.get("PATH_INFO", "")))


def log_answer(request: Request, response: Response, started: float, redact: PathRedactor) -> None:
    """The request's log line: method, redacted path, status and the milliseconds since ``started``."""
    if log.isEnabledFor(logging.INFO):
        log.info(
            "%s %s %s %.1fms",
            request.method,
            logged_path(request, redact),
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
