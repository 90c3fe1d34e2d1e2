"""``/-/{collection}/{id}/shares/``: the teams an object is shared with, for its owner to change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import colander
from pyramid.httpexceptions import HTTPNoContent
from sqlalchemy import delete, select

from backrest.content.models import Share, visible
from backrest.content.resources import id_factory, visibility_for
from backrest.db import utcnow
from backrest.errors import http_error
from backrest.security.permissions import Permission, team_principal
from backrest.service import Service

if TYPE_CHECKING:
    from pyramid.request import Request
    from sqlalchemy import Select

    from backrest.content.declare import ContentType
    from backrest.content.resources import ItemResource
    from backrest.content.views import ContentViews


class ShareSchema(colander.MappingSchema):
    description = "A team the object is shared with: its members may view it."
    team_id = colander.SchemaNode(colander.String())
    shared = colander.SchemaNode(colander.DateTime(), description="Since when.")


class ShareListSchema(colander.MappingSchema):
    results = colander.SequenceSchema(ShareSchema(), description="The oldest share first.")


class ShareViews:
    """Sharing one content type's objects with teams: each change is a new version of the object."""

    def __init__(self, content_type: ContentType, views: ContentViews) -> None:
        self.content_type = content_type
        self.views = views

    def _shares(self, item: ItemResource) -> Select[tuple[Share]]:
        return select(Share).where(Share.collection == self.content_type.name, Share.object_id == item.obj.id)

    def list(self, request: Request) -> dict[str, Any]:
        item: ItemResource = request.context
        found = request.dbsession.scalars(self._shares(item).order_by(Share.shared, Share.team_id))
        return {"results": [{"team_id": share.team_id, "shared": share.shared} for share in found]}

    def _visible_team(self, request: Request, team_id: str) -> bool:
        """Whether the caller may see the team: an object is shared only with teams one knows."""
        teams = request.registry["backrest.content_types"].get("teams")
        if teams is None:
            return False
        condition = visible(visibility_for(teams, request.identity))
        found = select(teams.model.id).where(teams.model.id == team_id, condition)
        return request.dbsession.execute(found).first() is not None

    def _record_change(self, request: Request, item: ItemResource, action: str, team_id: str) -> None:
        item.obj.modified = utcnow()  # a new version: the object's readers changed
        request.dbsession.flush()
        self.views.mark_changed(request)
        self.views.record(request, action, item.obj, {"team": team_id})

    def share(self, request: Request) -> dict[str, Any]:
        item: ItemResource = request.context
        team_id = request.matchdict["team_id"]
        if not self._visible_team(request, team_id):
            raise http_error(404, "path", "team_id", "No such team.")
        existing = request.dbsession.scalars(self._shares(item).where(Share.team_id == team_id)).first()
        if existing is not None:
            return {"team_id": existing.team_id, "shared": existing.shared}
        share = Share(collection=self.content_type.name, object_id=item.obj.id, team_id=team_id)
        request.dbsession.add(share)
        self._record_change(request, item, "share", team_id)
        request.response.status = 201
        return {"team_id": share.team_id, "shared": share.shared}

    def unshare(self, request: Request) -> HTTPNoContent:
        item: ItemResource = request.context
        team_id = request.matchdict["team_id"]
        removed = request.dbsession.execute(
            delete(Share)
            .where(
                Share.collection == self.content_type.name,
                Share.object_id == item.obj.id,
                Share.team_id == team_id,
            )
            .returning(Share.team_id)
        ).first()
        if removed is None:
            raise http_error(404, "path", "team_id", "This object is not shared with this team.")
        self.views.remember_removal(request, {team_principal(team_id)})
        self._record_change(request, item, "unshare", team_id)
        return HTTPNoContent()


def share_services(content_type: ContentType, views: ContentViews) -> tuple[Service, Service]:
    name = content_type.name
    factory = id_factory(content_type.model)
    shares = Service(
        f"content.{name}.shares",
        f"/-/{name}/{{id}}/shares/",
        f"The teams one of {name} is shared with.",
        factory=factory,
    )
    share = Service(
        f"content.{name}.share",
        f"/-/{name}/{{id}}/shares/{{team_id}}",
        f"One team one of {name} is shared with.",
        factory=factory,
    )
    sharing = ShareViews(content_type, views)
    shares.add_view("GET", sharing.list, permission=Permission.SHARE, response_schema=ShareListSchema())
    share.add_view("PUT", sharing.share, permission=Permission.SHARE, response_schema=ShareSchema())
    share.add_view("DELETE", sharing.unshare, permission=Permission.SHARE)
    return shares, share
