"""The errors a backrest service answers, as exceptions a caller can catch by kind.

Every error of the API has one JSON shape (section 0 of the contract): a
list of ``{"location", "name", "description"}``. Each exception carries that
list, the status and the ``X-Request-Id`` that the server also wrote in its
log, which is what to quote when asking its operators about a failure.
"""

from __future__ import annotations

import email.utils
import http
import math
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx


class APIError(Exception):
    """An error answer: ``status``, ``errors`` (the contract's list) and ``request_id``."""

    def __init__(self, status: int, errors: list[dict[str, Any]], request_id: str | None = None) -> None:
        self.status = status
        self.errors = errors
        self.request_id = request_id
        super().__init__(self._message())

    def _message(self) -> str:
        try:
            phrase = http.HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Error"
        details = "; ".join(
            f"{error['name']}: {error['description']}" if error.get("name") else str(error.get("description"))
            for error in self.errors
        )
        message = f"{self.status} {phrase}"
        if details:
            message += f": {details}"
        if self.request_id:
            message += f" (request {self.request_id})"
        return message


class ValidationError(APIError):
    """400: the request's values, each wrong one named in ``errors``."""


class Unauthorized(APIError):  # noqa: N818 - named for their status, as HTTP clients name them
    """401: no credentials, or credentials the service refuses."""


class Forbidden(APIError):  # noqa: N818 - named for their status, as HTTP clients name them
    """403: the caller may not do this (or the key's scopes do not allow it)."""


class NotFound(APIError):  # noqa: N818 - named for their status, as HTTP clients name them
    """404: nothing there, or nothing the caller may see."""


class Conflict(APIError):  # noqa: N818 - named for their status, as HTTP clients name them
    """409, or 412: the object changed since it was read (``If-Match`` failed)."""


class RateLimited(APIError):  # noqa: N818 - named for their status, as HTTP clients name them
    """429: too many requests; ``retry_after`` is how many seconds to wait."""

    def __init__(
        self,
        status: int,
        errors: list[dict[str, Any]],
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status, errors, request_id)
        self.retry_after = retry_after


ERRORS: dict[int, type[APIError]] = {
    400: ValidationError,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: Conflict,
    429: RateLimited,
}


def retry_after(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds from now: its number, or the time until its date; ``None`` without one."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, math.ceil(moment.timestamp() - time.time()))


def error_list(response: httpx.Response) -> list[dict[str, Any]]:
    """The contract's error list of a read response; empty for a body of another shape (a proxy's page)."""
    try:
        body = response.json()
    except ValueError:
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and all(isinstance(error, dict) for error in errors):
        return errors
    return []


def error_from_response(response: httpx.Response) -> APIError:
    """The exception for an error ``response``, whose body has been read."""
    status = response.status_code
    errors = error_list(response)
    request_id = response.headers.get("X-Request-Id")
    if status == http.HTTPStatus.TOO_MANY_REQUESTS:
        return RateLimited(status, errors, request_id, retry_after(response))
    return ERRORS.get(status, APIError)(status, errors, request_id)
