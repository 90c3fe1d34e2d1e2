"""Declaring a content type once, and getting its whole REST API.

    config.add_content_type(
        name="documents",
        model=Document,
        schema=DocumentSchema,
        description="Documents with a title, a body, tags and attributes.",
        filters={"status": ("exact", "in"), "created": ("gte", "lte", "gt", "lt")},
        search=("title", "body"),
        ordering=("title", "created", "modified"),
    )

registers ``/-/documents/`` (list, create, OPTIONS) and ``/-/documents/{id}``
(read, update, delete, OPTIONS) with their permissions, schemas and OpenAPI
descriptions. The defaults of every option live in :class:`ContentType`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import colander

from backrest.content.resources import collection_factory, id_factory
from backrest.content.shares import share_services
from backrest.content.views import ContentViews
from backrest.schema import Flag
from backrest.security.permissions import Permission, Principal
from backrest.service import Service, register_services
from backrest.validation import body_validator

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pyramid.config import Configurator

    from backrest.content.models import Content


@dataclass(frozen=True)
class ContentType:
    """Everything the framework needs to know about one content type."""

    name: str
    """The collection's name in URLs: ``/-/{name}/``."""
    model: type[Content]
    schema: type[colander.SchemaNode]
    """The writable fields (a :class:`backrest.schema.Body`); ``public`` is added to it."""
    description: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Field name → lookups among ``exact``, ``in``, ``gt``, ``gte``, ``lt``, ``lte``."""
    search: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ("created", "modified")
    default_ordering: str = "-created"
    creators: tuple[str, ...] = (Principal.AUTHENTICATED,)
    """Who may create objects."""
    kind: str = "content"
    read_only: bool = False
    """Only listed and read through the API (written by the application itself)."""
    shareable: bool = True
    """Owners may make objects public: ``public`` is a field of the representation."""
    read_only_fields: type[colander.SchemaNode] | None = None
    """The fields ``__json__`` adds beyond the schema's, never sent back (a file's ``size``).

    OpenAPI describes them as read-only fields of the representation. A
    kind of content may give them for all its types
    (:func:`add_content_kind`); a type's own replace those (derive from them
    to add some)."""

    def create_schema(self) -> colander.SchemaNode:
        schema = self.schema().clone()
        if self.shareable:
            schema.add(colander.SchemaNode(Flag(), name="public", missing=False))
        return schema

    def update_schema(self) -> colander.SchemaNode:
        """Every field optional, at every depth: an update changes the keys it gives."""
        schema = self.create_schema()
        _all_optional(schema)
        return schema


def _required_text(node: colander.SchemaNode, value: str) -> None:
    if value == "":
        raise colander.Invalid(node, "Required")


def _all_optional(node: colander.SchemaNode) -> None:
    for child in node.children:
        if child.missing is colander.required and isinstance(child.typ, colander.String):
            # Leaving a required text out keeps its value; emptying it is refused.
            child.typ = type(child.typ)(allow_empty=True)
            child.validator = (
                colander.All(_required_text, child.validator) if child.validator else _required_text
            )
        child.missing = colander.drop
        if isinstance(child.typ, colander.Mapping):
            _all_optional(child)


Validator = Callable[..., None]


def content_services(
    content_type: ContentType,
    views: ContentViews | None = None,
    *,
    create_validator: Validator = body_validator,
    update_validator: Validator = body_validator,
    create_options: Mapping[str, Any] | None = None,
    update_options: Mapping[str, Any] | None = None,
    **write_options: Any,
) -> tuple[Service, Service]:
    """The collection's and the item's services.

    ``write_options`` go to the views that take a body (POST, PUT, PATCH);
    ``create_options`` to POST only, ``update_options`` to PUT and PATCH.
    """
    views = views or ContentViews(content_type)
    name = content_type.name
    collection = Service(
        f"content.{name}",
        f"/-/{name}/",
        content_type.description,
        factory=collection_factory(content_type),
    )
    item = Service(
        f"content.{name}.item",
        f"/-/{name}/{{id}}",
        f"One of {name}.",
        factory=id_factory(content_type.model),
    )
    collection.add_view("GET", views.list, permission=Permission.VIEW)
    item.add_view("GET", views.get, permission=Permission.VIEW)
    if not content_type.read_only:
        create = {
            "schema": content_type.create_schema(),
            "validators": (create_validator,),
            "success_status": 201,
            **write_options,
            **(create_options or {}),
        }
        update = {
            "schema": content_type.update_schema(),
            "validators": (update_validator,),
            **write_options,
            **(update_options or {}),
        }
        collection.add_view("POST", views.create, permission=Permission.CREATE, **create)
        item.add_view("PUT", views.update, permission=Permission.EDIT, **update)
        item.add_view("PATCH", views.update, permission=Permission.EDIT, **update)
        item.add_view("DELETE", views.delete, permission=Permission.DELETE)
    for service in (collection, item):
        with_options(service, content_type)
    return collection, item


def with_options(service: Service, content_type: ContentType) -> None:
    """Mark ``service`` as one of ``content_type``'s: its OPTIONS answer names the type."""
    service.content_type = content_type


ServicesBuilder = Callable[["ContentType"], Iterable[Service]]


@dataclass(frozen=True)
class ContentKind:
    name: str
    services: ServicesBuilder
    read_only_fields: type[colander.SchemaNode] | None = None


def add_content_kind(
    config: Configurator,
    base: type[Content],
    kind: str,
    services: ServicesBuilder,
    read_only_fields: type[colander.SchemaNode] | None = None,
) -> None:
    """The ``config.add_content_kind(...)`` directive: types whose model derives from ``base`` are ``kind``.

    Their services are what ``services(content_type)`` builds instead of
    :func:`content_services` (files add their data's service, for example);
    ``read_only_fields`` are what ``base.__json__`` adds for every one of them.
    """
    config.registry.setdefault("backrest.content_kinds", {})[base] = ContentKind(
        kind, services, read_only_fields
    )


def _with_kind(content_type: ContentType, kind: ContentKind) -> ContentType:
    """``content_type`` of ``kind``: with the kind's read-only fields, unless it gives its own."""
    return replace(
        content_type, kind=kind.name, read_only_fields=content_type.read_only_fields or kind.read_only_fields
    )


def add_content_type(config: Configurator, content_type: ContentType | None = None, **options: Any) -> None:
    """The ``config.add_content_type(...)`` directive: a declaration, or its options."""
    content_type = content_type or ContentType(**options)
    registry = config.registry
    build: ServicesBuilder = content_services
    kinds = registry.get("backrest.content_kinds", {})
    base = next((base for base in content_type.model.__mro__ if base in kinds), None)
    if base is not None:
        build = kinds[base].services
        content_type = _with_kind(content_type, kinds[base])
    registry.setdefault("backrest.content_types", {})[content_type.name] = content_type
    registry.setdefault("backrest.content_types_by_model", {})[content_type.model] = content_type
    register_services(config, *build(content_type))
    if content_type.shareable and not content_type.read_only:
        register_services(config, *share_services(content_type, ContentViews(content_type)))
