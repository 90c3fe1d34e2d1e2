"""Joining a team by invitation: its managers invite an address, the address's owner accepts.

Inviting never looks an account up. Whatever the address (an account's or
nobody's, a member's or a stranger's), the manager gets the same answer,
the address gets a mail and a row is written: neither the answer nor its
time tells who has an account, and nobody joins a team without consent.
Who the invitee is shows only once they accept, logged in and confirmed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyramid.httpexceptions import HTTPAccepted, HTTPNoContent

from backrest.content.conditional import tag_response
from backrest.content.representation import permissions, representation
from backrest.content.resources import CollectionResource
from backrest.errors import http_error
from backrest.security.verified import require_verified_email
from backrest.teams import mails
from backrest.teams.invitations import TeamInvitations
from backrest.teams.models import Team, TeamMember
from backrest.throttle import key_of, too_many

if TYPE_CHECKING:
    from pyramid.request import Request

    from backrest.teams.views import TeamViews

THROTTLE_SCOPE = "team_invitations"
INVALID = "This invitation is invalid, already used, revoked or expired."
NOT_YOURS = (
    "This invitation was sent to another address: log in with the account of that address to accept it."
)
SECONDS_PER_DAY = 24 * 3600


class InvitationViews:
    """A team's invitations: sent, listed and revoked by its managers; accepted by their invitees."""

    def __init__(self, views: TeamViews) -> None:
        self.views = views

    def invite(self, request: Request) -> dict[str, Any]:
        """202 and the invitation as typed, whatever the address: it is only mailed."""
        team: Team = request.context.obj
        self._limit(request)
        settings = request.registry.settings
        ttl = settings["backrest.tokens.team_invitation_ttl"]
        invitation, token = TeamInvitations(request.dbsession).issue(team.id, request.validated["email"], ttl)
        link = settings["backrest.urls.team_invitation"].replace("{token}", token)
        inviter = request.identity.user
        request.mail.send(
            invitation.email,
            *mails.invitation(team.name, inviter.email if inviter else None, link, ttl / SECONDS_PER_DAY),
        )
        changed = {"invitation": invitation.id, "email": invitation.email}
        self.views.record(request, "invitation_sent", team, changed)
        request.response.status = HTTPAccepted.code
        return {"status": "success", "invitation": invitation}

    @staticmethod
    def _limit(request: Request) -> None:
        """Each invitation mails an address the manager chose: so many per manager, whatever the team."""
        rate = request.registry.settings[f"backrest.throttle.{THROTTLE_SCOPE}"]
        decision = request.registry["throttle"].count(THROTTLE_SCOPE, rate, key_of(request.identity.actor))
        if not decision.allowed:
            raise too_many(decision, THROTTLE_SCOPE, "invitations")

    def list(self, request: Request) -> dict[str, Any]:
        return {"results": TeamInvitations(request.dbsession).pending(request.context.obj.id)}

    def revoke(self, request: Request) -> HTTPNoContent:
        team: Team = request.context.obj
        invitation_id = request.matchdict["invitation_id"]
        if not TeamInvitations(request.dbsession).revoke(team.id, invitation_id):
            raise http_error(404, "path", "invitation_id", "No such pending invitation of this team.")
        self.views.record(request, "invitation_revoked", team, {"invitation": invitation_id})
        return HTTPNoContent()

    def accept_in_path(self, request: Request) -> dict[str, Any]:
        return self._accept(request, request.matchdict["token"], "path")

    def accept_in_body(self, request: Request) -> dict[str, Any]:
        return self._accept(request, request.validated["token"], "body")

    def _accept(self, request: Request, token: str, location: str) -> dict[str, Any]:
        """The caller joins the team, if the invitation is live and was sent to their address.

        Another address's invitation is refused without a word about it,
        and stays live for its invitee.
        """
        require_verified_email(request)
        user = request.identity.user
        invitations = TeamInvitations(request.dbsession)
        invitation = invitations.find(token)
        if invitation is None:
            raise http_error(400, location, "token", INVALID)
        if invitation.email.lower() != user.email.lower():
            raise http_error(403, location, "token", NOT_YOURS)
        if not invitations.spend(invitation):
            raise http_error(400, location, "token", INVALID)
        team = request.dbsession.get(Team, invitation.team_id)
        changed = {"invitation": invitation.id, "member": user.id}
        if team.has_member(user.id):
            self.views.record(request, "invitation_accepted", team, changed)
        else:
            team.members.append(TeamMember(user_id=user.id, user=user))
            self.views.members_changed(request, team, "invitation_accepted", changed)
        return self._answer(request, team)

    def _answer(self, request: Request, team: Team) -> dict[str, Any]:
        """The team's representation, as its new member sees it from now on (this request included)."""
        identity = request.identity
        if team.id not in identity.team_ids:
            identity.team_ids = (*identity.team_ids, team.id)
            identity.grants = tuple(sorted({*identity.grants, *team.permissions}))
        item = CollectionResource(request, self.views.content_type).item(team)
        allowed = permissions(request, item)
        tag_response(request, item, allowed)
        return representation(request, item, allowed)
