"""An account made by an operator rather than by signup: the first admin of a deployment, say.

The account is confirmed at once (nobody waits for a mail), and meets
signup's rules: a valid address, a password signup would accept. An address
that has an account is an error, never an update of that account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from backrest import audit
from backrest.accounts.models import User
from backrest.schema import normalize_email
from backrest.scripts import CommandError

if TYPE_CHECKING:
    from pyramid.request import Request


def checked_email(email: str) -> str:
    """The address as signup stores it; refused when it is not one."""
    try:
        return normalize_email(email)
    except ValueError as error:
        msg = f"not a valid email address: {error}"
        raise CommandError(msg) from error


def create_account(request: Request, email: str, password: str, *, admin: bool) -> User:
    """Add the confirmed account, and its audit entry, to ``request``'s transaction.

    The entry names no actor: an operator on the command line has no account.
    """
    passwords = request.registry["passwords"]
    problem = passwords.problem(password, email)
    if problem:
        raise CommandError(problem)
    user = User(email=email, password_hash=passwords.hash(password), email_verified=True, is_admin=admin)
    request.dbsession.add(user)
    try:
        # The unique index on the lowercased address decides, in this same
        # transaction: no window for a signup between a look and the insert.
        request.dbsession.flush()
    except IntegrityError as error:
        msg = f"an account with the address {email} exists"
        raise CommandError(msg) from error
    audit.record(
        request, "account_created", object_type="user", object_id=user.id, changes={"is_admin": admin}
    )
    return user
