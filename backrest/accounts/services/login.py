"""Logging in and out, and renewing a session's password check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest import audit
from backrest.accounts.services.base import AccountOperations
from backrest.errors import http_error
from backrest.throttle import count_guess, remember_device, too_many

if TYPE_CHECKING:
    from pyramid.httpexceptions import HTTPException

    from backrest.accounts.models import User
    from backrest.throttle.guesses import Guess


class LoginService(AccountOperations):
    def login(self, login: str, password: str) -> HTTPException | None:
        """Start a session, or answer the failure (returned: its audit entry must commit).

        The password check is counted before it is made, against the
        device's budget or the untrusted clients' (:mod:`backrest.throttle.guesses`),
        for unknown addresses as for accounts.
        """
        self.limit("login", self.client_key)
        user = self.by_email(login)
        guess = count_guess(self.request, login, user.id if user else None)
        if guess.refusal is not None:
            raise too_many(guess.refusal, "login")
        if not self.passwords.verify(user.password_hash if user else None, password):
            self.record_failure(user, guess)
            return http_error(400, "body", "login", "Unknown email or wrong password.")
        guess.succeeded()
        if self.passwords.needs_rehash(user.password_hash):
            user.password_hash = self.passwords.hash(password)
        remember_device(self.request, user.id)
        self.start_session(user)
        self.record("login", user.id, by_owner=True)
        return None

    def record_failure(self, user: User | None, guess: Guess) -> None:
        """``login_failed``, and ``login_locked`` naming each budget this failure spent."""
        if user is None:
            audit.record(self.request, "login_failed", actor_id="")
            return
        self.record("login_failed", user.id, by_owner=True)
        for budget in guess.spent():
            self.record("login_locked", user.id, by_owner=True, changes={"budget": budget})

    def logout(self) -> None:
        identity = self.request.identity
        if identity is not None and identity.session is not None:
            self.record("logout", identity.user_id)
            self.sessions.end(identity.session)
        self.forget_caller()

    def reauthenticate(self, password: str) -> None:
        self.verify_own_password(password, "password")
