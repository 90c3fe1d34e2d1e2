"""The fields of a form, read from the JSON Schema that OpenAPI gives a request body.

The browsable page builds its forms from the same description as
``/-/openapi.json``, so what a person can send from a browser is what a
generated client can send. Each property becomes a :class:`Field` whose
``kind`` chooses the control: a number, a checkbox, a select for an
``enum``, a date-time, a file, a group of fields for an object, repeatable
items for a list, key/value rows for a free-form object. ``path`` is the
dotted name the form sends it under (API section 6).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

REF_PREFIX = "#/components/schemas/"
# Longer strings get a text area rather than a one-line input.
LONG_TEXT = 500
SECRET_NAMES = ("password", "secret")
STRING_KINDS = {
    "date-time": "datetime",
    "date": "date",
    "binary": "file",
    "email": "email",
    "password": "password",
}


@dataclass(frozen=True)
class Field:
    """One control of a form, or a group of them."""

    key: str
    """Its own part of the dotted name (``city``); empty for an item of a list."""
    path: str
    """The whole dotted name (``address.city``, ``tags.0``)."""
    label: str
    kind: str
    required: bool = False
    description: str = ""
    value: Any = None
    choices: tuple[Any, ...] = ()
    limits: dict[str, Any] = field(default_factory=dict)
    """``maxlength``, ``min``, ``max``: the schema's limits as HTML attributes."""
    children: tuple[Field, ...] = ()
    """The fields of an object; the items present in a list; the pairs of a free-form object."""
    template: Field | None = None
    """A list's item, or a free-form object's value, as a new one is added."""


def resolve(schema: Mapping[str, Any], components: Mapping[str, Any]) -> Mapping[str, Any]:
    """``schema``, or the component its ``$ref`` names."""
    reference = schema.get("$ref")
    if isinstance(reference, str) and reference.startswith(REF_PREFIX):
        return components.get(reference.removeprefix(REF_PREFIX), {})
    return schema


def label_of(schema: Mapping[str, Any], key: str) -> str:
    """The schema's ``title``, else the name in words (``page_size`` is "Page size")."""
    return schema.get("title") or key.replace("_", " ").replace(".", " ").strip().capitalize()


def is_file(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") == "string" and schema.get("format") == "binary"


def _limits(schema: Mapping[str, Any]) -> dict[str, Any]:
    pairs = (("maxLength", "maxlength"), ("minimum", "min"), ("maximum", "max"))
    return {attribute: schema[name] for name, attribute in pairs if name in schema}


def _scalar_kind(schema: Mapping[str, Any], key: str) -> str:
    kind = schema.get("type")
    if schema.get("enum"):
        return "select"
    if kind == "boolean":
        return "checkbox"
    if kind in {"integer", "number"}:
        return kind
    if schema.get("format") in STRING_KINDS:
        return STRING_KINDS[schema["format"]]
    if any(key.endswith(name) for name in SECRET_NAMES):
        return "password"
    return "textarea" if schema.get("maxLength", 0) > LONG_TEXT else "text"


class FieldReader:
    """Reads the fields of request bodies, resolving references against the document's components."""

    def __init__(self, components: Mapping[str, Any]) -> None:
        self.components = components

    def fields(self, schema: Mapping[str, Any], values: Any = None, prefix: str = "") -> tuple[Field, ...]:
        """The fields of an object schema, filled in from ``values`` where it has them."""
        schema = resolve(schema, self.components)
        required = set(schema.get("required", ()))
        values = values if isinstance(values, Mapping) else {}
        return tuple(
            self.field(key, f"{prefix}{key}", property_, required=key in required, value=values.get(key))
            for key, property_ in schema.get("properties", {}).items()
            if not resolve(property_, self.components).get("readOnly")
        )

    def field(self, key: str, path: str, schema: Mapping[str, Any], *, required: bool, value: Any) -> Field:
        schema = resolve(schema, self.components)
        common = {
            "key": key,
            "path": path,
            "label": label_of(schema, key),
            "required": required,
            "description": schema.get("description", ""),
        }
        kind = schema.get("type")
        if kind == "object" and "properties" in schema:
            return Field(**common, kind="object", children=self.fields(schema, value, f"{path}."))
        if kind == "object":
            return self._pairs(common, schema, value)
        if kind == "array":
            return self._list(common, schema, value)
        return Field(
            **common,
            kind=_scalar_kind(schema, key),
            value=schema.get("default") if value is None else value,
            choices=tuple(schema.get("enum", ())),
            limits=_limits(schema),
        )

    def _list(self, common: dict[str, Any], schema: Mapping[str, Any], value: Any) -> Field:
        item = resolve(schema.get("items", {}), self.components)
        present = value if isinstance(value, list) else schema.get("default") or []
        if item.get("enum"):
            # A fixed set of values: one checkbox each, ticked where present.
            return Field(**common, kind="choices", value=list(present), choices=tuple(item["enum"]))
        path, label = common["path"], f"{common['label']} item"
        children = tuple(
            replace(self.field("", f"{path}.{index}", item, required=True, value=element), label=label)
            for index, element in enumerate(present)
        )
        template = replace(
            self.field("", f"{path}.{len(children)}", item, required=True, value=None), label=label
        )
        return Field(**common, kind="list", children=children, template=template, limits=_limits(schema))

    def _pairs(self, common: dict[str, Any], schema: Mapping[str, Any], value: Any) -> Field:
        """A free-form object (``dict[str, int]``): rows of a key and a value, sent as ``path.key``."""
        values_schema = schema.get("additionalProperties")
        values_schema = values_schema if isinstance(values_schema, Mapping) else {"type": "string"}
        path, label = common["path"], f"{common['label']} value"
        present = value if isinstance(value, Mapping) else {}
        children = tuple(
            replace(
                self.field("", f"{path}.{name}", values_schema, required=True, value=element), label=label
            )
            for name, element in present.items()
        )
        template = replace(self.field("", f"{path}.", values_schema, required=True, value=None), label=label)
        return Field(**common, kind="pairs", children=children, template=template)
