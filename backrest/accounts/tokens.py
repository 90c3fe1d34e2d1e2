"""Issuing, finding and killing the single-use tokens mailed to users."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update

from backrest.accounts.models import AccountToken, TokenPurpose, User
from backrest.db import utcnow
from backrest.security.tokens import new_token, spend_once, token_hash

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.orm import Session


class AccountTokens:
    def __init__(self, dbsession: Session) -> None:
        self.dbsession = dbsession

    def issue(self, user: User, purpose: TokenPurpose, email: str, ttl: int) -> str:
        """A new token (the only copy of it); older ones of the same purpose die."""
        self.kill(user.id, (purpose,))
        return self.add(user, purpose, email, ttl)

    def add(self, user: User, purpose: TokenPurpose, email: str, ttl: int) -> str:
        """A new token, beside the live ones."""
        token = new_token()
        # One INSERT statement, without the unit of work: the cheaper a
        # token, the less an answer that makes one differs from one that does not.
        self.dbsession.execute(
            insert(AccountToken).values(
                token_hash=token_hash(token),
                user_id=user.id,
                purpose=purpose,
                email=email,
                created=utcnow(),
                expires=utcnow() + timedelta(seconds=ttl),
            )
        )
        return token

    def find(self, token: str, purposes: Iterable[TokenPurpose]) -> tuple[AccountToken, User] | None:
        """The live token and its user, or ``None`` for unknown, used or expired tokens."""
        row = self.dbsession.execute(
            select(AccountToken, User)
            .join(User, User.id == AccountToken.user_id)
            .where(
                AccountToken.token_hash == token_hash(token),
                AccountToken.purpose.in_(list(purposes)),
                AccountToken.used.is_(None),
                AccountToken.expires > utcnow(),
            )
        ).first()
        return (row[0], row[1]) if row else None

    def pending(self, user: User, purpose: TokenPurpose) -> AccountToken | None:
        return self.dbsession.scalars(
            select(AccountToken).where(
                AccountToken.user_id == user.id,
                AccountToken.purpose == purpose,
                AccountToken.used.is_(None),
                AccountToken.expires > utcnow(),
            )
        ).first()

    def use(self, token: AccountToken) -> bool:
        """Spend ``token``; ``False`` when another request spent it first."""
        return spend_once(self.dbsession, AccountToken, token.id)

    def kill(self, user_id: str, purposes: Iterable[TokenPurpose] = tuple(TokenPurpose)) -> None:
        """Every outstanding token of the user for ``purposes`` stops working."""
        self.dbsession.execute(
            update(AccountToken)
            .where(
                AccountToken.user_id == user_id,
                AccountToken.purpose.in_(list(purposes)),
                AccountToken.used.is_(None),
            )
            .values(used=utcnow()),
            execution_options={"synchronize_session": False},
        )
