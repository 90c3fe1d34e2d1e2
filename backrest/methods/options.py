"""A method's arguments as ``OPTIONS`` describes fields (section 7), from their OpenAPI schemas.

The same vocabulary as a content type's fields (:mod:`backrest.content.options`):
``type``, ``required``, ``read_only``, ``label``, ``choices``, ``children`` of
an object, ``child`` of a list.
"""

from __future__ import annotations

from typing import Any

TYPES = {
    "boolean": "boolean",
    "integer": "integer",
    "number": "number",
    "object": "nested object",
    "array": "list",
    "string": "string",
}
FORMATS = {"byte": "bytes", "date-time": "datetime", "decimal": "decimal", "binary": "file upload"}
"""``binary`` is a file: OPTIONS of a file type's collection calls its ``file`` field so too."""


def _type(schema: dict[str, Any]) -> str:
    if schema.get("format") in FORMATS:
        return FORMATS[schema["format"]]
    if "enum" in schema:
        return "choice"
    return TYPES.get(schema.get("type", ""), "field")


def describe(schema: dict[str, Any], *, name: str, required: bool) -> dict[str, Any]:
    """One argument (or a field of one), as OPTIONS describes it."""
    description: dict[str, Any] = {
        "type": _type(schema),
        "required": required,
        "read_only": False,
        "label": schema.get("title") or name.replace("_", " ").capitalize(),
    }
    if "enum" in schema:
        description["choices"] = [{"value": value, "display_name": str(value)} for value in schema["enum"]]
    for bound, key in (("minimum", "min_value"), ("maximum", "max_value"), ("maxLength", "max_length")):
        if bound in schema:
            description[key] = schema[bound]
    if schema.get("type") == "object" and "properties" in schema:
        description["children"] = fields(schema)
    if schema.get("type") == "array" and "items" in schema:
        description["child"] = describe(schema["items"], name=name, required=True)
    return description


def fields(schema: dict[str, Any]) -> dict[str, Any]:
    """The arguments of a method (or the fields of an object), from the object's schema."""
    required = set(schema.get("required", ()))
    return {
        name: describe(child, name=name, required=name in required)
        for name, child in schema.get("properties", {}).items()
    }
