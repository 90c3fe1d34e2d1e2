"""OpenAPI 3.0.3 schemas of typed methods' arguments and results, and results as JSON.

Arguments are described as a JSON body sends them (section 15): datetimes
as seconds since 1970, models by id. Results are JSON as every other
endpoint writes it (section 0): datetimes as ISO 8601 text, models as their
representation, decimals as text.

A method that returns ``None`` answers JSON ``null``: its result schema is
:data:`NULL_RESULT`, a schema without a type, which generators read as "any
value" and validators let ``null`` through.

A method that takes files (:class:`~backrest.methods.uploads.FileUpload`)
is called with a multipart form only: its request body says so, each file a
``binary`` string whose ``encoding`` lists the media types accepted.

An ``Optional`` is ``nullable: true`` on the schema it wraps; an enum lists
``null`` too, as OpenAPI 3.0.3 asks, and a ``$ref`` (see ``model_ref``) is
wrapped in ``allOf`` because it may have no siblings. That last is the idiom
generators read as an optional model, though a strict 3.0.3 validator lets
``null`` through only where ``nullable`` sits beside a ``type``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from backrest.methods.shapes import (
    DictOf,
    File,
    ListOf,
    Member,
    Model,
    Nothing,
    Nullable,
    Record,
    Shape,
    Signature,
    Single,
    shape_of,
)
from backrest.methods.wire import Encoder
from backrest.openapi.forms import form_fields
from backrest.openapi.operations import body_content
from backrest.renderers import timestamp
from backrest.schema import INTEGER_RANGE, NUMBER_TEXT

BINARY: dict[str, Any] = {"type": "string", "format": "binary"}
MULTIPART = "multipart/form-data"
NULL_RESULT: dict[str, Any] = {"nullable": True, "description": "Always null: the method returns nothing."}

_COMMON: dict[type, dict[str, Any]] = {
    bool: {"type": "boolean"},
    int: {
        "type": "integer",
        "format": "int64",
        "minimum": INTEGER_RANGE.start,
        "maximum": INTEGER_RANGE.stop - 1,
    },
    float: {"type": "number", "format": "double"},
    str: {"type": "string"},
    bytes: {"type": "string", "format": "byte"},
}
_ARGUMENT: dict[type, dict[str, Any]] = {
    Decimal: {
        "type": "string",
        "format": "decimal",
        "pattern": f"^{NUMBER_TEXT.pattern}$",
        "description": 'A decimal number as text, such as "23.42"; a JSON number is taken too.',
    },
    datetime: {"type": "number", "description": "Seconds since 1970-01-01T00:00:00Z (UTC)."},
}
_RESULT: dict[type, dict[str, Any]] = {
    Decimal: {"type": "string", "format": "decimal"},
    datetime: {"type": "string", "format": "date-time"},
}


class _Schemas:
    def __init__(
        self,
        models: Mapping[type, str],
        *,
        result: bool,
        model_ref: Callable[[type], dict[str, Any]] | None = None,
    ) -> None:
        self.models = models
        self.result = result
        self.model_ref = model_ref

    def schema(self, shape: Shape) -> dict[str, Any]:  # noqa: PLR0911 - one return per shape
        match shape:
            case Nullable(inner):
                return _nullable(self.schema(inner))
            case Single(kind):
                return self.single(kind)
            case Model(model):
                return self.model(model)
            case ListOf(item):
                return {"type": "array", "items": self.schema(item)}
            case DictOf(key, value):
                return self.dict(key.kind, value)
            case Record(cls, members):
                return {"title": cls.__name__, **self.object(members)}
            case File():
                return dict(BINARY)
        raise AssertionError(shape)  # pragma: no cover - shape_of makes no other shapes

    def single(self, kind: type) -> dict[str, Any]:
        if kind in _COMMON:
            return dict(_COMMON[kind])
        if kind in _ARGUMENT:
            return dict((_RESULT if self.result else _ARGUMENT)[kind])
        # An enum, by the names of its members (aliases too, which arguments may use).
        return {"type": "string", "enum": list(kind.__members__), "title": kind.__name__}

    def model(self, model: type) -> dict[str, Any]:
        if not self.result:
            return {"type": "string", "description": f"The id of one of /-/{self.models[model]}/"}
        if self.model_ref:
            return self.model_ref(model)
        return {"type": "object", "title": model.__name__}

    def dict(self, key: type, value: Shape) -> dict[str, Any]:
        schema = {"type": "object", "additionalProperties": self.schema(value)}
        if key is int:
            schema["description"] = "Keys are integers, as text."
        elif key is bool:
            schema["description"] = "Keys are true or false."
        elif key is not str:
            schema["description"] = f"Keys are names of {key.__name__}: {', '.join(key.__members__)}."
        return schema

    def object(self, members: tuple[Member, ...]) -> dict[str, Any]:
        """Properties for members; a result has every one, arguments may leave out those with defaults."""
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {member.name: self.schema(member.shape) for member in members},
            "additionalProperties": False,
        }
        required = [member.name for member in members if self.result or member.required]
        if required:  # OpenAPI 3.0 wants at least one name in a required list.
            schema["required"] = required
        return schema


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return {"allOf": [schema], "nullable": True}
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None], "nullable": True}
    return {**schema, "nullable": True}


def argument_schema(annotation: Any, models: Mapping[type, str]) -> dict[str, Any]:
    """The schema of one argument as a JSON body sends it; ``models`` maps model classes to collections."""
    return _Schemas(models, result=False).schema(shape_of(annotation, models))


def request_schema(signature: Signature, models: Mapping[type, str]) -> dict[str, Any]:
    """The schema of a JSON body calling ``signature``: parameters without defaults are required."""
    return _Schemas(models, result=False).object(signature.parameters)


def _is_file(schema: dict[str, Any]) -> bool:
    """Whether a form field's schema is a file, or files under one name."""
    items = schema.get("items")
    return schema.get("format") == BINARY["format"] or (items is not None and _is_file(items))


