"""The texts of every account mail. Each function returns ``(subject, body)``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from backrest.db import utcnow

if TYPE_CHECKING:
    from pyramid.request import Request

SIGNATURE = "\n\n-- \nThis mail was sent automatically; replies are not read.\n"


@dataclass(frozen=True)
class Circumstances:
    """When and from where a security-relevant change was made."""

    when: str
    ip: str
    user_agent: str

    @classmethod
    def of(cls, request: Request) -> Circumstances:
        """Now, from the request's client."""
        return cls(
            when=utcnow().strftime("%Y-%m-%d %H:%M:%S UTC"),
            ip=request.client_addr or "",
            user_agent=request.user_agent or "",
        )

    def describe(self) -> str:
        return (
            f"When: {self.when}\n"
            f"From address: {self.ip or 'unknown'}\n"
            f"Browser or client: {self.user_agent or 'unknown'}"
        )


def confirm_signup(link: str) -> tuple[str, str]:
    return (
        "Confirm your email address",
        "Welcome! Please confirm your email address by opening this link:\n\n"
        f"{link}\n\nIf you did not sign up, ignore this mail." + SIGNATURE,
    )


def signup_existing(reset_link: str) -> tuple[str, str]:
    return (
        "Someone tried to sign up with your address",
        "Someone tried to create an account with this email address, which "
        "already has one. If it was you and you forgot your password, you can "
        f"set a new one here:\n\n{reset_link}\n\nOtherwise, ignore this mail." + SIGNATURE,
    )


def reset_password(link: str, hours: float) -> tuple[str, str]:
    return (
        "Set a new password",
        "Someone asked to reset the password of the account with this address. "
        f"To set a new password, open this link within {hours:g} hours:\n\n{link}\n\n"
        "The link works once. If you did not ask for it, ignore this mail; "
        "your password stays as it is." + SIGNATURE,
    )


def reset_without_account(frontend: str) -> tuple[str, str]:
    return (
        "Set a new password",
        "Someone asked to reset the password of an account with this address, "
        "but no account has this address. If it was you, you may have signed up "
        f"with another address, or you can sign up here:\n\n{frontend}\n\n"
        "Otherwise, ignore this mail." + SIGNATURE,
    )


def nothing_to_confirm() -> tuple[str, str]:
    return (
        "Confirm your email address",
        "Someone asked for a new link to confirm this email address, but nothing "
        "waits for its confirmation: either it is confirmed already, or no "
        "account uses it. If it was not you, ignore this mail." + SIGNATURE,
    )


def password_changed(circumstances: Circumstances, reset_link: str) -> tuple[str, str]:
    return (
        "Your password was changed",
        "The password of your account was changed and every other session was "
        f"ended.\n\n{circumstances.describe()}\n\nIf this was not you, reset your "
        f"password now: {reset_link}" + SIGNATURE,
    )


def confirm_email_change(link: str) -> tuple[str, str]:
    return (
        "Confirm your new email address",
        "Please confirm that this is the new address of your account by "
        f"opening this link:\n\n{link}\n\nIf you did not ask for this, ignore this mail." + SIGNATURE,
    )


def email_change_requested(new_email: str, circumstances: Circumstances, cancel_link: str) -> tuple[str, str]:
    return (
        "Your email address is about to change",
        f"Someone asked to change the address of your account to {new_email}. "
        "Nothing changes until the new address is confirmed.\n\n"
        f"{circumstances.describe()}\n\nIf this wasn't you, cancel the change and "
        f"end every session of your account here:\n\n{cancel_link}" + SIGNATURE,
    )


def email_in_use() -> tuple[str, str]:
    return (
        "This address already has an account",
        "Someone asked to move an account to this email address, but it already "
        "belongs to an account, so nothing was changed. If it was you, log in "
        "with this address instead." + SIGNATURE,
    )


def account_deleted(circumstances: Circumstances) -> tuple[str, str]:
    return (
        "Your account was deleted",
        "Your account and its sessions were deleted.\n\n"
        f"{circumstances.describe()}\n\nIf this was not you, contact the site's support." + SIGNATURE,
    )


def oauth_authorized(
    application: str, scopes: list[tuple[str, str]], circumstances: Circumstances
) -> tuple[str, str]:
    allowed = "\n".join(f"- {description}" for _scope, description in scopes)
    return (
        f"You allowed {application} to use your account",
        f"You allowed the application {application!r} to act for you. It may:\n{allowed}\n\n"
        f"{circumstances.describe()}\n\n"
        "If this was not you, revoke its access among your authorized applications, "
        "change your password and end your other sessions." + SIGNATURE,
    )


def key_created(name: str, team: str | None, circumstances: Circumstances) -> tuple[str, str]:
    whose = f"for the team {team!r}" if team else "for your account"
    return (
        "A new API key was made",
        f"A new API key named {name!r} was made {whose}.\n\n{circumstances.describe()}\n\n"
        "If this was not you, revoke the key, change your password and end your "
        "other sessions." + SIGNATURE,
    )
