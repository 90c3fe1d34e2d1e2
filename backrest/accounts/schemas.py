"""The bodies of the account services."""

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
