"""Password hashing (argon2id) and the rules a new password must meet."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from argon2 import PasswordHasher

GUESSABLE_SCORE = 2
"""zxcvbn scores below this mean under a million guesses: common passwords glued
together (``qwertyuiopasdfgh``), repeats, sequences and keyboard walks."""
ZXCVBN_MAX_LENGTH = 72
"""zxcvbn refuses longer input (its cost grows fast): a longer password is judged by its start."""


# zxcvbn is imported when a password is first judged: its word lists cost
# 13 MB to every process, and most requests set no password.


@functools.cache
def common_passwords() -> frozenset[str]:
    """The 30 000 most common passwords, as zxcvbn ranks them."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # noqa: PLC0415

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_guessable(password: str) -> bool:
    """Whether zxcvbn finds ``password`` made of common words and patterns."""
    from zxcvbn import zxcvbn  # noqa: PLC0415

    return zxcvbn(password[:ZXCVBN_MAX_LENGTH])["score"] < GUESSABLE_SCORE


@dataclass
class Passwords:
    """Hashes, verifies and judges passwords with the site's settings."""

    time_cost: int
    memory_cost: int
    parallelism: int
    min_length: int
    max_length: int

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Passwords:
        return cls(
            settings["backrest.password.argon2.time_cost"],
            settings["backrest.password.argon2.memory_cost"],
            settings["backrest.password.argon2.parallelism"],
            settings["backrest.password.min_length"],
            settings["backrest.password.max_length"],
        )

    @functools.cached_property
    def hasher(self) -> PasswordHasher:
        """argon2id with the site's costs, made for the first password.

        A process whose callers all use API keys never imports argon2 (half a megabyte).
        """
        from argon2 import PasswordHasher, Type  # noqa: PLC0415

        return PasswordHasher(
            time_cost=self.time_cost, memory_cost=self.memory_cost, parallelism=self.parallelism, type=Type.ID
        )

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    @functools.cached_property
    def _dummy_hash(self) -> str:
        return self.hasher.hash("not anybody's password")

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Check ``password``; with no hash, spend the same time and say no.

        Unknown accounts are checked against a dummy hash so that a failed
        login takes as long whether or not the address has an account.
        """
        from argon2.exceptions import InvalidHashError, VerificationError  # noqa: PLC0415

        try:
            return self.hasher.verify(password_hash or self._dummy_hash, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self.hasher.check_needs_rehash(password_hash)

    def problem(self, password: str, email: str = "") -> str | None:
        """Why ``password`` may not be used, or ``None`` when it may."""
        if len(password) < self.min_length:
            return f"The password must have at least {self.min_length} characters."
        if len(password) > self.max_length:
            return f"The password must have at most {self.max_length} characters."
        folded = password.casefold()
        email = email.casefold()
        local_part = email.rpartition("@")[0]
        if email and (email in folded or (len(local_part) >= 3 and local_part in folded)):  # noqa: PLR2004
            return "The password must not contain the email address."
        if folded in common_passwords():
            return "This password is too common."
        if is_guessable(password):
            return "This password is too easy to guess."
        return None
