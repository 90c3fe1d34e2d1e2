"""HTTP Basic with the account's own email and password, where ``backrest.auth.basic_password`` allows it.

A credential source of the security policy (see
:mod:`backrest.security.sources`), after the source of API keys sent as
Basic: it takes the Basic credentials whose password is not a key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import bindparam, func, select

from backrest.accounts.models import User
from backrest.security.authorization import basic_credentials
from backrest.security.sources import CredentialError, CredentialSource
from backrest.statements import Prepared
from backrest.teams.membership import caller_columns, caller_identity
from backrest.throttle import count_guess

if TYPE_CHECKING:
    from pyramid.request import Request

    from backrest.security.identity import Identity

FIND_USER = Prepared(
    select(User.password_hash, *caller_columns()).where(func.lower(User.email) == bindparam("email"))
)
"""The user, their teams and grants, in one statement."""


class PasswordBasic(CredentialSource):
    """Basic with a real password.

    Failures count as failed logins from this client: the same limit holds
    whether a password is tried on the login form or in a header.
    """

    scheme = "Basic"

    def identify(self, request: Request) -> Identity:
        username, password = basic_credentials(request)
        if not request.registry.settings["backrest.auth.basic_password"]:
            msg = "HTTP Basic takes an API key (KEYID:SECRET) as the password, not the account's password."
            raise CredentialError(msg, "Basic")
        email = username.strip().lower()
        row = FIND_USER.first(request.dbconnection, {"email": email})
        guess = count_guess(request, email, row.user_id if row else None)
        if guess.refusal is not None:
            msg = "Too many failed attempts; try again later."
            raise CredentialError(msg, "Basic")
        if not request.registry["passwords"].verify(row.password_hash if row else None, password):
            msg = "Unknown email or wrong password."
            raise CredentialError(msg, "Basic")
        guess.succeeded()
        return caller_identity(request, row)
