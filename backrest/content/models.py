"""The base of every content model: owner, sharing, timestamps, version.

Who may do what to an object is said twice, on purpose, side by side: as
the object's ACL (for the object in hand) and as a SQL condition (so that
lists are filtered in the query, and counts and pages are right for each
caller). ``tests/functional/content`` checks that the two agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pyramid.authorization import ALL_PERMISSIONS, Allow, Everyone
from sqlalchemy import Boolean, ForeignKey, Integer, String, false, or_, true
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from backrest.db import Base, PublicIdMixin, UTCDateTime, utcnow
from backrest.security.permissions import Permission, Principal, user_principal

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnElement

    from backrest.security.policy import Identity

OWNER_PERMISSIONS = (Permission.VIEW, Permission.EDIT, Permission.DELETE)


class Content(PublicIdMixin, Base):
    """An object with an owner, that its owner may share publicly.

    Subclasses add their columns, ``__json__(request)`` (the fields of the
    representation; the framework adds ``__meta__``) and ``update(data)``
    (apply the keys given, ignore the rest).
    """

    __abstract__ = True

    @declared_attr
    def owner_id(cls) -> Mapped[str | None]:  # noqa: N805 - a declared attribute
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)

    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    modified: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - a declared attribute
        # Every UPDATE checks and bumps the version: two writers that read the
        # same version cannot both win, so no update is lost silently.
        return {"version_id_col": cls.version}

    def __acl__(self) -> list[tuple[str, str, Any]]:
        acl: list[tuple[str, str, Any]] = [(Allow, Principal.ADMIN, ALL_PERMISSIONS)]
        if self.owner_id is not None:
            acl.append((Allow, user_principal(self.owner_id), OWNER_PERMISSIONS))
        if self.public:
            acl.append((Allow, Everyone, Permission.VIEW))
        return acl

    @classmethod
    def visible_to(cls, identity: Identity | None) -> ColumnElement[bool]:
        """The SQL condition that selects the objects ``identity`` may view."""
        if identity is None:
            return cls.public.is_(True)
        if identity.user.is_admin:
            return true()
        return or_(cls.public.is_(True), cls.owner_id == identity.user.id)

    def update(self, data: dict[str, Any]) -> None:
        """Apply the keys of ``data`` this model knows; subclasses extend it."""
        if "public" in data:
            self.public = data["public"]


class ContentDeletion(Base):
    """When an object of a collection was last deleted.

    Lists answer ``Last-Modified`` from their objects; a deletion leaves no
    object behind, so it is remembered here, one row per collection.
    """

    __tablename__ = "content_deletions"

    collection: Mapped[str] = mapped_column(String(64), primary_key=True)
    deleted: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
