"""The body of an application: each field on its own (the rules across fields are in ``client_rules``).

And the answers about applications: a new secret, the grants a user gave.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import colander

from backrest.keys.schemas import SCOPES
from backrest.oauth import redirect_uris
from backrest.oauth.models import (
    AUTHORIZATION_CODE,
    CLIENT_TYPES,
    CONFIDENTIAL,
    GRANT_TYPES,
    NAME_LENGTH,
    REFRESH_TOKEN,
)
from backrest.schema import Body, Text, text_node

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

DESCRIPTION_LENGTH = 10_000
MAX_REDIRECT_URIS = 20
DEFAULT_GRANT_TYPES = (AUTHORIZATION_CODE, REFRESH_TOKEN)


def _redirect_uri(node: colander.SchemaNode, value: str) -> None:
    problem = redirect_uris.problem(value)
    if problem is not None:
        raise colander.Invalid(node, problem)


def _no_repeats(node: colander.SchemaNode, values: list[str]) -> None:
    """Each URI once: a repeated one is reported where it repeats (``redirect_uris.3``)."""
    error = colander.Invalid(node)
    seen = set()
    for position, value in enumerate(values):
        if value in seen:
            error.add(colander.Invalid(node.children[0], "Listed already."), position)
        seen.add(value)
    if error.children:
        raise error


def _as_set_in_order_of(choices: Sequence[str]) -> Callable[[Any], Any]:
    """A list of choices read as a set: each once, in the order of ``choices``, however sent."""

    def prepare(values: Any) -> Any:
        if not isinstance(values, list):
            return values  # not given (colander.null)
        return [choice for choice in choices if choice in values]

    return prepare


def _choices_node(
    name: str, choices: Sequence[str], default: Sequence[str], description: str
) -> colander.SchemaNode:
    return colander.SchemaNode(
        colander.Sequence(),
        colander.SchemaNode(Text(), name=name, validator=colander.OneOf(choices)),
        preparer=_as_set_in_order_of(choices),
        validator=colander.Length(min=1, min_err=f"Give at least one of {', '.join(choices)}."),
        missing=tuple(default),
        description=description,
    )


class ApplicationSchema(Body):
    name = text_node(
        max_length=NAME_LENGTH, description="The name users see when they are asked for consent."
    )
    description = text_node(max_length=DESCRIPTION_LENGTH, missing="", allow_empty=True)
    client_type = colander.SchemaNode(
        Text(),
        validator=colander.OneOf(CLIENT_TYPES),
        missing=CONFIDENTIAL,
        description="confidential (keeps a secret: a server) or public (cannot: a single-page "
        "or native app). Set once, at creation.",
    )
    redirect_uris = colander.SchemaNode(
        colander.Sequence(),
        colander.SchemaNode(
            Text(),
            name="redirect_uri",
            validator=colander.All(colander.Length(max=redirect_uris.MAX_LENGTH), _redirect_uri),
        ),
        validator=colander.All(colander.Length(max=MAX_REDIRECT_URIS), _no_repeats),
        missing=(),
        description="Where users are sent back, matched exactly: https, http on a loopback address, "
        "or a native app's private-use scheme (com.example.app:/callback).",
    )
    grant_types = _choices_node(
        "grant_type",
        GRANT_TYPES,
        DEFAULT_GRANT_TYPES,
        "How the application gets tokens; password only for confidential clients.",
    )
    scopes = _choices_node("scope", SCOPES, SCOPES, "The most its tokens may do: read, write.")


class ApplicationIdentity(colander.MappingSchema):
    """What an application's representation adds to its fields: the id its clients send."""

    client_id = colander.SchemaNode(colander.String(), description="The client_id of OAuth2 requests.")


class ClientSecret(colander.MappingSchema):
    client_secret = colander.SchemaNode(
        colander.String(), description="The confidential client's new secret: shown once, kept nowhere."
    )


class AuthorizedApplication(colander.MappingSchema):
    client_id = colander.SchemaNode(colander.String())
    name = colander.SchemaNode(colander.String())


class Authorization(colander.MappingSchema):
    description = "An application a user allowed to act for them (an OAuth2 grant)."
    id = colander.SchemaNode(colander.String())
    application = AuthorizedApplication()
    scopes = colander.SequenceSchema(
        colander.SchemaNode(colander.String(), name="scope"), description="What its tokens may do."
    )
    created = colander.SchemaNode(colander.DateTime())
    last_used = colander.SchemaNode(colander.DateTime(), missing=None, description="Null: never used.")


class AuthorizationList(colander.MappingSchema):
    results = colander.SequenceSchema(Authorization(), description="The newest first.")
