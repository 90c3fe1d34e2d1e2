"""The named schemas of a content type (its representation, page and bodies), and ``Meta``.

They are named after the type's model: ``Document`` (an object as GET
answers it), ``DocumentPage`` (a list's page), ``DocumentCreate`` (the body
of POST) and ``DocumentUpdate`` (of PUT and PATCH: every field optional),
when it differs from the creation's. A model whose class name another
type's components already use is named by its module too
(``myapp.models.Document``).

Every document has ``Error``, ``Meta``, ``Options`` and ``OptionsField``:
no content type (nor answer, :mod:`backrest.openapi.answers`) takes those names.

The representation holds the fields of the type's schema and ``__meta__``
(:mod:`backrest.content.representation`). It is designed to be posted back,
so every field of the schema is in it. The fields a model adds of its own (a
file's ``size``) are described as read-only, from the type's
``read_only_fields``; any other is allowed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backrest.openapi.converter import answer_schema, to_schema
from backrest.openapi.responses import URI
from backrest.security.permissions import OBJECT_PERMISSIONS

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from backrest.content.declare import ContentType

META = "Meta"
OPTIONS = "Options"
OPTIONS_FIELD = "OptionsField"
RESERVED = frozenset({"Error", META, OPTIONS, OPTIONS_FIELD})
SUFFIXES = ("", "Page", "Create", "Update")
# Request-only keywords: what the server assumes when a field is left out, which keys it refuses.
REQUEST_ONLY = ("default", "additionalProperties")

META_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Read-only: ignored when the representation is sent back.",
    "properties": {
        "id": {"type": "string"},
        "url": {**URI, "description": "The object's URL."},
        "created": {"type": "string", "format": "date-time"},
        "modified": {"type": "string", "format": "date-time"},
        "owner": {"type": "string", "nullable": True, "description": "The owner's id."},
        "version": {"type": "integer", "description": "One more at every change."},
        "permissions": {
            "type": "array",
            "items": {"type": "string", "enum": [str(permission) for permission in OBJECT_PERMISSIONS]},
            "description": "What the caller may do to the object.",
        },
    },
    "required": ["id", "url", "created", "modified", "owner", "version", "permissions"],
}


def schema_reference(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def free_name(cls: type, name: str, taken: set[str], suffixes: Iterable[str] = ("",)) -> str:
    """``name`` for the components of ``cls``, unless one it gives is taken: then the class's module and name.

    The name is added to ``taken``, with each of ``suffixes``.
    """
    if not taken.isdisjoint(name + suffix for suffix in suffixes):
        name = f"{cls.__module__}.{cls.__qualname__}"
    taken.update(name + suffix for suffix in suffixes)
    return name


def _without_defaults(schema: dict[str, Any]) -> dict[str, Any]:
    """A request schema's fields as an answer holds them: no defaults (every field is there), no refusals."""
    kept = {key: value for key, value in schema.items() if key not in REQUEST_ONLY}
    if "properties" in schema:
        kept["properties"] = {name: _without_defaults(field) for name, field in schema["properties"].items()}
    if "items" in schema:
        kept["items"] = _without_defaults(schema["items"])
    return kept


def representation_schema(
    create: dict[str, Any], read_only: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """An object as GET answers it, from the schema of its creation's body and its read-only fields."""
    represented = _without_defaults(create)
    added = {
        name: {**field, "readOnly": True} for name, field in (read_only or {}).get("properties", {}).items()
    }
    properties = {**represented["properties"], **added, "__meta__": schema_reference(META)}
    optional = set(added) - set((read_only or {}).get("required", ()))
    return {
        **represented,
        "properties": properties,
        "required": [name for name in properties if name not in optional],
    }


def page_schema(representation: str, count_limit: int) -> dict[str, Any]:
    """A list's page: as :meth:`backrest.content.listing.Listing.page` answers it."""
    link = {**URI, "nullable": True}
    return {
        "type": "object",
        "properties": {
            "count": {
                "type": "integer",
                "minimum": 0,
                "maximum": count_limit,
                "description": "How many objects match, for this caller; at most the limit "
                "(backrest.count.max), with X-Count-Exact: false when there are more.",
            },
            "next": {
                **link,
                "description": "The next page's URL, with the other parameters; null at the end.",
            },
            "previous": {**link, "description": "The previous page's URL; null on the first page."},
            "results": {"type": "array", "items": schema_reference(representation)},
        },
        "required": ["count", "next", "previous", "results"],
    }


class ContentComponents:
    """The names and schemas of one content type's components."""

    def __init__(self, content_type: ContentType, name: str, count_limit: int) -> None:
        self.representation = name
        self.page = f"{name}Page"
        create = to_schema(content_type.create_schema())
        update = to_schema(content_type.update_schema())
        fields = content_type.read_only_fields
        read_only = answer_schema(fields()) if fields is not None else None
        self.schemas: dict[str, dict[str, Any]] = {
            self.representation: representation_schema(create, read_only),
            self.page: page_schema(self.representation, count_limit),
        }
        self.bodies: dict[str, dict[str, Any]] = {}
        if not content_type.read_only:
            self.bodies[f"{name}Create"] = create
            if update != create:
                self.bodies[f"{name}Update"] = update
        self.schemas.update(self.bodies)


def component_names(content_types: Iterable[ContentType]) -> dict[str, str]:
    """The name of each type's components (by the type's name): its model's, unless already taken."""
    taken = set(RESERVED)
    return {
        content_type.name: free_name(content_type.model, content_type.model.__name__, taken, SUFFIXES)
        for content_type in content_types
    }


def content_components(
    content_types: Iterable[ContentType], settings: Mapping[str, Any]
) -> dict[str, ContentComponents]:
    """The components of each type, by the type's name."""
    types = list(content_types)
    names = component_names(types)
    limit = settings["backrest.count.max"]
    return {
        content_type.name: ContentComponents(content_type, names[content_type.name], limit)
        for content_type in types
    }
