"""The views of teams beyond a content type's: who may grant what, the members, the team's keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyramid.httpexceptions import HTTPNoContent

from backrest.content.views import ContentViews
from backrest.db import utcnow
from backrest.errors import http_error
from backrest.keys.views import listed, made, revoked
from backrest.security.permissions import Permission, Principal, user_principal
from backrest.security.verified import require_verified_email
from backrest.teams.membership import known_permissions
from backrest.teams.models import TeamMember

if TYPE_CHECKING:
    from pyramid.request import Request

    from backrest.content.resources import ItemResource
    from backrest.teams.models import Team


def check_permissions(request: Request, team: Team, wanted: list[str]) -> None:
    """Only admins change what a team may do, and only to permissions that exist."""
    known = set(known_permissions(request.registry["backrest.content_types"].values()))
    for number, permission in enumerate(wanted):
        if permission not in known:
            msg = f"Unknown permission {permission!r}; known: {', '.join(sorted(known))}."
            raise http_error(400, "body", f"permissions.{number}", msg)
    changed = set(wanted) != set(team.permissions)
    if changed and Principal.ADMIN not in (request.identity.principals if request.identity else ()):
        raise http_error(403, "body", "permissions", "Only admins grant permissions to teams.")


class TeamViews(ContentViews):
    """A content type's views, and the changes of a team's members."""

    def apply(self, request: Request, obj: Team, data: dict[str, Any]) -> None:
        if "permissions" in data:
            check_permissions(request, obj, data["permissions"])
        if obj.id is None and request.authenticated_userid is not None:
            # The one who makes a team is in it: joining a team takes a confirmed address.
            require_verified_email(request)
            obj.members.append(TeamMember(user_id=request.authenticated_userid))
        super().apply(request, obj, data)

    def members_changed(self, request: Request, team: Team, action: str, changed: dict[str, Any]) -> None:
        """A new version of ``team`` (its representation lists the members), audited as ``action``."""
        team.modified = utcnow()
        request.dbsession.flush()
        self.mark_changed(request)
        self.record(request, action, team, changed)

    def remove_member(self, request: Request) -> HTTPNoContent:
        """Managers remove anyone; a member may leave."""
        item: ItemResource = request.context
        team: Team = item.obj
        user_id = request.matchdict["user_id"]
        if user_id != request.authenticated_userid and not request.has_permission(Permission.EDIT, item):
            raise http_error(403, "request", "permission", "You may not do this.")
        member = next((member for member in team.members if member.user_id == user_id), None)
        if member is None:
            raise http_error(404, "path", "user_id", "No such member of this team.")
        team.members.remove(member)
        self.remember_removal(request, {user_principal(user_id)})
        self.members_changed(request, team, "member_removed", {"member": user_id})
        return HTTPNoContent()

    # The team's API keys: made by its managers, in a session.

    @staticmethod
    def _in_a_session(request: Request) -> None:
        refusal = request.identity.scope_denies(Permission.ACCOUNT)
        if refusal is not None:
            raise http_error(403, "header", "Authorization", refusal)

    def list_keys(self, request: Request) -> dict[str, Any]:
        self._in_a_session(request)
        return listed(request, team_id=request.context.obj.id)

    def make_key(self, request: Request) -> dict[str, Any]:
        self._in_a_session(request)
        return made(request, team_id=request.context.obj.id)

    def revoke_key(self, request: Request) -> HTTPNoContent:
        self._in_a_session(request)
        return revoked(request, request.matchdict["key_id"], team_id=request.context.obj.id)
