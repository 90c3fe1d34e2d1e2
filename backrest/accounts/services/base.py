"""What every account operation shares: the request's tools, mail, audit, checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from backrest import audit
from backrest.accounts import mails
from backrest.accounts.models import AccountToken, TokenPurpose, User
from backrest.accounts.tokens import AccountTokens
from backrest.errors import http_error
from backrest.security.identity import Identity, set_identity
from backrest.sessions.cookies import clear_session_cookie, session_service, set_session_cookie
from backrest.throttle import client_key, count_guess, key_of, too_many

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pyramid.httpexceptions import HTTPException
    from pyramid.request import Request

    from backrest.sessions.models import UserSession

INVALID_TOKEN = "This link is invalid, already used or expired."
WRONG_PASSWORD = "Wrong password."


class AccountOperations:
    """The tools of one request that the account operations share."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.dbsession = request.dbsession
        self.settings: dict[str, Any] = request.registry.settings
        self.passwords = request.registry["passwords"]
        self.throttle = request.registry["throttle"]
        self.tokens = AccountTokens(self.dbsession)
        self.sessions = session_service(request)

    @property
    def client(self) -> str:
        return self.request.client_addr or ""

    @property
    def client_key(self) -> str:
        """The client as the throttles count it: an IPv6 client by its /64."""
        return client_key(self.client)

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

    def limit(self, scope: str, *key: str) -> None:
        decision = self.throttle.hit(scope, key_of(*key))
        if not decision.allowed:
            raise too_many(decision, scope)

    def check_new_password(self, password: str, email: str) -> None:
        problem = self.passwords.problem(password, email)
        if problem:
            raise http_error(400, "body", "password", problem)

    def link(self, setting: str, token: str = "") -> str:
        return self.settings[f"backrest.urls.{setting}"].replace("{token}", token)

    def mail(self, recipient: str, mail: tuple[str, str]) -> None:
        subject, body = mail
        self.request.mail.send(recipient, subject, body)

    def circumstances(self) -> mails.Circumstances:
        return mails.Circumstances.of(self.request)

    def record(
        self, action: str, user_id: str, *, by_owner: bool = False, changes: dict[str, Any] | None = None
    ) -> None:
        """An audit entry about an account; ``by_owner`` names its owner as the actor.

        Without ``by_owner`` the actor is whoever is authenticated, which for
        the anonymous steps of a flow (a link opened on another device) is
        nobody; with it, the account's owner acted, as a mailed link proves.
        """
        audit.record(
            self.request,
            action,
            actor_id=user_id if by_owner else None,
            object_type="user",
            object_id=user_id,
            changes=changes,
        )

    def start_session(self, user: User) -> None:
        """A new session, and a new cookie value, for the caller.

        Every login and password change makes one: a cookie value planted or
        seen before it never names the new session.
        """
        identity = self.request.identity
        if identity is not None and identity.session is not None:
            self.sessions.end(identity.session)
        session, token = self.sessions.start(user, self.client, self.request.user_agent or "")
        set_session_cookie(self.request, token)
        set_identity(self.request, Identity.of(user, session))

    def forget_caller(self) -> None:
        """The rest of the request is anonymous, and the browser drops its cookie."""
        clear_session_cookie(self.request)
        set_identity(self.request, None)

    def invalid_token(self, location: str) -> HTTPException:
        return http_error(400, location, "token", INVALID_TOKEN)

    def spend_token(
        self, token: str, purposes: Iterable[TokenPurpose], location: str
    ) -> tuple[AccountToken, User]:
        """The live token of one of ``purposes`` and its user, spent; else a 400 on ``token``."""
        found = self.tokens.find(token, purposes)
        if found is None or not self.tokens.use(found[0]):
            raise self.invalid_token(location)
        return found

    def verify_own_password(self, password: str, field: str) -> None:
        """Check the caller's password, counted as a login's from this device or client is."""
        guess = count_guess(self.request, self.user.email, self.user.id)
        if guess.refusal is not None:
            raise too_many(guess.refusal, field)
        if not self.passwords.verify(self.user.password_hash, password):
            raise http_error(400, "body", field, WRONG_PASSWORD)
        guess.succeeded()
        if self.session is not None:
            self.sessions.reauthenticated(self.session)

    def send_confirmation(self, user: User, purpose: TokenPurpose, email: str) -> None:
        """Mail ``email`` a link that confirms it for ``user``: a signup's or an address change's.

        Older links of the same purpose stay: callers kill them first where
        there may be some (there are none for a new account).
        """
        ttl = self.settings["backrest.tokens.confirm_ttl"]
        token = self.tokens.add(user, purpose, email, ttl)
        if purpose == TokenPurpose.SIGNUP:
            self.mail(email, mails.confirm_signup(self.link("confirm", token)))
        else:
            self.mail(email, mails.confirm_email_change(self.link("email_confirm", token)))
