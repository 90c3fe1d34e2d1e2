"""What every ``OPTIONS`` answers (API section 7): the ``Options`` and ``OptionsField`` schemas.

Every registered service answers ``OPTIONS`` the same way
(:mod:`backrest.content.options`, fields described by
:mod:`backrest.methods.options` too), and its view declares that its body
is the one ``Options`` component (``OPTIONS_BODY`` there).
"""

from __future__ import annotations

from typing import Any

from backrest.openapi.components import OPTIONS, OPTIONS_FIELD, schema_reference

FIELD = schema_reference(OPTIONS_FIELD)
STRINGS = {"type": "array", "items": {"type": "string"}}
FIELDS = {
    "type": "object",
    "additionalProperties": FIELD,
    "description": "Each field, by its name.",
}

OPTIONS_FIELD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "One field a method takes.",
    "properties": {
        "type": {
            "type": "string",
            "description": "string, integer, number, decimal, boolean, datetime, date, bytes, "
            "choice, list, nested object, file upload; field for any other value.",
        },
        "required": {"type": "boolean"},
        "read_only": {"type": "boolean"},
        "label": {"type": "string", "description": "The field's name, for a person."},
        "max_length": {"type": "integer", "description": "The longest value, in characters."},
        "min_value": {"type": "number"},
        "max_value": {"type": "number"},
        "choices": {
            "type": "array",
            "description": "The values the field takes, and only them.",
            "items": {
                "type": "object",
                "properties": {
                    "value": {"description": "The value to send: a string or a number."},
                    "display_name": {"type": "string"},
                },
                "required": ["value", "display_name"],
            },
        },
        "children": {**FIELDS, "description": "A nested object's fields, by their names."},
        "child": {"allOf": [FIELD], "description": "What each item of a list is."},
    },
    "required": ["type", "required", "read_only", "label"],
}

OPTIONS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "What the caller may do at this URL, and with which fields.",
    "properties": {
        "name": {"type": "string", "description": "The collection's, method's or service's name."},
        "description": {"type": "string"},
        "renders": {**STRINGS, "description": "The media types answers come in."},
        "parses": {**STRINGS, "description": "The media types bodies may be sent in."},
        "actions": {
            "type": "object",
            "description": "The fields each method that takes a body takes, for the methods "
            "the caller may use (Allow lists them all).",
            "properties": {"POST": FIELDS, "PUT": FIELDS},
        },
    },
    "required": ["name", "description", "renders", "parses", "actions"],
}

SCHEMAS = {OPTIONS: OPTIONS_SCHEMA, OPTIONS_FIELD: OPTIONS_FIELD_SCHEMA}
