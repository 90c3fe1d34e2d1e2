"""The outbox: mail written in the request's transaction, delivered after it commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backrest.db import Base, UTCDateTime, utcnow


class OutboxMessage(Base):
    """One message, from the request that wrote it until it is sent or given up, and a while after."""

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    """The ``Message-ID`` header, chosen when queued: a message sent twice is recognisably the same one.
    Rows queued before it existed have none, and leave it to the mail server."""
    sender: Mapped[str] = mapped_column(String(320))
    recipients: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    failed: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def forget_body(self) -> None:
        """Keep no copy of the body once the message leaves the queue, sent or given up.

        A body may hold a token link, which works until it expires: a copy
        left in the table is one more place to take it from.
        """
        self.body = ""
