"""Password resets by mail, and password changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest.accounts import mails
from backrest.accounts.models import TokenPurpose
from backrest.accounts.services.base import AccountOperations
from backrest.schema import normalize_email

if TYPE_CHECKING:
    from backrest.accounts.models import User
    from backrest.sessions.models import UserSession


class PasswordService(AccountOperations):
    def request_reset(self, email: str) -> None:
        email = normalize_email(email)
        self.limit("reset", self.client)
        self.limit("reset_account", email.lower())
        user = self.by_email(email)
        if user is None:
            return
        ttl = self.settings["backrest.tokens.reset_ttl"]
        token = self.tokens.issue(user, TokenPurpose.RESET, user.email, ttl)
        self.mail(user.email, mails.reset_password(self.link("reset", token), ttl / 3600))
        self.record("password_reset_requested", user.id, by_owner=True)

    def reset(self, token: str, password: str, location: str) -> None:
        found = self.tokens.find(token, (TokenPurpose.RESET,))
        if found is None:
            raise self.invalid_token(location)
        account_token, user = found
        if account_token.email.lower() != user.email.lower():
            raise self.invalid_token(location)
        self.check_new_password(password, user.email)
        identity = self.request.identity
        keep = identity.session if identity and identity.user_id == user.id else None
        self._set_password(user, password, keep=keep)
        # The link reached the mailbox, which proves the address.
        user.email_verified = True
        self.record("password_reset", user.id, by_owner=True, changes={"password": "changed"})

    def change_password(self, current: str, password: str) -> None:
        self.verify_own_password(current, "current")
        self.check_new_password(password, self.user.email)
        self._set_password(self.user, password, keep=self.session)
        self.record("password_changed", self.user.id, changes={"password": "changed"})

    def _set_password(self, user: User, password: str, keep: UserSession | None) -> None:
        """New password: old tokens and every other session die; the owner is told."""
        user.password_hash = self.passwords.hash(password)
        self.tokens.kill(user)
        self.sessions.end_all(user, keep=keep)
        self.mail(user.email, mails.password_changed(self.circumstances(), self.link("reset_request")))
