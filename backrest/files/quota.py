"""How much one upload may hold: ``backrest.files.max_size``, and what is left of its owner's quota."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from backrest.accounts.models import User
from backrest.errors import http_error
from backrest.files.models import FileContent
from backrest.validation import BodyError

if TYPE_CHECKING:
    from pyramid.registry import Registry
    from pyramid.request import Request


@dataclass(frozen=True)
class Limit:
    size: int
    """The most bytes the upload may have."""
    message: str
    """Why, for the 413 of an upload that has more."""

    def error(self, location: str = "body", name: str | None = "file") -> BodyError:
        return BodyError(self.message, 413, location, name)


def file_models(registry: Registry) -> list[type[FileContent]]:
    """The models of every file-like content type of the application."""
    return [
        content_type.model
        for content_type in registry.get("backrest.content_types", {}).values()
        if issubclass(content_type.model, FileContent)
    ]


def stored_by(request: Request, owner_id: str) -> int:
    """The bytes of every file ``owner_id`` owns, in every file-like type (each counted whole)."""
    total = 0
    for model in file_models(request.registry):
        total += request.dbsession.scalar(
            select(func.coalesce(func.sum(model.size), 0)).where(model.owner_id == owner_id)
        )
    return total


def _over_quota(quota: int, used: int) -> str:
    return f"This file would take your storage past its quota of {quota} bytes ({used} bytes already used)."


def upload_limit(request: Request, owner_id: str | None, replacing: int = 0) -> Limit:
    """The limit an upload is received under: the smaller of the size limit and what the quota leaves.

    ``replacing`` is the size of the data the upload replaces, freed by it.
    """
    settings = request.registry.settings
    max_size = settings["backrest.files.max_size"]
    largest = Limit(max_size, f"The file is larger than {max_size} bytes.")
    quota = settings["backrest.files.quota"]
    if not quota or owner_id is None:
        return largest
    used = stored_by(request, owner_id) - replacing
    left = max(quota - used, 0)
    return largest if left >= max_size else Limit(left, _over_quota(quota, used))


def check_quota(request: Request, owner_id: str | None) -> None:
    """Refuse (413) a write that took ``owner_id`` past the quota; call it once the write is flushed.

    The owner's row is locked first (on PostgreSQL), so two uploads of one
    owner are counted one after the other and cannot both squeeze in.
    """
    quota = request.registry.settings["backrest.files.quota"]
    if not quota or owner_id is None:
        return
    request.dbsession.execute(select(User.id).where(User.id == owner_id).with_for_update())
    used = stored_by(request, owner_id)
    if used > quota:
        message = f"This file would take your storage past its quota of {quota} bytes."
        raise http_error(413, "body", "file", message)
