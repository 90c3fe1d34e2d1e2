"""A body's schema as the fields of a form that sends it (API section 6).

A form is flat: ``attributes.language=fr`` is ``{"attributes": {"language":
"fr"}}``, and a field sent once per value (``tags=a&tags=b``) is a list. So
a form body is described as one object whose properties are the dotted names
of the leaves, and whose lists of values are arrays encoded as repeated
fields (``style: form``, ``explode: true``; OpenAPI 3.0 applies them to
``application/x-www-form-urlencoded`` and lets ``multipart/form-data``
repeat its parts the same way). Anything else (a list of objects, an object
of any keys) stays one property under its own name.
"""

from __future__ import annotations

from typing import Any

REPEATED = {"style": "form", "explode": True}
COMPOUND = frozenset({"object", "array"})


def _has_fields(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object" and bool(schema.get("properties"))


def _is_list_of_values(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "array" and schema.get("items", {}).get("type") not in COMPOUND


def form_fields(schema: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The flat schema of the form fields sending what ``schema`` describes, and their ``encoding``."""
    if not _has_fields(schema):
        return schema, {}
    properties: dict[str, Any] = {}
    required: list[str] = []
    encoding: dict[str, Any] = {}

    def add(fields: dict[str, Any], prefix: str, *, given: bool) -> None:
        needed = set(fields.get("required", ()))
        for name, field in fields.get("properties", {}).items():
            dotted = prefix + name
            # A field of an optional object is required only when the object is sent.
            must = given and name in needed
            if _has_fields(field):
                add(field, dotted + ".", given=must)
                continue
            properties[dotted] = field
            if must:
                required.append(dotted)
            if _is_list_of_values(field):
                encoding[dotted] = dict(REPEATED)

    add(schema, "", given=True)
    flat: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        flat["required"] = required
    if "additionalProperties" in schema:
        flat["additionalProperties"] = schema["additionalProperties"]
    return flat, encoding
