"""The bodies of the account services, and their answers."""

from __future__ import annotations

import colander

from backrest.accounts.models import EMAIL_LENGTH, NAME_LENGTH
from backrest.schema import Body, email_node, text_node


class SignupSchema(Body):
    email = email_node()
    password = text_node()
    firstname = text_node(max_length=NAME_LENGTH, missing="", title="First name")
    lastname = text_node(max_length=NAME_LENGTH, missing="", title="Last name")


class LoginSchema(Body):
    login = text_node(max_length=EMAIL_LENGTH)
    password = text_node()


class EmailSchema(Body):
    email = email_node()


class PasswordSchema(Body):
    password = text_node()


class TokenSchema(Body):
    token = text_node(max_length=200)


class ResetSchema(TokenSchema):
    password = text_node()


class PasswordChangeSchema(Body):
    current = text_node(title="Current password")
    password = text_node(title="New password")


class EmailChangeSchema(Body):
    email = email_node()
    password = text_node()


class ProfileSchema(Body):
    # "" clears a name; only a key that is absent leaves it as it is.
    firstname = text_node(max_length=NAME_LENGTH, missing=colander.drop, allow_empty=True, title="First name")
    lastname = text_node(max_length=NAME_LENGTH, missing=colander.drop, allow_empty=True, title="Last name")


# The answers of the account services.


class Success(colander.MappingSchema):
    description = "The account service did what was asked."
    status = colander.SchemaNode(colander.String(), validator=colander.OneOf(["success"]))


class LoggedIn(Success):
    csrf_token = colander.SchemaNode(
        colander.String(), description="The new session's token, for the X-CSRF-Token header."
    )


class PasswordSet(Success):
    csrf_token = colander.SchemaNode(
        colander.String(),
        missing=colander.drop,
        description="When the caller's session went on as a new one: its token, for the X-CSRF-Token header.",
    )


class LoginStatus(colander.MappingSchema):
    description = "Who the caller is: a person (their profile), a team (by its API key), or nobody."
    authenticated = colander.SchemaNode(colander.Boolean())
    csrf_token = colander.SchemaNode(
        colander.String(),
        description="The session's token, for the X-CSRF-Token header; empty without a session.",
    )
    id = colander.SchemaNode(colander.String(), missing=colander.drop, description="A person's id.")
    email = colander.SchemaNode(colander.String(), missing=colander.drop)
    email_verified = colander.SchemaNode(colander.Boolean(), missing=colander.drop)
    firstname = colander.SchemaNode(colander.String(), missing=colander.drop)
    lastname = colander.SchemaNode(colander.String(), missing=colander.drop)
    team = colander.SchemaNode(
        colander.String(), missing=colander.drop, description="The team's id, for a team's API key."
    )


class Profile(colander.MappingSchema):
    id = colander.SchemaNode(colander.String())
    email = colander.SchemaNode(colander.String())
    email_verified = colander.SchemaNode(colander.Boolean())
    firstname = colander.SchemaNode(colander.String())
    lastname = colander.SchemaNode(colander.String())
    created = colander.SchemaNode(colander.DateTime())
