"""OAuth client applications: what may ask users for access, how, and where answers go."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyramid.authorization import ALL_PERMISSIONS, Allow
from sqlalchemy import JSON, Index, String, UnicodeText
from sqlalchemy.orm import Mapped, mapped_column

from backrest.content.models import Content
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
