"""What the contract says of each content type's operations (API sections 3 to 8), as :class:`Additions`.

A service belongs to the content type whose URL it is under
(``/-/documents/...``), which names its tag. The type's collection
(``/-/{name}/``), items (``/-/{name}/{id}``) and, for files, their data
(``/-/{name}/{id}/data``) answer as the contract says: pages and
representations of the type's components, in each format ``format`` chooses,
their validators (``ETag``, ``Last-Modified``) and 304s, ``If-Match`` and its
412 (428 where ``backrest.require_if_match`` is set) on writes, a list's
parameters; sharing an object anew is a 201. Every service under the type
knows its representation's name, for the answers that are one
(``answers_representation``, :mod:`backrest.openapi.options`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from backrest.openapi import conditional
from backrest.openapi.components import content_components, schema_reference
from backrest.openapi.headers import header, shared
from backrest.openapi.listing import FORMAT, FORMAT_MEDIA_TYPES, PAGE_HEADERS, list_parameters
from backrest.openapi.operations import NOTHING, Additions, openapi_path
from backrest.openapi.responses import URI, success_response

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pyramid.registry import Registry

    from backrest.content.declare import ContentType
    from backrest.openapi.components import ContentComponents
    from backrest.service import Service

READS = frozenset({"GET", "HEAD"})
CHANGES = frozenset({"PUT", "PATCH"})
# The parts of a content type's URLs after /-/{name}/, as OpenAPI paths.
COLLECTION, ITEM, DATA, SHARE = "", "{id}", "{id}/data", "{id}/shares/{team_id}"

BINARY = {"type": "string", "format": "binary"}
OCTETS = "application/octet-stream"
CREATED_HEADERS = {
    "Location": header("The new object's URL.", URI),
    **shared("ETag"),
}
DATA_HEADERS = {
    **conditional.VALIDATORS,
    "Content-Disposition": header("attachment, with the file's name (RFC 6266)."),
    "Accept-Ranges": header(
        "bytes: Range may ask for parts of the data.", {"type": "string", "enum": ["bytes"]}
    ),
}
RANGES = (
    conditional.header_parameter("Range", "The parts of the data to send (bytes=0-99): a 206, or a 416."),
    conditional.header_parameter(
        "If-Range", "Send the parts only if the data's ETag or date is still this one."
    ),
)
PARTIAL = {
    "206": success_response(
        206,
        BINARY,
        OCTETS,
        with_body=True,
        headers={"Content-Range": header("Which part of the data this is, and the whole size.")},
    )
}

# Sharing again what is shared already is a 200; a new share, a 201.
SHARED_ANEW = (201,)


class ContentDescriptions:
    """The additions to every operation of the registered content types."""

    def __init__(self, registry: Registry) -> None:
        settings = registry.settings
        self.types: list[ContentType] = list(registry.get("backrest.content_types", {}).values())
        self.components = content_components(self.types, settings)
        self.settings = settings
        self.require_if_match: bool = settings["backrest.require_if_match"]

    def schemas(self) -> dict[str, dict[str, Any]]:
        """Every type's named schemas."""
        return {name: schema for found in self.components.values() for name, schema in found.schemas.items()}

    def tags(self) -> list[dict[str, str]]:
        """A tag per type, with its description."""
        return [
            {"name": content_type.name, "description": content_type.description}
            if content_type.description
            else {"name": content_type.name}
            for content_type in self.types
        ]

    def additions(self, service: Service, method: str) -> Additions:
        """What the operation of ``method`` on ``service`` has as one of a content type's."""
        path = openapi_path(service.path)
        for content_type in self.types:
            prefix = f"/-/{content_type.name}/"
            if path.startswith(prefix):
                additions = self._of(content_type, path.removeprefix(prefix), method)
                return replace(additions, representation=self.components[content_type.name].representation)
        return NOTHING

    def _of(self, content_type: ContentType, place: str, method: str) -> Additions:
        components = self.components[content_type.name]
        tags = (content_type.name,)
        if place == COLLECTION and method in READS:
            return self._read(
                tags,
                schema_reference(components.page),
                {**conditional.VALIDATORS, **PAGE_HEADERS},
                parameters=list_parameters(content_type, self.settings),
                media_types=FORMAT_MEDIA_TYPES,
                # A page past the last one is a 404.
                error_statuses=frozenset({404}),
            )
        if place == COLLECTION and method == "POST":
            return Additions(
                tags,
                response_schema=schema_reference(components.representation),
                headers=CREATED_HEADERS,
                schemas=components.bodies,
            )
        if place == ITEM and method in READS:
            return self._read(
                tags,
                schema_reference(components.representation),
                conditional.VALIDATORS,
                parameters=[FORMAT],
                media_types=FORMAT_MEDIA_TYPES,
            )
        if place in {ITEM, DATA} and (method in CHANGES or method == "DELETE"):
            return self._write(tags, components, with_body=method != "DELETE")
        if place == DATA and method in READS:
            # A part of the data has a body: a HEAD's has none.
            partial = PARTIAL if method == "GET" else {}
            return self._read(tags, BINARY, DATA_HEADERS, parameters=RANGES, responses=partial)
        return Additions(tags, other_successes=SHARED_ANEW if (place, method) == (SHARE, "PUT") else ())

    @staticmethod
    def _read(
        tags: tuple[str, ...],
        schema: dict[str, Any],
        headers: dict[str, Any],
        *,
        parameters: Iterable[dict[str, Any]],
        media_types: tuple[str, ...] = (),
        responses: dict[str, Any] | None = None,
        error_statuses: frozenset[int] = frozenset(),
    ) -> Additions:
        """A read: its validators, and the 304 that revalidation answers, with them."""
        return Additions(
            tags,
            parameters=(*parameters, *conditional.REVALIDATION),
            response_schema=schema,
            headers=headers,
            media_types=media_types,
            responses={**conditional.not_modified(headers), **(responses or {})},
            error_statuses=error_statuses,
        )

    def _write(self, tags: tuple[str, ...], components: ContentComponents, *, with_body: bool) -> Additions:
        """A change or a deletion of one object, checked against ``If-Match``."""
        checked = {
            "parameters": (conditional.if_match(required=self.require_if_match),),
            "error_statuses": conditional.precondition_statuses(required=self.require_if_match),
        }
        if not with_body:
            return Additions(tags, **checked)
        return Additions(
            tags,
            response_schema=schema_reference(components.representation),
            headers=shared("ETag"),
            schemas=components.bodies,
            **checked,
        )
