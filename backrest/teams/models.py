"""Teams: their members, the invitations to join them, and the permissions a team holds on content types."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pyramid.authorization import ALL_PERMISSIONS, Allow
from sqlalchemy import ForeignKey, String, UnicodeText
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backrest.accounts.models import EMAIL_LENGTH, User
from backrest.content.models import Content
from backrest.db import Base, PublicIdMixin, UTCDateTime, utcnow
from backrest.security.permissions import Permission, grant_principal, team_principal, user_principal

if TYPE_CHECKING:
    from pyramid.request import Request
    from sqlalchemy.sql.elements import ColumnElement

    from backrest.security.identity import Identity

NAME_LENGTH = 100
PERMISSION_LENGTH = 100
MANAGE = "teams.manage"
"""The permission that lets a team's members manage every team (not grant permissions: admins do)."""


class TeamMember(Base):
    __tablename__ = "team_members"

    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class TeamInvitation(PublicIdMixin, Base):
    """An address invited to join a team, until its owner accepts (or a manager revokes it).

    The address is kept as the manager typed it, and no account is looked
    up for it: nothing about an invitation tells whether the address has an
    account, or whose it is. The mailed token is kept only as its hash.
    """

    __tablename__ = "team_invitations"

    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires: Mapped[datetime] = mapped_column(UTCDateTime)
    used: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def __json__(self, request: Request | None = None) -> dict[str, Any]:
        return {"id": self.id, "email": self.email, "expires": self.expires}


class TeamGrant(Base):
    """A permission a team holds: ``documents.view``, ``files.edit``, ``teams.manage``."""

    __tablename__ = "team_grants"

    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    permission: Mapped[str] = mapped_column(String(PERMISSION_LENGTH), primary_key=True)


class Team(Content):
    """A team: managed by whoever made it (its owner), seen by its members."""

    __tablename__ = "teams"

    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    description: Mapped[str] = mapped_column(UnicodeText, default="")
    members: Mapped[list[TeamMember]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by=TeamMember.added
    )
    grants: Mapped[list[TeamGrant]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by=TeamGrant.permission
    )

    @property
    def permissions(self) -> list[str]:
        return [grant.permission for grant in self.grants]

    def __json__(self, request: Request | None = None) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "permissions": self.permissions,
            "members": [
                {"id": member.user_id, "firstname": member.user.firstname, "lastname": member.user.lastname}
                for member in self.members
            ],
        }

    def update(self, data: dict[str, Any]) -> None:
        for field in ("name", "description"):
            if field in data:
                setattr(self, field, data[field])
        if "permissions" in data:
            wanted = set(data["permissions"])
            kept = [grant for grant in self.grants if grant.permission in wanted]
            added = sorted(wanted - set(self.permissions))
            if added or len(kept) != len(self.grants):
                # The grants are rows of their own: without a change to the
                # team's row, its version and ETag would stay as they were.
                self.modified = utcnow()
            self.grants = kept + [TeamGrant(permission=permission) for permission in added]

    def has_member(self, user_id: str) -> bool:
        return any(member.user_id == user_id for member in self.members)

    def __acl__(self) -> list[tuple[str, str, Any]]:
        return [
            *super().__acl__(),
            (Allow, grant_principal(MANAGE), ALL_PERMISSIONS),
            (Allow, team_principal(self.id), Permission.VIEW),
        ]

    @classmethod
    def visibility(cls, identity: Identity | None) -> list[ColumnElement[bool]] | None:
        if identity is not None and grant_principal(MANAGE) in identity.principals:
            return None
        conditions = super().visibility(identity)
        if conditions is None or identity is None or not identity.team_ids:
            return conditions
        return [*conditions, cls.id.in_(identity.team_ids)]

    def listed_for(self) -> set[str]:
        # The members by name: once out of the team, they no longer hold its principal.
        return {*super().listed_for(), *(user_principal(member.user_id) for member in self.members)}
