"""Signing up, and confirming an address with its mailed link."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyramid_retry import RetryableException
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from backrest.accounts import mails
from backrest.accounts.models import AccountToken, TokenPurpose, User
from backrest.accounts.services.base import AccountOperations
from backrest.db import utcnow
from backrest.errors import http_error
from backrest.schema import normalize_email

if TYPE_CHECKING:
    from collections.abc import Iterable


CONFIRMATIONS = (TokenPurpose.SIGNUP, TokenPurpose.EMAIL_CHANGE)


class ConcurrentSignupError(RetryableException):
    """The address was signed up by another request at the same moment."""


class SignupService(AccountOperations):
    def signup(self, email: str, password: str, firstname: str, lastname: str) -> None:
        email = normalize_email(email)
        self.limit("signup", self.client_key)
        self.limit("signup_account", email.lower())
        self.check_new_password(password, email)
        # Hashed whether or not the address is taken, so both answers take as long.
        password_hash = self.passwords.hash(password)
        existing = self.by_email(email)
        if existing is not None:
            if not self.settings["backrest.signup.quiet"]:
                raise http_error(400, "body", "email", "An account with this address exists.")
            # Told to the owner alone, with the writes of a new account's
            # signup, so that neither the answer nor its time differs.
            self.mail(existing.email, mails.signup_existing(self.link("reset_request")))
            self.record("signup_repeated", existing.id)
            return
        user = User(email=email, password_hash=password_hash, firstname=firstname, lastname=lastname)
        self.dbsession.add(user)
        try:
            self.dbsession.flush()
        except IntegrityError as error:
            # Another request signed this address up since we looked: run the
            # request again, and it answers like any signup of a taken address.
            raise ConcurrentSignupError from error
        self.send_confirmation(user, TokenPurpose.SIGNUP, user.email)
        self.record("signup", user.id, by_owner=True)

    def confirm(self, token: str, location: str, purposes: Iterable[TokenPurpose] = CONFIRMATIONS) -> None:
        """Confirm a signup address or an address change: the token knows which.

        The path forms name their kind (``purposes``): a link mailed for one
        never works on the other's path.
        """
        account_token, user = self.spend_token(token, purposes, location)
        if account_token.purpose == TokenPurpose.SIGNUP:
            if account_token.email.lower() != user.email.lower():
                raise self.invalid_token(location)
            user.email_verified = True
            self.record("email_confirmed", user.id, by_owner=True)
            return
        owner = self.by_email(account_token.email)
        if owner is not None and owner.id != user.id:
            raise http_error(400, location, "token", "The new address now belongs to another account.")
        old_email = user.email
        user.email = account_token.email
        user.email_verified = True
        self.tokens.kill(user.id)
        self.record("email_changed", user.id, by_owner=True, changes={"email": [old_email, user.email]})

    def resend(self, email: str) -> None:
        """A fresh confirmation link for an unconfirmed account or a pending change."""
        email = normalize_email(email)
        self.limit("resend", self.client_key)
        self.limit("resend_account", email.lower())
        user = self.by_email(email)
        waiting = user is not None and not user.email_verified
        # The same UPDATE whether or not a confirmation waits (it changes
        # nothing then), so that both answers run the same statements.
        self.tokens.kill(user.id if waiting else "", (TokenPurpose.SIGNUP,))
        if waiting:
            self.send_confirmation(user, TokenPurpose.SIGNUP, user.email)
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
            self.tokens.kill(pending[1].id, (TokenPurpose.EMAIL_CHANGE,))
            self.send_confirmation(pending[1], TokenPurpose.EMAIL_CHANGE, pending[0].email)
        elif not waiting:
            # A mail all the same: an answer that commits nothing would come
            # sooner, and its time would tell that nothing waits here.
            self.mail(email, mails.nothing_to_confirm())
