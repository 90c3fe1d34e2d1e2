"""What the account endpoints do: signup, login, passwords, addresses, deletion.

No answer may tell a stranger whether an address has an account: unknown
and known addresses get the same answer, and what differs goes to the
address's owner by mail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyramid_retry import RetryableException
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from backrest import audit
from backrest.accounts import mails
from backrest.accounts.models import AccountToken, TokenPurpose, User
from backrest.accounts.tokens import AccountTokens
from backrest.db import utcnow
from backrest.errors import http_error
from backrest.schema import normalize_email
from backrest.security.policy import Identity, set_identity
from backrest.security.reauth import require_recent_password
from backrest.sessions.cookies import clear_session_cookie, session_service, set_session_cookie
from backrest.throttle import key_of, too_many

if TYPE_CHECKING:
    from pyramid.httpexceptions import HTTPException
    from pyramid.request import Request

    from backrest.sessions.models import UserSession

INVALID_TOKEN = "This link is invalid, already used or expired."
WRONG_PASSWORD = "Wrong password."


class ConcurrentSignupError(RetryableException):
    """The address was signed up by another request at the same moment."""


class AccountService:
    """The account operations for one request."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.dbsession = request.dbsession
        self.settings: dict[str, Any] = request.registry.settings
        self.passwords = request.registry["passwords"]
        self.throttle = request.registry["throttle"]
        self.tokens = AccountTokens(self.dbsession)
        self.sessions = session_service(request)

    # Helpers.

    @property
    def client(self) -> str:
        return self.request.client_addr or ""

    @property
    def user(self) -> User:
        return self.request.identity.user

    @property
    def session(self) -> UserSession | None:
        return self.request.identity.session

    def by_email(self, email: str) -> User | None:
        return self.dbsession.scalars(
            select(User).where(func.lower(User.email) == email.strip().lower())
        ).first()

    def _limit(self, scope: str, *key: str) -> None:
        decision = self.throttle.hit(scope, key_of(*key))
        if not decision.allowed:
            raise too_many(decision, scope)

    def _check_new_password(self, password: str, email: str) -> None:
        problem = self.passwords.problem(password, email)
        if problem:
            raise http_error(400, "body", "password", problem)

    def _link(self, setting: str, token: str = "") -> str:
        return self.settings[f"backrest.urls.{setting}"].replace("{token}", token)

    def _mail(self, recipient: str, mail: tuple[str, str]) -> None:
        subject, body = mail
        self.request.mail.send(recipient, subject, body)

    def _circumstances(self) -> mails.Circumstances:
        return mails.Circumstances(
            when=utcnow().strftime("%Y-%m-%d %H:%M:%S UTC"),
            ip=self.client,
            user_agent=self.request.user_agent or "",
        )

    def _invalid_token(self, location: str) -> HTTPException:
        return http_error(400, location, "token", INVALID_TOKEN)

    def _verify_own_password(self, password: str, field: str) -> None:
        """Check the caller's password, throttled like a login from this client."""
        pair = key_of(self.user.email.lower(), self.client)
        decision = self.throttle.test("login_failures", pair)
        if not decision.allowed:
            raise too_many(decision, field)
        if not self.passwords.verify(self.user.password_hash, password):
            self.throttle.hit("login_failures", pair)
            raise http_error(400, "body", field, WRONG_PASSWORD)
        if self.session is not None:
            self.sessions.reauthenticated(self.session)

    def _set_password(self, user: User, password: str, keep: UserSession | None) -> None:
        """New password: old tokens and every other session die; the owner is told."""
        user.password_hash = self.passwords.hash(password)
        self.tokens.kill(user)
        self.sessions.end_all(user, keep=keep)
        self._mail(user.email, mails.password_changed(self._circumstances(), self._link("reset_request")))

    # Signup and confirmation.

    def signup(self, email: str, password: str, firstname: str, lastname: str) -> None:
        email = normalize_email(email)
        self._limit("signup", self.client)
        self._limit("signup_account", email.lower())
        self._check_new_password(password, email)
        # Hashed whether or not the address is taken, so both answers take as long.
        password_hash = self.passwords.hash(password)
        existing = self.by_email(email)
        if existing is not None:
            if not self.settings["backrest.signup.quiet"]:
                raise http_error(400, "body", "email", "An account with this address exists.")
            self._mail(existing.email, mails.signup_existing(self._link("reset_request")))
            return
        user = User(email=email, password_hash=password_hash, firstname=firstname, lastname=lastname)
        self.dbsession.add(user)
        try:
            self.dbsession.flush()
        except IntegrityError as error:
            # Another request signed this address up since we looked: run the
            # request again, and it answers like any signup of a taken address.
            raise ConcurrentSignupError from error
        self._send_signup_confirmation(user)
        audit.record(self.request, "signup", actor_id=user.id, object_type="user", object_id=user.id)

    def _send_signup_confirmation(self, user: User) -> None:
        ttl = self.settings["backrest.tokens.confirm_ttl"]
        token = self.tokens.issue(user, TokenPurpose.SIGNUP, user.email, ttl)
        self._mail(user.email, mails.confirm_signup(self._link("confirm", token)))

    def confirm(self, token: str, location: str) -> None:
        """Confirm a signup address or an address change: the token knows which."""
        found = self.tokens.find(token, (TokenPurpose.SIGNUP, TokenPurpose.EMAIL_CHANGE))
        if found is None:
            raise self._invalid_token(location)
        account_token, user = found
        if account_token.purpose == TokenPurpose.SIGNUP:
            if account_token.email.lower() != user.email.lower():
                raise self._invalid_token(location)
            user.email_verified = True
            self.tokens.use(account_token)
            audit.record(
                self.request, "email_confirmed", actor_id=user.id, object_type="user", object_id=user.id
            )
            return
        owner = self.by_email(account_token.email)
        if owner is not None and owner.id != user.id:
            raise http_error(400, location, "token", "The new address now belongs to another account.")
        old_email = user.email
        user.email = account_token.email
        user.email_verified = True
        self.tokens.kill(user)
        audit.record(
            self.request,
            "email_changed",
            actor_id=user.id,
            object_type="user",
            object_id=user.id,
            changes={"email": [old_email, user.email]},
        )

    def resend(self, email: str) -> None:
        """A fresh confirmation link for an unconfirmed account or a pending change."""
        email = normalize_email(email)
        self._limit("resend", self.client)
        self._limit("resend_account", email.lower())
        user = self.by_email(email)
        if user is not None and not user.email_verified:
            self._send_signup_confirmation(user)
        pending = self.dbsession.execute(
            select(AccountToken, User)
            .join(User, User.id == AccountToken.user_id)
            .where(
                func.lower(AccountToken.email) == email.lower(),
                AccountToken.purpose == TokenPurpose.EMAIL_CHANGE,
                AccountToken.used.is_(None),
                AccountToken.expires > utcnow(),
            )
        ).first()
        if pending is not None:
            self._send_email_change_confirmation(pending[1], pending[0].email)

    # Sessions.

    def login(self, login: str, password: str) -> HTTPException | None:
        """Start a session, or answer the failure (returned: its audit entry must commit)."""
        self._limit("login", self.client)
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
            audit.record(
                self.request,
                "login_failed",
                actor_id=user.id if user else "",
                object_type="user" if user else "",
                object_id=user.id if user else "",
            )
            return http_error(400, "body", "login", "Unknown email or wrong password.")
        if self.passwords.needs_rehash(user.password_hash):
            user.password_hash = self.passwords.hash(password)
        self.throttle.clear("login_failures", pair)
        self._start_session(user)
        audit.record(self.request, "login", actor_id=user.id, object_type="user", object_id=user.id)
        return None

    def _start_session(self, user: User) -> None:
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
            audit.record(self.request, "logout", object_type="user", object_id=identity.user_id)
            self.sessions.end(identity.session)
        clear_session_cookie(self.request)
        set_identity(self.request, None)

    def reauthenticate(self, password: str) -> None:
        self._verify_own_password(password, "password")

    # Passwords.

    def request_reset(self, email: str) -> None:
        email = normalize_email(email)
        self._limit("reset", self.client)
        self._limit("reset_account", email.lower())
        user = self.by_email(email)
        if user is None:
            return
        ttl = self.settings["backrest.tokens.reset_ttl"]
        token = self.tokens.issue(user, TokenPurpose.RESET, user.email, ttl)
        self._mail(user.email, mails.reset_password(self._link("reset", token), ttl / 3600))
        audit.record(
            self.request, "password_reset_requested", actor_id=user.id, object_type="user", object_id=user.id
        )

    def reset(self, token: str, password: str, location: str) -> None:
        found = self.tokens.find(token, (TokenPurpose.RESET,))
        if found is None:
            raise self._invalid_token(location)
        account_token, user = found
        if account_token.email.lower() != user.email.lower():
            raise self._invalid_token(location)
        self._check_new_password(password, user.email)
        identity = self.request.identity
        keep = identity.session if identity and identity.user_id == user.id else None
        self._set_password(user, password, keep=keep)
        # The link reached the mailbox, which proves the address.
        user.email_verified = True
        audit.record(
            self.request,
            "password_reset",
            actor_id=user.id,
            object_type="user",
            object_id=user.id,
            changes={"password": "changed"},
        )

    def change_password(self, current: str, password: str) -> None:
        self._verify_own_password(current, "current")
        self._check_new_password(password, self.user.email)
        self._set_password(self.user, password, keep=self.session)
        audit.record(
            self.request,
            "password_changed",
            object_type="user",
            object_id=self.user.id,
            changes={"password": "changed"},
        )

    # Email address changes.

    def request_email_change(self, email: str, password: str) -> None:
        self._verify_own_password(password, "password")
        email = normalize_email(email)
        user = self.user
        if email.lower() == user.email.lower():
            raise http_error(400, "body", "email", "This is already your address.")
        if self.by_email(email) is not None:
            # Answered like any other change; only the address's owner learns of it.
            self._mail(email, mails.email_in_use())
            return
        self._send_email_change_confirmation(user, email)
        ttl = self.settings["backrest.tokens.confirm_ttl"]
        cancel = self.tokens.issue(user, TokenPurpose.EMAIL_CANCEL, user.email, ttl)
        self._mail(
            user.email,
            mails.email_change_requested(email, self._circumstances(), self._link("email_cancel", cancel)),
        )
        audit.record(
            self.request,
            "email_change_requested",
            object_type="user",
            object_id=user.id,
            changes={"email": [user.email, email]},
        )

    def _send_email_change_confirmation(self, user: User, email: str) -> None:
        ttl = self.settings["backrest.tokens.confirm_ttl"]
        token = self.tokens.issue(user, TokenPurpose.EMAIL_CHANGE, email, ttl)
        self._mail(email, mails.confirm_email_change(self._link("email_confirm", token)))

    def cancel_email_change(self) -> None:
        self.tokens.kill(self.user, (TokenPurpose.EMAIL_CHANGE, TokenPurpose.EMAIL_CANCEL))
        audit.record(self.request, "email_change_cancelled", object_type="user", object_id=self.user.id)

    def cancel_email_change_by_token(self, token: str) -> None:
        """Cancel the change from the "this wasn't me" link, and end every session."""
        found = self.tokens.find(token, (TokenPurpose.EMAIL_CANCEL,))
        if found is None:
            raise self._invalid_token("body")
        _, user = found
        self.tokens.kill(user, (TokenPurpose.EMAIL_CHANGE, TokenPurpose.EMAIL_CANCEL))
        self.sessions.end_all(user)
        identity = self.request.identity
        if identity is not None and identity.user_id == user.id:
            clear_session_cookie(self.request)
            set_identity(self.request, None)
        audit.record(
            self.request,
            "email_change_cancelled",
            actor_id=user.id,
            object_type="user",
            object_id=user.id,
            changes={"sessions": "ended"},
        )

    # Profile and deletion.

    def update_profile(self, data: dict[str, Any]) -> None:
        user = self.user
        before = {field: getattr(user, field) for field in User.PROFILE_FIELDS}
        user.update(data)
        changes = {
            field: [before[field], getattr(user, field)]
            for field in User.PROFILE_FIELDS
            if before[field] != getattr(user, field)
        }
        if changes:
            audit.record(
                self.request, "profile_updated", object_type="user", object_id=user.id, changes=changes
            )

    def delete_account(self) -> None:
        require_recent_password(self.request)
        user = self.user
        self._mail(user.email, mails.account_deleted(self._circumstances()))
        self.sessions.end_all(user)
        audit.record(self.request, "account_deleted", object_type="user", object_id=user.id)
        self.dbsession.delete(user)
        self.dbsession.flush()
        clear_session_cookie(self.request)
        set_identity(self.request, None)
