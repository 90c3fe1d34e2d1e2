"""``X-Request-Id`` on every response, in every log line, and request logging.

An incoming id is echoed when it looks like an id (so a proxy's id ties its
log to ours); anything else is replaced. Logged paths have their tokens
redacted: a reset link's token in a log would be a password in a log.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.registry import Registry
    from pyramid.request import Request
    from pyramid.response import Response

log = logging.getLogger("backrest.requests")

VALID_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")
REDACTED = "[redacted]"
SECRET_PARAMETERS = ("token",)

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFormatter(logging.Formatter):
    """A formatter that knows ``%(request_id)s``: the id of the request being served, or ``-``.

    Name it in the ini file's ``[formatter_*]`` section (``class = ...``).
    """

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = current_request_id.get()
        return super().format(record)


def request_id_for(request: Request) -> str:
    incoming = request.headers.get("X-Request-Id", "")
    return incoming if VALID_ID.fullmatch(incoming) else uuid.uuid4().hex


def redacted_path(request: Request) -> str:
    try:
        path = request.path
    except UnicodeDecodeError:
        # Not UTF-8 (the request is refused): log the bytes as the server got them.
        return request.script_name + request.environ.get("PATH_INFO", "")
    for name in SECRET_PARAMETERS:
        value = (request.matchdict or {}).get(name)
        if value:
            path = path.replace(value, REDACTED)
    return path


def requestid_tween_factory(
    handler: Callable[[Request], Response], registry: Registry
) -> Callable[[Request], Response]:
    def requestid_tween(request: Request) -> Response:
        request.request_id = request_id_for(request)
        token = current_request_id.set(request.request_id)
        started = time.perf_counter()
        try:
            response = handler(request)
            response.headers["X-Request-Id"] = request.request_id
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "%s %s %s %.1fms",
                    request.method,
                    redacted_path(request),
                    response.status_code,
                    (time.perf_counter() - started) * 1000,
                )
            return response
        finally:
            current_request_id.reset(token)

    return requestid_tween
