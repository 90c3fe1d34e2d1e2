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
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, false, or_, true
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from backrest.db import Base, PublicIdMixin, UTCDateTime, utcnow
from backrest.security.permissions import Permission, Principal, user_principal

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnElement

    from backrest.security.identity import Identity

OWNER_PERMISSIONS = (Permission.VIEW, Permission.EDIT, Permission.DELETE, Permission.SHARE)


class Content(PublicIdMixin, Base):
    """An object with an owner, that its owner may share publicly.

    Subclasses add their columns, ``__json__(request)`` (the fields of the
    representation; the framework adds ``__meta__``) and ``update(data)``
    (apply the keys given, ignore the rest).
    """

    __abstract__ = True

    @declared_attr
    def owner_id(cls) -> Mapped[str | None]:  # noqa: N805 - a declared attribute
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    modified: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        table = cls.__dict__.get("__table__")
        if table is not None:
            # Lists ordered by date, newest first by default: with the id that
            # breaks ties, so that a page never sorts objects of one moment.
            Index(f"ix_{table.name}_created_id", table.c.created, table.c.id)
            Index(f"ix_{table.name}_modified_id", table.c.modified, table.c.id)
            # A list's Last-Modified reads the newest change under each condition
            # of visibility(): one index lookup each, however many objects there
            # are. owner_id's leads the owner's lists and its foreign key too.
            Index(f"ix_{table.name}_owner_id_modified", table.c.owner_id, table.c.modified)
            Index(f"ix_{table.name}_public_modified", table.c.public, table.c.modified)

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
    def visibility(cls, identity: Identity | None) -> list[ColumnElement[bool]] | None:
        """The SQL conditions, any of which makes an object visible to ``identity``.

        ``None`` when every object is. Lists are filtered by their union; a
        list's ``Last-Modified`` is the newest ``modified`` under each of them.
        They may depend on what
        :func:`~backrest.security.identity.visibility_key` holds of the
        identity, and on nothing else: a list makes its statement once for
        each such caller and query string.
        """
        if identity is None or identity.user_id is None:
            # Anonymous, or a team's key: what everyone sees (teams add their shares and grants).
            return [cls.public.is_(True)]
        if identity.is_admin:
            return None
        return [cls.owner_id == identity.user_id, cls.public.is_(True)]

    def listed_for(self) -> set[str]:
        """The principals whose lists show this object (admins see every object)."""
        principals = {Principal.EVERYONE} if self.public else set()
        if self.owner_id is not None:
            principals.add(user_principal(self.owner_id))
        return principals

    def update(self, data: dict[str, Any]) -> None:
        """Apply the keys of ``data`` this model knows; subclasses extend it."""
        if "public" in data:
            self.public = data["public"]


def visible(conditions: list[ColumnElement[bool]] | None) -> ColumnElement[bool]:
    """One SQL condition of what a model's ``visibility()`` answered: ``None`` is every row."""
    if conditions is None:
        return true()
    return or_(*conditions) if conditions else false()


class ContentRemoval(Base):
    """When an object last left the lists of a principal: deleted, or no longer shared with them.

    A list's ``Last-Modified`` is the newest change among the objects the
    caller may see, and an object that left their lists is no longer among
    them: it is remembered here, one row per collection and principal.
    """

    __tablename__ = "content_removals"

    collection: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal: Mapped[str] = mapped_column(String(100), primary_key=True)
    removed: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Share(Base):
    """An object shared with a team: the team's members may view it."""

    __tablename__ = "content_shares"
    __table_args__ = (
        # What a team's members may see of a collection: one index range.
        Index("ix_content_shares_team_id_collection", "team_id", "collection", "object_id"),
    )

    collection: Mapped[str] = mapped_column(String(64), primary_key=True)
    object_id: Mapped[str] = mapped_column(String(22), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    shared: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
