"""API keys: credentials for scripts and integrations, of which only a hash is kept."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backrest.db import Base, PublicIdMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from pyramid.request import Request

NAME_LENGTH = 100


class ApiKey(PublicIdMixin, Base):
    """A key: its public id is the ``KEYID`` of ``KEYID:SECRET``, looked up by primary key.

    A personal key has a ``user_id`` and acts as that user; a team key has a
    ``team_id`` and acts as the team, with the team's permissions and nobody's
    own. Either goes with its user or team.
    """

    __tablename__ = "api_keys"

    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    team_id: Mapped[str | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), nullable=True, index=True
    )
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    """Who made the key (a team key outlives its maker's account)."""
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(100))
    """Space-separated, as OAuth writes them: ``read write``."""
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def __json__(self, request: Request | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "scopes": self.scopes.split(),
            "created": self.created,
            "expires": self.expires,
            "last_used": self.last_used,
            "created_by": self.created_by,
        }
