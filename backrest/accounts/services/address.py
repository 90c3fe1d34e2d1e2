"""Changing the account's address, and cancelling a pending change."""

from __future__ import annotations

from backrest.accounts import mails
from backrest.accounts.models import TokenPurpose
from backrest.accounts.services.base import AccountOperations
from backrest.errors import http_error
from backrest.schema import normalize_email

PENDING_CHANGE = (TokenPurpose.EMAIL_CHANGE, TokenPurpose.EMAIL_CANCEL)


class AddressService(AccountOperations):
    def request_email_change(self, email: str, password: str) -> None:
        self.verify_own_password(password, "password")
        email = normalize_email(email)
        user = self.user
        if email.lower() == user.email.lower():
            raise http_error(400, "body", "email", "This is already your address.")
        if self.by_email(email) is not None:
            # Answered like any other change; only the address's owner learns of it.
            self.mail(email, mails.email_in_use())
            return
        self.tokens.kill(user.id, (TokenPurpose.EMAIL_CHANGE,))
        self.send_confirmation(user, TokenPurpose.EMAIL_CHANGE, email)
        ttl = self.settings["backrest.tokens.confirm_ttl"]
        cancel = self.tokens.issue(user, TokenPurpose.EMAIL_CANCEL, user.email, ttl)
        self.mail(
            user.email,
            mails.email_change_requested(email, self.circumstances(), self.link("email_cancel", cancel)),
        )
        self.record("email_change_requested", user.id, changes={"email": [user.email, email]})

    def cancel_email_change(self) -> None:
        self.tokens.kill(self.user.id, PENDING_CHANGE)
        self.record("email_change_cancelled", self.user.id)

    def cancel_email_change_by_token(self, token: str) -> None:
        """Cancel the change from the "this wasn't me" link, and end every session."""
        _, user = self.spend_token(token, (TokenPurpose.EMAIL_CANCEL,), "body")
        self.tokens.kill(user.id, PENDING_CHANGE)
        self.sessions.end_all(user)
        identity = self.request.identity
        if identity is not None and identity.user_id == user.id:
            self.forget_caller()
        self.record("email_change_cancelled", user.id, by_owner=True, changes={"sessions": "ended"})
