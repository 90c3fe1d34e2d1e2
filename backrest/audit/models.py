"""The audit log: who did what, to which object, from where, and when.

Entries are written in the transaction of the change they record, and are
read through the content framework as the read-only collection ``/-/logs/``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pyramid.authorization import ALL_PERMISSIONS, Allow
from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column, synonym

from backrest.db import Base, PublicIdMixin, UTCDateTime, utcnow
from backrest.security.permissions import Permission, Principal, user_principal

if TYPE_CHECKING:
    from pyramid.request import Request
    from sqlalchemy.sql.elements import ColumnElement

    from backrest.security.identity import Identity


class AuditEntry(PublicIdMixin, Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        # A reader's entries are theirs as actor or as owner: each side is one
        # index range, newest first (lists, and their Last-Modified).
        Index("ix_audit_log_actor_id_created", "actor_id", "created"),
        Index("ix_audit_log_owner_id_created", "owner_id", "created"),
    )

    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The user who acted; kept as a plain value so entries outlive the account."""
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str] = mapped_column(String(50), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    owner_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """Who owned the object when this happened: they may read the entry."""
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(45), default="")

    # An entry never changes: it was last modified when it was written.
    modified = synonym("created")
    version = 1

    def __acl__(self) -> list[tuple[str, str, Any]]:
        acl: list[tuple[str, str, Any]] = [(Allow, Principal.ADMIN, ALL_PERMISSIONS)]
        acl.extend(
            (Allow, user_principal(reader), Permission.VIEW)
            for reader in {self.actor_id, self.owner_id}
            if reader
        )
        return acl

    @classmethod
    def visibility(cls, identity: Identity | None) -> list[ColumnElement[bool]] | None:
        """Admins read every entry; users the entries of their own acts and objects."""
        if identity is None:
            return []
        if identity.is_admin:
            return None
        if identity.user_id is None:
            return [cls.actor_id == identity.actor]  # a team's key: its own acts
        return [cls.actor_id == identity.user_id, cls.owner_id == identity.user_id]

    def __json__(self, request: Request) -> dict[str, Any]:
        return {
            "action": self.action,
            "actor": self.actor_id,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "changes": self.changes,
            "ip": self.ip,
            "created": self.created,
        }
