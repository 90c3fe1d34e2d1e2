"""Reading request bodies and validating them against colander schemas.

The parser of the body's Content-Type reads it into a dict (:data:`PARSERS`):
JSON objects (also ``+json`` types, and a body without a Content-Type), form
fields by dotted names (:mod:`backrest.formats.forms`; file parts of
multipart bodies are ignored), XML (:mod:`backrest.formats.xml`). Any other
type is a 415; a body over ``backrest.max_body_size`` is a 413. Bad input is
a 400 naming what is wrong (never a 500): broken JSON or XML, invalid UTF-8,
NaN and Infinity, absurdly deep nesting, a top-level array, form names that
do not make one structure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import colander

from backrest.formats import MAX_DEPTH
from backrest.formats.forms import FormError, decode_form
from backrest.settings import MAX_BODY_SIZE, SETTINGS
from backrest.tracebacks import let_go

if TYPE_CHECKING:
    from pyramid.request import Request

# A request built outside an application (a script, a unit test) has no
# settings: the setting's default applies.
DEFAULT_MAX_BODY_SIZE = next(setting.default for setting in SETTINGS if setting.name == MAX_BODY_SIZE)


class BodyError(ValueError):
    """The body cannot be read: bad (400), too large (413) or of an unsupported type (415).

    ``location`` and ``name`` say where, in the error shape.
    """

    def __init__(
        self, description: str, status: int = 400, location: str = "body", name: str | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.location = location
        self.name = name


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


def _json_object(raw: bytes, request: Request) -> dict[str, Any]:
    value = parse_json(raw)
    if not isinstance(value, dict):
        msg = "The body must be a JSON object."
        raise BodyError(msg)
    return value


def form_fields(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    try:
        return decode_form(pairs)
    except FormError as error:
        raise BodyError(str(error), name=error.name) from error


def _urlencoded(raw: bytes, request: Request) -> dict[str, Any]:
    # Percent-escapes must spell UTF-8 too: WebOb would replace bad bytes quietly.
    try:
        pairs = parse_qsl(_utf8(raw), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as error:
        msg = "The form fields are not valid UTF-8."
        raise BodyError(msg) from error
    return form_fields(pairs)


def _multipart(raw: bytes, request: Request) -> dict[str, Any]:
    # WebOb raises ValueError for a missing boundary, and DeprecationWarning
    # (raised, not warned) for a charset other than UTF-8.
    try:
        fields = request.POST.items()
    except (ValueError, DeprecationWarning) as error:
        msg = f"Invalid multipart body: {error}"
        raise BodyError(msg) from error
    return form_fields([(name, value) for name, value in fields if isinstance(value, str)])


def _xml(raw: bytes, request: Request) -> dict[str, Any]:
    # ElementTree loads with the first XML body: most processes never read one.
    from backrest.formats.xml import XMLError, parse_xml  # noqa: PLC0415

    try:
        return parse_xml(raw)
    except XMLError as error:
        raise BodyError(str(error)) from error


# The body types the API reads (besides any "+json" type), and their parsers.
PARSERS: dict[str, Callable[[bytes, Request], dict[str, Any]]] = {
    "application/json": _json_object,
    "application/x-www-form-urlencoded": _urlencoded,
    "multipart/form-data": _multipart,
    "application/xml": _xml,
    "text/xml": _xml,
}


def max_body_size(request: Request) -> int:
    """``backrest.max_body_size`` of the request's application."""
    settings = getattr(getattr(request, "registry", None), "settings", None) or {}
    return settings.get(MAX_BODY_SIZE, DEFAULT_MAX_BODY_SIZE)


def _too_large(limit: int) -> BodyError:
    return BodyError(f"The body is larger than {limit} bytes.", 413)


def read_raw_body(request: Request) -> bytes:
    """The body's bytes, at most :func:`max_body_size` of them; raises :class:`BodyError` (413)."""
    limit = max_body_size(request)
    length = request.content_length
    if length is not None and length > limit:
        raise _too_large(limit)
    if length is None and request.is_body_readable:
        # A chunked body has no length to check up front: read one byte past
        # the limit at most, and keep what was read for later readers.
        raw = request.body_file_raw.read(limit + 1)
        if len(raw) > limit:
            raise _too_large(limit)
        request.body = raw
    return request.body


def parsed(content_type: str) -> bool:
    """Whether bodies of ``content_type`` (without parameters) are read into a dict; ``""`` is JSON."""
    return content_type in ("", *PARSERS) or content_type.endswith("+json")


def read_body(request: Request) -> dict[str, Any]:
    """The request body as a dict; raises :class:`BodyError`."""
    raw = read_raw_body(request)
    if not raw:
        return {}
    content_type = request.content_type
    if parsed(content_type):
        return PARSERS.get(content_type, _json_object)(raw, request)
    msg = f"Unsupported Content-Type {content_type}; send application/json."
    raise BodyError(msg, 415, "header", "Content-Type")


def report(request: Request, error: BodyError) -> None:
    """Put ``error`` on the request's Cornice error list, with its status."""
    request.errors.status = error.status
    request.errors.add(error.location, error.name, str(error))


def messages_of(invalid: colander.Invalid) -> dict[str, str]:
    """Each bad field's message by its dotted name, and the errors' frames let go.

    colander raises a form's error from the frame that gathers it, so each
    error's traceback holds it again (see :mod:`backrest.tracebacks`).
    """
    messages = invalid.asdict()
    pending = [invalid]
    while pending:
        error = pending.pop()
        let_go(error)
        pending.extend(error.children)
    return messages


def validate(request: Request, schema: colander.SchemaNode | None, body: dict[str, Any]) -> None:
    """``request.validated`` gets ``body`` as ``schema`` reads it; every bad field is an error."""
    if schema is None:
        request.validated.update(body)
        return
    try:
        request.validated.update(schema.deserialize(body))
    except colander.Invalid as invalid:
        for name, description in messages_of(invalid).items():
            request.errors.add("body", name, description)


def body_validator(request: Request, schema: colander.SchemaNode | None = None, **_: Any) -> None:
    """Cornice validator: ``request.validated`` gets the body, checked by ``schema``."""
    try:
        body = read_body(request)
    except BodyError as error:
        report(request, error)
        return
    validate(request, schema, body)
