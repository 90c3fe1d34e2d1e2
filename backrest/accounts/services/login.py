"""Logging in and out, and renewing a session's password check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest import audit
from backrest.accounts.services.base import AccountOperations
from backrest.errors import http_error
from backrest.security.policy import Identity, set_identity
from backrest.sessions.cookies import clear_session_cookie, set_session_cookie
from backrest.throttle import key_of, too_many

if TYPE_CHECKING:
    from pyramid.httpexceptions import HTTPException

    from backrest.accounts.models import User


class LoginService(AccountOperations):
    def login(self, login: str, password: str) -> HTTPException | None:
        """Start a session, or answer the failure (returned: its audit entry must commit)."""
        self.limit("login", self.client)
        account_key = login.strip().lower()
        pair = key_of(account_key, self.client)
        decision = self.throttle.test("login_failures", pair)
        if not decision.allowed:
            raise too_many(decision, "login")
        # A stranger's failures cannot lock the owner out: the per-account cap
        # applies only to clients that have failed themselves.
        if self.throttle.used("login_failures", pair):
            decision = self.throttle.test("login_account", key_of(account_key))
            if not decision.allowed:
                raise too_many(decision, "login")
        user = self.by_email(login)
        if not self.passwords.verify(user.password_hash if user else None, password):
            self.throttle.hit("login_failures", pair)
            self.throttle.hit("login_account", key_of(account_key))
            if user is None:
                audit.record(self.request, "login_failed", actor_id="")
            else:
                self.record("login_failed", user.id, by_owner=True)
            return http_error(400, "body", "login", "Unknown email or wrong password.")
        if self.passwords.needs_rehash(user.password_hash):
            user.password_hash = self.passwords.hash(password)
        self.throttle.clear("login_failures", pair)
        self.start_session(user)
        self.record("login", user.id, by_owner=True)
        return None

    def start_session(self, user: User) -> None:
        """A new session id at every login: a planted cookie never becomes a login."""
        identity = self.request.identity
        if identity is not None and identity.session is not None:
            self.sessions.end(identity.session)
        session, token = self.sessions.start(user, self.client, self.request.user_agent or "")
        set_session_cookie(self.request, token)
        set_identity(self.request, Identity.of(user, session))

    def logout(self) -> None:
        identity = self.request.identity
        if identity is not None and identity.session is not None:
            self.record("logout", identity.user_id)
            self.sessions.end(identity.session)
        clear_session_cookie(self.request)
        set_identity(self.request, None)

    def reauthenticate(self, password: str) -> None:
        self.verify_own_password(password, "password")
