"""The body that makes a key, and the answers that show keys."""

from __future__ import annotations

from datetime import datetime

import colander

from backrest.db import utcnow
from backrest.keys.models import NAME_LENGTH
from backrest.schema import Body, Text, text_node

SCOPES = ("read", "write")
"""``read`` views (GET, HEAD), ``write`` creates, changes and deletes."""


def _in_the_future(node: colander.SchemaNode, value: datetime) -> None:
    if value <= utcnow():
        raise colander.Invalid(node, "A key's expiry must be in the future.")


class Scopes(colander.SequenceSchema):
    scope = colander.SchemaNode(Text(), validator=colander.OneOf(SCOPES))


class KeySchema(Body):
    name = text_node(max_length=NAME_LENGTH, missing="", allow_empty=True, description="What the key is for.")
    expires = colander.SchemaNode(
        colander.DateTime(),
        missing=None,
        validator=_in_the_future,
        description="When the key stops working (ISO 8601); none: never.",
    )
    scopes = Scopes(
        missing=list(SCOPES),
        validator=colander.Length(min=1, min_err="Give the key at least one scope."),
        description="What the key may do: read, write.",
    )


class Key(colander.MappingSchema):
    description = "An API key, without its secret."
    id = colander.SchemaNode(colander.String(), description="The KEYID of KEYID:SECRET.")
    name = colander.SchemaNode(colander.String(), description="What the key is for.")
    scopes = Scopes()
    created = colander.SchemaNode(colander.DateTime())
    expires = colander.SchemaNode(colander.DateTime(), missing=None, description="Null: never.")
    last_used = colander.SchemaNode(colander.DateTime(), missing=None, description="Null: never used.")
    created_by = colander.SchemaNode(
        colander.String(), missing=None, description="The id of its maker; null once their account is gone."
    )


class NewKey(Key):
    description = "A new API key: the only answer that holds its credential."
    key = colander.SchemaNode(
        colander.String(), description="KEYID:SECRET, for the Authorization header: shown once, kept nowhere."
    )


class KeyList(colander.MappingSchema):
    results = colander.SequenceSchema(Key(), description="The newest first.")
