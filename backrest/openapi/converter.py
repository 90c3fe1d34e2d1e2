"""Colander schemas as OpenAPI 3.0 schema objects, the JSON Schema dialect OpenAPI uses.

A type maps by its class, subclasses included (``backrest.schema.Text`` is a
string); validators add their constraints. A type or a validator not listed
here adds nothing: a custom one is documented as "any value" rather than
refused, and the server stays the judge of what it accepts.
"""

from __future__ import annotations

from typing import Any

import colander

from backrest.schema import Flag, Integer, Number, _email_validator

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


def to_schema(node: colander.SchemaNode) -> dict[str, Any]:
    """The schema object of ``node`` and its children."""
    typ = node.typ
    if isinstance(typ, colander.Mapping):
        schema = _object(node)
    elif isinstance(typ, colander.Sequence):
        schema = {"type": "array", "items": to_schema(node.children[0])}
    else:
        schema = next((dict(mapped) for cls, mapped in TYPES if isinstance(typ, cls)), {})
    schema.update(constraints(node.validator, schema.get("type")))
    if _refuses_empty_string(node):
        schema["minLength"] = max(schema.get("minLength", 0), 1)
    if node.description:
        schema["description"] = str(node.description)
    if isinstance(node.missing, JSON_VALUES):
        schema["default"] = list(node.missing) if isinstance(node.missing, tuple) else node.missing
    if node.missing is None:
        schema["nullable"] = True
    return schema


def _object(node: colander.SchemaNode) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {child.name: to_schema(child) for child in node.children},
    }
    required = [child.name for child in node.children if child.required]
    if required:
        schema["required"] = required
    if node.typ.unknown == "raise":
        schema["additionalProperties"] = False
    return schema


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
