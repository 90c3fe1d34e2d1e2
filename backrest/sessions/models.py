"""Server-side sessions: a cookie names one row, and deleting the row ends it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backrest.db import Base, PublicIdMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from pyramid.request import Request

USER_AGENT_LENGTH = 255


class UserSession(PublicIdMixin, Base):
    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    authenticated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    """When the user last gave their password in this session."""
    ip: Mapped[str] = mapped_column(String(45), default="")
    """The client address, truncated (IPv4 /24, IPv6 /48): enough to recognise, not to track."""
    user_agent: Mapped[str] = mapped_column(String(USER_AGENT_LENGTH), default="")

    def __json__(self, request: Request) -> dict[str, Any]:
        identity = request.identity
        return {
            "id": self.id,
            "created": self.created,
            "last_seen": self.last_seen,
            "ip": self.ip,
            "user_agent": self.user_agent,
            "current": bool(identity and identity.session_id == self.id),
        }
