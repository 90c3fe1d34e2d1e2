"""Accounts and the single-use tokens mailed to their owners."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from backrest.db import Base, PublicIdMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from pyramid.request import Request

EMAIL_LENGTH = 320
NAME_LENGTH = 100


class User(PublicIdMixin, Base):
    __tablename__ = "users"
    __table_args__ = (Index("uq_users_email_lower", func.lower("email"), unique=True),)

    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH))
    password_hash: Mapped[str] = mapped_column(String(255))
    firstname: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    lastname: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    modified: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    PROFILE_FIELDS = ("firstname", "lastname")

    def __json__(self, request: Request | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "email_verified": self.email_verified,
            "firstname": self.firstname,
            "lastname": self.lastname,
            "created": self.created,
        }

    def update(self, data: dict[str, Any]) -> None:
        """Set the profile fields given in ``data``; ignore everything else."""
        for field in self.PROFILE_FIELDS:
            if field in data:
                setattr(self, field, data[field])


class TokenPurpose(enum.StrEnum):
    RESET = "reset"
    SIGNUP = "signup"
    EMAIL_CHANGE = "email_change"
    EMAIL_CANCEL = "email_cancel"


class AccountToken(Base):
    """A single-use token mailed to a user; only its hash is kept."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH))
    """The address the token was sent for: the new one for an email change."""
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires: Mapped[datetime] = mapped_column(UTCDateTime)
    used: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
