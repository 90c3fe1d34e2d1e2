"""The responses an operation lists: its success, and the errors in the contract's shape.

Every error response is a shared component whose body is the ``Error``
schema; ``default`` stands for the statuses an operation does not list
(405 for a method it does not have, 406, 503).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyramid.httpexceptions import status_map

from backrest.openapi.headers import RATE_LIMITS, header

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

JSON = "application/json"
PAGE = "text/html"
"""The browsable page (``?format=api``): HTML, described as a string."""
DEFAULT = "Error"
ERROR_SCHEMA = {"$ref": "#/components/schemas/Error"}
URI = {"type": "string", "format": "uri"}

# The contract's headers on some errors.
ERROR_HEADERS = {
    401: {"WWW-Authenticate": header("The way to authenticate.")},
    405: {"Allow": header("The methods this URL answers.")},
    429: {"Retry-After": header("Seconds to wait before trying again."), **RATE_LIMITS},
}


# Rate limits and server failures can answer any request.
ALWAYS = (429, 500)


def error_statuses(
    *, reads_input: bool, reads_body: bool, protected: bool, unsafe: bool, finds_object: bool
) -> set[int]:
    """The errors an operation can answer, from what it reads and who may call it."""
    statuses = set(ALWAYS)
    if reads_input:
        statuses.add(400)
    if reads_body:
        statuses.update((413, 415))
    if protected:
        statuses.update((401, 403))
    if unsafe:
        # A request authenticated by the session cookie needs its CSRF token.
        statuses.add(403)
    if finds_object:
        statuses.add(404)
    return statuses


def error_name(status: int) -> str:
    """The component name of an error status: ``404`` is ``NotFound``."""
    return "".join(status_map[status].title.split())


def _reference(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{name}"}


def error_reference(status: int) -> dict[str, str]:
    return _reference(error_name(status))


DEFAULT_REFERENCE = _reference(DEFAULT)


def error_response(description: str, status: int | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description, "content": {JSON: {"schema": ERROR_SCHEMA}}}
    if status in ERROR_HEADERS:
        response["headers"] = dict(ERROR_HEADERS[status])
    return response


def error_components(statuses: Iterable[int]) -> dict[str, Any]:
    """The shared response of each error status, and the default one."""
    components = {error_name(status): error_response(status_map[status].title, status) for status in statuses}
    components[DEFAULT] = error_response("Any other error, in the same shape: 405, 406, 503...")
    return components


def success_response(
    status: int,
    schema: dict[str, Any] | None,
    media_type: str,
    *,
    with_body: bool,
    headers: Mapping[str, dict[str, Any]] | None = None,
    also: Iterable[str] = (),
) -> dict[str, Any]:
    """A successful answer, a 304 too; ``schema`` describes its body (any JSON object when ``None``).

    ``headers`` are header objects it carries beyond the rate limits' (and a
    redirection's ``Location``). ``also`` are other media types the body may
    come in: the same data (XML), or the browsable page (a string).
    """
    response: dict[str, Any] = {
        "description": status_map[status].title,
        "headers": dict(RATE_LIMITS),
    }
    if 300 <= status < 400 and status != 304:  # noqa: PLR2004 - redirections; 304 is no redirection
        response["headers"]["Location"] = header("Where to go.", URI)
    response["headers"].update(headers or {})
    if with_body and status < 300 and status != 204:  # noqa: PLR2004 - 204 is No Content
        if schema is None:
            schema = {"type": "object"} if media_type == JSON else {"type": "string"}
        response["content"] = {media_type: {"schema": schema}}
        response["content"].update(
            {other: {"schema": {"type": "string"} if other == PAGE else schema} for other in also}
        )
    return response
