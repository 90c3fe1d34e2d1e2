"""The answers of the session services: an account's sessions as its owner sees them."""

from __future__ import annotations

import colander


class Session(colander.MappingSchema):
    id = colander.SchemaNode(colander.String())
    created = colander.SchemaNode(colander.DateTime())
    last_seen = colander.SchemaNode(colander.DateTime())
    ip = colander.SchemaNode(
        colander.String(),
        description="The client address, truncated (IPv4 /24, IPv6 /48); empty when it was none.",
    )
    user_agent = colander.SchemaNode(colander.String())
    current = colander.SchemaNode(colander.Boolean(), description="Whether it is the caller's session.")


class SessionList(colander.MappingSchema):
    results = colander.SequenceSchema(Session(), description="The most recently seen first.")
