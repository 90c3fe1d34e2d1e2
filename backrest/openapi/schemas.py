"""The contract's error shape as a colander schema, documented as the ``Error`` component."""

from __future__ import annotations

import colander

from backrest.errors import LOCATIONS


class ErrorDetail(colander.MappingSchema):
    location = colander.SchemaNode(
        colander.String(), validator=colander.OneOf(sorted(LOCATIONS)), description="Where the error is."
    )
    name = colander.SchemaNode(
        colander.String(),
        missing=None,
        description="The field, parameter or header at fault, dotted for nested fields (address.city).",
    )
    description = colander.SchemaNode(colander.String(), description="What is wrong, for a person.")


class ErrorList(colander.SequenceSchema):
    error = ErrorDetail()


class ErrorSchema(colander.MappingSchema):
    status = colander.SchemaNode(colander.String(), validator=colander.OneOf(["error"]))
    errors = ErrorList()
    request_id = colander.SchemaNode(
        colander.String(),
        missing=colander.drop,
        description="With a 500: the request id to quote, also in the server log.",
    )
