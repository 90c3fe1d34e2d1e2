"""File-like content: metadata in a row, data in a blob shared by every row of the same content."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, ForeignKey, String, update
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from backrest.content.models import Content
from backrest.db import Base, UTCDateTime, utcnow
from backrest.files.names import safe_filename
from backrest.upsert import conflict_insert

if TYPE_CHECKING:
    from pyramid.request import Request
    from sqlalchemy.orm import Session

FILENAME_LENGTH = 255
CLAIM_ATTEMPTS = 3


class Blob(Base):
    """One distinct content, stored once under its SHA-256 (:class:`backrest.files.storage.BlobStore`).

    ``claimed`` is when an upload last gave this content: ``backrest gc``
    removes only blobs no row references and nobody claimed for a while.
    """

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    claimed: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def claim_blob(dbsession: Session, sha256: str, size: int) -> bool:
    """Record the blob in the request's transaction; answers whether this transaction created its row.

    Either way the row stays locked until the transaction ends (an insert,
    or an update of ``claimed``), so ``backrest gc`` cannot remove the blob
    in between, and two uploads of one content never both create it.
    """
    table = Blob.__table__
    insert = conflict_insert(dbsession, table)
    for _ in range(CLAIM_ATTEMPTS):
        now = utcnow()
        created = dbsession.execute(
            insert.values(sha256=sha256, size=size, claimed=now)
            .on_conflict_do_nothing(index_elements=["sha256"])
            .returning(table.c.sha256)
        ).first()
        if created is not None:
            return True
        touched = dbsession.execute(
            update(table).where(table.c.sha256 == sha256).values(claimed=now).returning(table.c.sha256)
        ).first()
        if touched is not None:
            return False
        # The row was removed (by gc) between the two statements: claim it anew.
    msg = f"could not claim blob {sha256}"
    raise RuntimeError(msg)


class FileContent(Content):
    """A content object whose data is a file: ``filename``, ``content_type``, ``size``, ``sha256``.

    Subclasses add their own fields, and extend ``__json__`` and ``update``
    as any content model does. The data is set through the API (an upload),
    never through ``update``.
    """

    __abstract__ = True

    filename: Mapped[str] = mapped_column(String(FILENAME_LENGTH))
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)

    @declared_attr
    def sha256(cls) -> Mapped[str]:  # noqa: N805 - a declared attribute
        # RESTRICT: a blob a row still names can never be removed.
        return mapped_column(ForeignKey("blobs.sha256", ondelete="RESTRICT"), index=True)

    def __json__(self, request: Request) -> dict[str, Any]:
        collection = request.registry["backrest.content_types_by_model"][type(self)].name
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "download": f"{request.application_url}/-/{collection}/{self.id}/data",
        }

    def update(self, data: dict[str, Any]) -> None:
        super().update(data)
        if "filename" in data:
            self.filename = safe_filename(data["filename"])

    def set_data(self, sha256: str, size: int, content_type: str) -> None:
        self.sha256 = sha256
        self.size = size
        self.content_type = content_type
