"""Password resets by mail, and password changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest import audit
from backrest.accounts import mails
from backrest.accounts.models import TokenPurpose
from backrest.accounts.services.base import AccountOperations
from backrest.keys.revocation import revoke_keys_of
from backrest.oauth.grants import revoke_grants_of
from backrest.schema import normalize_email

if TYPE_CHECKING:
    from backrest.accounts.models import User
    from backrest.sessions.models import UserSession


class PasswordService(AccountOperations):
    def request_reset(self, email: str) -> None:
        email = normalize_email(email)
        self.limit("reset", self.client_key)
        self.limit("reset_account", email.lower())
        user = self.by_email(email)
        # The same UPDATE whether or not an account has the address (it
        # changes nothing without one): both answers run the same statements
        # but for the new token's INSERT.
        self.tokens.kill(user.id if user else "", (TokenPurpose.RESET,))
        if user is None:
            # As much work as for an account (a mail and an audit entry to
            # commit), so that the answer's time does not tell which it was.
            self.mail(email, mails.reset_without_account(self.link("frontend")))
            audit.record(self.request, "password_reset_requested", actor_id="")
            return
        ttl = self.settings["backrest.tokens.reset_ttl"]
        token = self.tokens.add(user, TokenPurpose.RESET, user.email, ttl)
        self.mail(user.email, mails.reset_password(self.link("reset", token), ttl / 3600))
        self.record("password_reset_requested", user.id, by_owner=True)

    def reset(self, token: str, password: str, location: str) -> None:
        found = self.tokens.find(token, (TokenPurpose.RESET,))
        if found is None or found[0].email.lower() != found[1].email.lower():
            raise self.invalid_token(location)
        account_token, user = found
        self.check_new_password(password, user.email)
        if not self.tokens.use(account_token):
            raise self.invalid_token(location)
        identity = self.request.identity
        caller_is_owner = identity is not None and identity.user_id == user.id
        changes = {"password": "changed"}
        if user.email_verified:
            self._set_password(user, password, keep=self.session if caller_is_owner else None)
            if caller_is_owner and self.session is not None:
                self.start_session(user)
        else:
            # The first proof that the address's owner holds the account:
            # whatever the account did before (maybe as someone who signed
            # up with this address) stops here, the caller's session included.
            self._set_password(user, password, keep=None)
            user.email_verified = True
            changes |= {"email_verified": "confirmed", "keys": "revoked"}
            revoke_keys_of(self.dbsession, user.id)
            if caller_is_owner:
                self.forget_caller()
        self.record("password_reset", user.id, by_owner=True, changes=changes)

    def change_password(self, current: str, password: str) -> None:
        self.verify_own_password(current, "current")
        self.check_new_password(password, self.user.email)
        self._set_password(self.user, password, keep=self.session)
        if self.session is not None:
            self.start_session(self.user)
        self.record("password_changed", self.user.id, changes={"password": "changed"})

    def _set_password(self, user: User, password: str, keep: UserSession | None) -> None:
        """New password: old tokens, every other session and every OAuth grant die; the owner is told."""
        user.password_hash = self.passwords.hash(password)
        self.tokens.kill(user.id)
        self.sessions.end_all(user, keep=keep)
        revoke_grants_of(self.dbsession, user.id)
        self.mail(user.email, mails.password_changed(self.circumstances(), self.link("reset_request")))
