"""OAuth client applications: what may ask users for access, how, and where answers go."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pyramid.authorization import ALL_PERMISSIONS, Allow
from sqlalchemy import JSON, ForeignKey, Index, String, UnicodeText
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backrest.content.models import Content
from backrest.db import Base, PublicIdMixin, UTCDateTime, utcnow
from backrest.security.permissions import Principal

if TYPE_CHECKING:
    from pyramid.request import Request
    from sqlalchemy.sql.elements import ColumnElement

    from backrest.security.identity import Identity

NAME_LENGTH = 100
CONFIDENTIAL = "confidential"
"""A client that keeps a secret (a web application's server): it authenticates to the token endpoint."""
PUBLIC = "public"
"""A client that cannot keep one (a single-page or native app): it proves itself with PKCE instead."""
CLIENT_TYPES = (CONFIDENTIAL, PUBLIC)
AUTHORIZATION_CODE = "authorization_code"
REFRESH_TOKEN = "refresh_token"
PASSWORD = "password"
GRANT_TYPES = (AUTHORIZATION_CODE, REFRESH_TOKEN, PASSWORD)


class Application(Content):
    """A client application, managed by admins; its public id is its OAuth ``client_id``.

    It belongs to no one: whoever made it, every admin manages it, and
    nobody else sees it. Its secret, for a confidential client, is only a
    hash (:mod:`backrest.oauth.client_secrets`).
    """

    __tablename__ = "oauth_applications"
    __table_args__ = (
        # The admins' list is ordered by name (ties broken by id), filtered by client type.
        Index("ix_oauth_applications_name_id", "name", "id"),
        Index("ix_oauth_applications_client_type_name", "client_type", "name"),
    )

    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    description: Mapped[str] = mapped_column(UnicodeText, default="")
    client_type: Mapped[str] = mapped_column(String(20))
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    grant_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """``None`` for a public client."""

    @property
    def client_id(self) -> str:
        return self.id

    def __json__(self, request: Request | None = None) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "name": self.name,
            "description": self.description,
            "client_type": self.client_type,
            "redirect_uris": self.redirect_uris,
            "grant_types": self.grant_types,
            "scopes": self.scopes,
        }

    def update(self, data: dict[str, Any]) -> None:
        for field in ("name", "description", "client_type"):
            if field in data:
                setattr(self, field, data[field])
        for field in ("redirect_uris", "grant_types", "scopes"):
            if field in data:
                setattr(self, field, list(data[field]))

    def __acl__(self) -> list[tuple[str, str, Any]]:
        return [(Allow, Principal.ADMIN, ALL_PERMISSIONS)]

    @classmethod
    def visibility(cls, identity: Identity | None) -> list[ColumnElement[bool]] | None:
        if identity is not None and identity.is_admin:
            return None
        return []

    def listed_for(self) -> set[str]:
        # Admins' lists alone show it: a deletion changes theirs.
        return {Principal.ADMIN}


SCOPES_LENGTH = 100
ACCESS = "access"
REFRESH = "refresh"


class Grant(PublicIdMixin, Base):
    """What a user agreed to let an application do: its scopes bound every token issued from it.

    One live grant per user and application; agreeing to more scopes widens
    it. Revoking it marks it and its tokens revoked: rows are never deleted
    but with the user's account or the application.
    """

    __tablename__ = "oauth_grants"
    __table_args__ = (Index("ix_oauth_grants_user_id_application_id", "user_id", "application_id"),)

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    application_id: Mapped[str] = mapped_column(
        ForeignKey("oauth_applications.id", ondelete="CASCADE"), index=True
    )
    scopes: Mapped[str] = mapped_column(String(SCOPES_LENGTH))
    """Space-separated, as OAuth writes them: ``read write``."""
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    application: Mapped[Application] = relationship(lazy="joined")

    def __json__(self, request: Request | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "application": {"client_id": self.application_id, "name": self.application.name},
            "scopes": self.scopes.split(),
            "created": self.created,
            "last_used": self.last_used,
        }


class AuthorizationCode(Base):
    """A code the authorization endpoint handed out: only its keyed hash is kept; single use.

    ``family`` is shared by every token issued from it, so that a second use
    of the code can revoke them.
    """

    __tablename__ = "oauth_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    grant_id: Mapped[str] = mapped_column(ForeignKey("oauth_grants.id", ondelete="CASCADE"), index=True)
    family: Mapped[str] = mapped_column(String(22))
    redirect_uri: Mapped[str] = mapped_column(UnicodeText)
    scopes: Mapped[str] = mapped_column(String(SCOPES_LENGTH))
    code_challenge: Mapped[str | None] = mapped_column(String(128), nullable=True)
    code_challenge_method: Mapped[str | None] = mapped_column(String(10), nullable=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires: Mapped[datetime] = mapped_column(UTCDateTime)
    used: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Token(PublicIdMixin, Base):
    """An access or refresh token: only its keyed hash is kept, found by one indexed lookup.

    A refresh token is ``rotated`` when it is used; the tokens of one
    ``family`` descend from one code (or one password grant) through refreshes.
    """

    __tablename__ = "oauth_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    """:data:`ACCESS` or :data:`REFRESH`."""
    grant_id: Mapped[str] = mapped_column(ForeignKey("oauth_grants.id", ondelete="CASCADE"), index=True)
    family: Mapped[str] = mapped_column(String(22), index=True)
    scopes: Mapped[str] = mapped_column(String(SCOPES_LENGTH))
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires: Mapped[datetime] = mapped_column(UTCDateTime)
    rotated: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
