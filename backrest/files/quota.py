"""How much one upload may hold: ``backrest.files.max_size``, and what is left of the quota it counts against.

``backrest.files.quota`` bounds the storage of whoever holds files. A file
with an owner counts against its owner. A file without one is what a
team's key made (which shares it with the key's team, see
:meth:`backrest.content.views.ContentViews.create`): it counts against each
team it is shared with, and against the key's team while that key writes
it. No credential writes without a limit: a person's writes count against
the person, a team key's against its team.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from backrest.accounts.models import User
from backrest.content.models import Share
from backrest.errors import http_error
from backrest.files.models import FileContent
from backrest.teams.models import Team
from backrest.validation import BodyError

if TYPE_CHECKING:
    from pyramid.registry import Registry
    from pyramid.request import Request
    from sqlalchemy.sql.elements import ColumnElement


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


def _collection(registry: Registry, model: type[FileContent]) -> str:
    return registry["backrest.content_types_by_model"][model].name


@dataclass(frozen=True)
class Holder:
    """Whose storage files take: a user's, or a team's (``is_team``)."""

    id: str
    is_team: bool = False

    @property
    def storage(self) -> str:
        return "the team's storage" if self.is_team else "your storage"

    def holds(self, model: type[FileContent], collection: str) -> ColumnElement[bool]:
        """Which of ``model``'s rows (of ``collection``) count against this holder."""
        if not self.is_team:
            return model.owner_id == self.id
        shared = select(Share.object_id).where(Share.team_id == self.id, Share.collection == collection)
        return model.owner_id.is_(None) & model.id.in_(shared)

    def lock(self, request: Request) -> None:
        """Lock the holder's row (on PostgreSQL), so that writes to one storage are counted one at a time."""
        model = Team if self.is_team else User
        request.dbsession.execute(select(model.id).where(model.id == self.id).with_for_update())


def holders(request: Request, obj: FileContent | None) -> list[Holder]:
    """Whose storage a write of ``obj``'s data takes (``None``: a new object's)."""
    owner_id = obj.owner_id if obj is not None else request.authenticated_userid
    if owner_id is not None:
        return [Holder(owner_id)]
    identity = request.identity
    teams = set(identity.team_ids) if identity is not None and identity.user_id is None else set()
    if obj is not None and obj.id is not None:
        collection = _collection(request.registry, type(obj))
        teams.update(
            request.dbsession.scalars(
                select(Share.team_id).where(Share.collection == collection, Share.object_id == obj.id)
            )
        )
    return [Holder(team_id, is_team=True) for team_id in sorted(teams)]


def stored(request: Request, holder: Holder, besides: FileContent | None = None) -> int:
    """The bytes of the files ``holder`` holds but ``besides``, in every file type (each counted whole)."""
    total = 0
    for model in file_models(request.registry):
        conditions = [holder.holds(model, _collection(request.registry, model))]
        if besides is not None and besides.id is not None and type(besides) is model:
            conditions.append(model.id != besides.id)
        total += request.dbsession.scalar(select(func.coalesce(func.sum(model.size), 0)).where(*conditions))
    return total


def size_limit(request: Request) -> Limit:
    """``backrest.files.max_size``: the most any one file may hold, whoever sends it."""
    max_size = request.registry.settings["backrest.files.max_size"]
    return Limit(max_size, f"The file is larger than {max_size} bytes.")


def upload_limit(request: Request, obj: FileContent | None) -> Limit:
    """The limit an upload is received under: the smaller of the size limit and what the quotas leave.

    ``obj`` is the object whose data the upload replaces (``None`` for a
    new one): its present data does not count, since the upload frees it.
    """
    limit = size_limit(request)
    quota = request.registry.settings["backrest.files.quota"]
    if not quota:
        return limit
    for holder in holders(request, obj):
        used = stored(request, holder, besides=obj)
        left = max(quota - used, 0)
        if left < limit.size:
            message = f"This file would take {holder.storage} past its quota of {quota} bytes"
            limit = Limit(left, f"{message} ({used} bytes already used).")
    return limit


def check_quota(request: Request, obj: FileContent) -> None:
    """Refuse (413) a write that took ``obj``'s holders past the quota; call it once the write is flushed.

    Each holder's row is locked first (on PostgreSQL), so two uploads to one
    storage are counted one after the other and cannot both squeeze in.
    """
    quota = request.registry.settings["backrest.files.quota"]
    if not quota:
        return
    for holder in holders(request, obj):
        holder.lock(request)
        # ``obj`` counted apart: a team key's new object is shared with the team only after this.
        if stored(request, holder, besides=obj) + obj.size > quota:
            message = f"This file would take {holder.storage} past its quota of {quota} bytes."
            raise http_error(413, "body", "file", message)