def request_body(arguments: dict[str, Any], file_types: Sequence[str] | None = None) -> dict[str, Any]:
    """The request body of a method whose arguments' schema is ``arguments`` (:func:`request_schema`).

    A JSON object, or the same as form fields; for a method that takes
    files (``file_types`` not ``None``), a multipart form only, whose files
    may be of ``file_types`` (``image/*``...; any type when empty).
    """
    required = bool(arguments.get("required"))
    if file_types is None:
        return {"required": required, "content": body_content(arguments)}
    fields, encoding = form_fields(arguments)
    accepted = ", ".join(file_types) or "*/*"
    for name, schema in fields["properties"].items():
        if _is_file(schema):
            encoding[name] = {**encoding.get(name, {}), "contentType": accepted}
    return {"required": required, "content": {MULTIPART: {"schema": fields, "encoding": encoding}}}


def result_schema(
    annotation: Any,
    models: Mapping[type, str],
    model_ref: Callable[[type], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The schema of the JSON result, :data:`NULL_RESULT` for ``None``.

    ``model_ref`` gives the schema of a model (a ``$ref`` to its
    representation); without it a model is an object titled with its class
    name.
    """
    shape = shape_of(annotation, models, result=True)
    if isinstance(shape, Nothing):
        return dict(NULL_RESULT)
    return _Schemas(models, result=True, model_ref=model_ref).schema(shape)


class _ResultEncoder(Encoder):
    """Results as every endpoint writes JSON: models as represented, datetimes as ISO 8601 text."""

    def __init__(self, request: Any, model_json: Callable[[Any], Any] | None) -> None:
        self.request = request
        self.model_json = model_json

    def encode(self, value: Any) -> Any:
        if hasattr(value, "__json__"):
            return self.model_json(value) if self.model_json else value.__json__(self.request)
        return super().encode(value)

    def datetime(self, value: datetime) -> Any:
        return timestamp(value)

    def other(self, value: Any) -> Any:
        message = f"a {type(value).__name__} cannot be a result"
        raise TypeError(message)


def result_json(value: Any, request: Any, model_json: Callable[[Any], Any] | None = None) -> Any:
    """A method's result as JSON-able data, as :func:`result_schema` describes it.

    ``model_json`` writes a content model (as its own URL represents it);
    without it, a model is its ``__json__(request)``.
    """
    return _ResultEncoder(request, model_json).encode(value)
