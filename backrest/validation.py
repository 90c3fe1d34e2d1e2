"""Reading request bodies and validating them against colander schemas.

Bodies are JSON objects, or form fields from an HTML form. Bad input is a
400 naming what is wrong (never a 500): broken JSON, invalid UTF-8, NaN and
Infinity, absurdly deep nesting, a top-level array.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import colander

if TYPE_CHECKING:
    from pyramid.request import Request

MAX_DEPTH = 32
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class BodyError(ValueError):
    """The body cannot be read; ``status`` says whether it is bad (400) or unsupported (415)."""

    def __init__(self, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.status = status


def _refuse_constant(name: str) -> float:
    msg = f"{name} is not a valid JSON value."
    raise BodyError(msg)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        msg = f"{text} is too large a number."
        raise BodyError(msg)
    return value


def _depth(value: Any, limit: int) -> None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            msg = f"The JSON document is nested deeper than {limit} levels."
            raise BodyError(msg)
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def _utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        msg = "The body is not valid UTF-8."
        raise BodyError(msg) from error


def parse_json(raw: bytes) -> Any:
    text = _utf8(raw)
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError as error:
        msg = f"The JSON document is nested deeper than {MAX_DEPTH} levels."
        raise BodyError(msg) from error
    except ValueError as error:
        if isinstance(error, BodyError):
            raise
        msg = f"Invalid JSON: {error}"
        raise BodyError(msg) from error
    _depth(value, MAX_DEPTH)
    return value


def read_body(request: Request) -> dict[str, Any]:
    """The request body as a dict; raises :class:`BodyError`."""
    raw = request.body
    if not raw:
        return {}
    content_type = request.content_type
    if content_type in FORM_TYPES:
        if content_type != "multipart/form-data":
            _utf8(raw)
        return {key: request.POST.getall(key)[-1] for key in request.POST}
    if content_type not in ("", "application/json") and not content_type.endswith("+json"):
        msg = f"Unsupported Content-Type {content_type}; send application/json."
        raise BodyError(msg, 415)
    value = parse_json(raw)
    if not isinstance(value, dict):
        msg = "The body must be a JSON object."
        raise BodyError(msg)
    return value


def body_validator(request: Request, schema: colander.SchemaNode | None = None, **_: Any) -> None:
    """Cornice validator: ``request.validated`` gets the body, checked by ``schema``."""
    try:
        body = read_body(request)
    except BodyError as error:
        request.errors.status = error.status
        location, name = ("header", "Content-Type") if error.status == 415 else ("body", None)  # noqa: PLR2004
        request.errors.add(location, name, str(error))
        return
    if schema is None:
        request.validated.update(body)
        return
    try:
        request.validated.update(schema.deserialize(body))
    except colander.Invalid as invalid:
        for name, description in invalid.asdict().items():
            request.errors.add("body", name, description)
