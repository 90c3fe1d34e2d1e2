"""The services of teams: the content type's, its members', invitations' and keys'."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest.accounts.schemas import TokenSchema
from backrest.content.declare import content_services
from backrest.content.resources import id_factory
from backrest.keys.schemas import KeySchema
from backrest.keys.views import LISTED, MADE
from backrest.security.permissions import Permission
from backrest.service import Service
from backrest.teams.invitation_views import InvitationViews
from backrest.teams.schemas import InvitationList, Invited, MemberSchema
from backrest.teams.views import TeamViews
from backrest.validation import body_validator

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from pyramid.request import Request

    from backrest.content.declare import ContentType
    from backrest.content.resources import ItemResource

MANAGED = {"permission": Permission.EDIT, "no_store": True}
"""The team's managers' services: its invitations and keys."""
INVITEE = {"permission": Permission.ACCOUNT, "no_store": True}
"""Accepting an invitation: a person's act, in a session (an API key acts for no invitee)."""


def invitation_services(views: TeamViews, factory: Callable[[Request], ItemResource]) -> tuple[Service, ...]:
    """Inviting to a team, its pending invitations, and accepting one (by token in the path or the body)."""
    invitations = InvitationViews(views)
    members = Service(
        "teams.members", "/-/teams/{id}/members", "Invite an address to a team.", factory=factory
    )
    pending = Service(
        "teams.invitations", "/-/teams/{id}/invitations/", "A team's pending invitations.", factory=factory
    )
    invitation = Service(
        "teams.invitation",
        "/-/teams/{id}/invitations/{invitation_id}",
        "One pending invitation to join a team.",
        factory=factory,
    )
    accept = Service(
        "teams.team_invitation", "/-/teams/invitations/", "Join a team: the invitation's token in the body."
    )
    accept_token = Service(
        "teams.team_invitation_token", "/-/teams/invitations/{token}", "Join a team by invitation."
    )
    members.add_view(
        "POST",
        invitations.invite,
        **MANAGED,
        schema=MemberSchema(),
        validators=(body_validator,),
        success_status=202,
        response_schema=Invited(),
    )
    pending.add_view("GET", invitations.list, **MANAGED, response_schema=InvitationList())
    invitation.add_view("DELETE", invitations.revoke, **MANAGED)
    # The new member's team, as its own URL represents it.
    joined = {**INVITEE, "answers_representation": True}
    accept.add_view(
        "POST", invitations.accept_in_body, **joined, schema=TokenSchema(), validators=(body_validator,)
    )
    accept_token.add_view("POST", invitations.accept_in_path, **joined)
    return accept, accept_token, members, pending, invitation


def team_services(content_type: ContentType) -> Iterable[Service]:
    """The services of the teams' content type, and of their members, invitations and keys."""
    views = TeamViews(content_type)
    factory = id_factory(content_type.model)
    member = Service(
        "teams.member", "/-/teams/{id}/members/{user_id}", "One member of a team.", factory=factory
    )
    member.add_view("DELETE", views.remove_member, permission=Permission.VIEW)
    keys = Service("teams.keys", "/-/teams/{id}/keys/", "The API keys of a team.", factory=factory)
    key = Service("teams.key", "/-/teams/{id}/keys/{key_id}", "One API key of a team.", factory=factory)
    keys.add_view("GET", views.list_keys, **MANAGED, **LISTED)
    keys.add_view("POST", views.make_key, **MANAGED, **MADE, schema=KeySchema(), validators=(body_validator,))
    key.add_view("DELETE", views.revoke_key, **MANAGED)
    # Before the team's own services: /-/teams/invitations/ is no team's id.
    return (
        *invitation_services(views, factory),
        *content_services(content_type, views),
        member,
        keys,
        key,
    )
