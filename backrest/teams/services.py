"""The services of teams: the content type's, and its members'."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest.content.declare import content_services
from backrest.content.resources import id_factory
from backrest.keys.schemas import KeySchema
from backrest.security.permissions import Permission
from backrest.service import Service
from backrest.teams.schemas import MemberSchema
from backrest.teams.views import TeamViews
from backrest.validation import body_validator

if TYPE_CHECKING:
    from collections.abc import Iterable

    from backrest.content.declare import ContentType


def team_services(content_type: ContentType) -> Iterable[Service]:
    views = TeamViews(content_type)
    factory = id_factory(content_type.model)
    members = Service("teams.members", "/-/teams/{id}/members", "The members of a team.", factory=factory)
    member = Service(
        "teams.member", "/-/teams/{id}/members/{user_id}", "One member of a team.", factory=factory
    )
    members.add_view(
        "POST",
        views.add_member,
        permission=Permission.EDIT,
        schema=MemberSchema(),
        validators=(body_validator,),
        success_status=201,
    )
    member.add_view("DELETE", views.remove_member, permission=Permission.VIEW)
    keys = Service("teams.keys", "/-/teams/{id}/keys/", "The API keys of a team.", factory=factory)
    key = Service("teams.key", "/-/teams/{id}/keys/{key_id}", "One API key of a team.", factory=factory)
    managed = {"permission": Permission.EDIT, "no_store": True}
    keys.add_view("GET", views.list_keys, **managed)
    keys.add_view("POST", views.make_key, **managed, schema=KeySchema(), validators=(body_validator,))
    key.add_view("DELETE", views.revoke_key, **managed)
    return (*content_services(content_type, views), members, member, keys, key)
