"""The answers of discovery: the API root, the heartbeat and the version."""

from __future__ import annotations

from typing import Any

import colander

from backrest.openapi.responses import URI

LINK: dict[str, Any] = {
    "type": "object",
    "properties": {"url": URI, "description": {"type": "string"}},
    "required": ["url", "description"],
}

ROOT: dict[str, Any] = {
    "type": "object",
    "description": "Every collection, service and method of the API, by its name.",
    "properties": {
        "collections": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    **LINK["properties"],
                    "kind": {"type": "string", "description": "content, file, team, application, log..."},
                },
                "required": [*LINK["required"], "kind"],
            },
        },
        "services": {
            "type": "object",
            "additionalProperties": LINK,
            "description": "The services whose URL has no parameter.",
        },
        "methods": {
            "type": "object",
            "additionalProperties": LINK,
            "description": "The typed methods, by group.name.",
        },
    },
    "required": ["collections", "services", "methods"],
}
"""A JSON schema: colander has no mapping of any keys."""

WORKS = colander.OneOf(["ok"])


class HeartbeatChecks(colander.MappingSchema):
    database = colander.SchemaNode(colander.String(), validator=WORKS)
    files = colander.SchemaNode(colander.String(), validator=WORKS, description="The file storage.")
    redis = colander.SchemaNode(
        colander.String(), validator=WORKS, missing=colander.drop, description="Where Redis is configured."
    )
    replica = colander.SchemaNode(
        colander.String(),
        validator=colander.OneOf(["ok", "degraded"]),
        missing=colander.drop,
        description=(
            "Where a read replica is configured: degraded while it does not answer, "
            "its reads served by the primary."
        ),
    )


class Heartbeat(colander.MappingSchema):
    description = "Every part works; a part that does not makes the answer a 503 (a read replica excepted)."
    status = colander.SchemaNode(colander.String(), validator=WORKS)
    checks = HeartbeatChecks()


class Version(colander.MappingSchema):
    name = colander.SchemaNode(colander.String(), validator=colander.OneOf(["backrest"]))
    version = colander.SchemaNode(colander.String())
