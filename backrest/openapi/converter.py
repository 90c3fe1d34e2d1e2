"""Colander schemas as OpenAPI 3.0 schema objects, the JSON Schema dialect OpenAPI uses.

A type maps by its class, subclasses included (``backrest.schema.Text`` is a
string); validators add their constraints. A type or a validator not listed
here adds nothing: a custom one is documented as "any value" rather than
refused, and the server stays the judge of what it accepts.

A schema is read as a request sends it (:func:`to_schema`) or as an answer
holds it (:func:`answer_schema`): ``missing`` says which fields a request may
leave out, and which an answer may.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import colander

from backrest.schema import Flag, Integer, NullableNode, Number, _email_validator

# The first class that matches wins: subclasses come before their bases.
TYPES: tuple[tuple[type[colander.SchemaType], dict[str, str]], ...] = (
    (Flag, {"type": "boolean"}),
    (Integer, {"type": "integer", "format": "int64"}),
    (Number, {"type": "number"}),
    (colander.Boolean, {"type": "boolean"}),
    (colander.Integer, {"type": "integer"}),
    # Money-like decimals travel as strings, never as floats.
    (colander.Decimal, {"type": "string", "format": "decimal"}),
    (colander.Number, {"type": "number"}),
    (colander.DateTime, {"type": "string", "format": "date-time"}),
    (colander.Date, {"type": "string", "format": "date"}),
    (colander.Time, {"type": "string", "format": "time"}),
    (colander.String, {"type": "string"}),
)

# A ``missing`` of these types is the value the server assumes: the default.
JSON_VALUES = (str, int, float, list, tuple, dict)

LENGTH_KEYWORDS = {"string": ("minLength", "maxLength"), "array": ("minItems", "maxItems")}

if TYPE_CHECKING:
    from collections.abc import Callable

    Refer = Callable[[colander.SchemaNode], "dict[str, Any] | None"]


@dataclass(frozen=True)
class _Reading:
    answer: bool
    refer: Refer | None = None


_AS_REQUESTED = _Reading(answer=False)


def schema_node(schema: Any) -> colander.SchemaNode:
    """Cornice takes a schema class or instance."""
    return schema() if isinstance(schema, type) else schema


def to_schema(node: colander.SchemaNode) -> dict[str, Any]:
    """The schema object of ``node`` and its children, as a request sends them."""
    return _schema(node, _AS_REQUESTED)


def answer_schema(node: colander.SchemaNode, refer: Refer | None = None) -> dict[str, Any]:
    """The schema object of ``node`` and its children, as an answer holds them.

    An answer holds every field but those it may leave out
    (``missing=colander.drop``); ``missing=None`` is a field that may be
    ``null``. Defaults, and an empty required string refused, are what the
    server makes of a request: they say nothing of an answer. ``refer`` may
    give a node's reference (to a named component), which then stands for it.
    """
    return _schema(node, _Reading(answer=True, refer=refer))


def _schema(node: colander.SchemaNode, reading: _Reading) -> dict[str, Any]:
    reference = reading.refer(node) if reading.refer is not None else None
    if reference is not None:
        return reference
    typ = node.typ
    if isinstance(typ, colander.Mapping):
        schema = _object(node, reading)
    elif isinstance(typ, colander.Sequence):
        schema = {"type": "array", "items": _schema(node.children[0], reading)}
    else:
        schema = next((dict(mapped) for cls, mapped in TYPES if isinstance(typ, cls)), {})
    schema.update(constraints(node.validator, schema.get("type")))
    if not reading.answer and _refuses_empty_string(node):
        schema["minLength"] = max(schema.get("minLength", 0), 1)
    if node.description:
        schema["description"] = str(node.description)
    if not reading.answer and isinstance(node.missing, JSON_VALUES):
        schema["default"] = list(node.missing) if isinstance(node.missing, tuple) else node.missing
    # null is a value of a nullable field; sent where it may be left out, it removes what is there.
    if node.missing is None or (isinstance(node, NullableNode) and not reading.answer):
        schema["nullable"] = True
    return schema


def _required(child: colander.SchemaNode, reading: _Reading) -> bool:
    return child.missing is not colander.drop if reading.answer else child.required


def _object(node: colander.SchemaNode, reading: _Reading) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {child.name: _titled(child, _schema(child, reading)) for child in node.children},
    }
    required = [child.name for child in node.children if _required(child, reading)]
    if required:
        schema["required"] = required
    if node.typ.unknown == "raise":
        schema["additionalProperties"] = False
    return schema


def _titled(node: colander.SchemaNode, schema: dict[str, Any]) -> dict[str, Any]:
    """A field's schema with the title its schema gives it, what a form labels it (the browsable page).

    Only a title given in the schema, not colander's from the name; never on
    an object or a reference, which generators would take for a class name.
    """
    given = node.title != node.name.replace("_", " ").title()
    if not given or schema.get("type") == "object" or "$ref" in schema:
        return schema
    return {**schema, "title": str(node.title)}


def _refuses_empty_string(node: colander.SchemaNode) -> bool:
    """Colander reads ``""`` as missing unless ``allow_empty``: a required string needs one character."""
    typ = node.typ
    return isinstance(typ, colander.String) and not typ.allow_empty and node.required


def constraints(validator: Any, json_type: str | None) -> dict[str, Any]:
    """The keywords a colander validator adds to a schema of ``json_type``."""
    if isinstance(validator, colander.All):
        merged: dict[str, Any] = {}
        for each in validator.validators:
            merged.update(constraints(each, json_type))
        return merged
    if isinstance(validator, colander.Length) and json_type in LENGTH_KEYWORDS:
        low, high = LENGTH_KEYWORDS[json_type]
        return _bounds(low, validator.min, high, validator.max)
    if isinstance(validator, colander.Range) and json_type in {"integer", "number"}:
        return _bounds("minimum", validator.min, "maximum", validator.max)
    if isinstance(validator, colander.OneOf):
        return {"enum": list(validator.choices)}
    return _text_format(validator)


def _text_format(validator: Any) -> dict[str, Any]:
    """An email check is a format (colander's own too: its regular expression is not ECMA's)."""
    if isinstance(validator, colander.Email) or validator is _email_validator:
        return {"format": "email"}
    if isinstance(validator, colander.Regex):
        return {"pattern": validator.match_object.pattern}
    return {}


def _bounds(low_keyword: str, low: Any, high_keyword: str, high: Any) -> dict[str, Any]:
    return {
        keyword: value for keyword, value in ((low_keyword, low), (high_keyword, high)) if value is not None
    }
