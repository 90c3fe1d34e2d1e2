"""The bodies of teams and of the invitations to join them, and the answers about invitations."""

from __future__ import annotations

from typing import Any

import colander

from backrest.accounts.schemas import Success
from backrest.schema import Body, email_node, text_node
from backrest.teams.membership import known_permissions
from backrest.teams.models import NAME_LENGTH, PERMISSION_LENGTH

DESCRIPTION_LENGTH = 10_000


@colander.deferred
def permission_choices(_node: colander.SchemaNode, kw: dict[str, Any]) -> list[str]:
    """The permissions a team may hold, for OPTIONS: known once every content type is registered."""
    return known_permissions(kw["request"].registry["backrest.content_types"].values())


class TeamSchema(Body):
    name = text_node(max_length=NAME_LENGTH, description="The team's name.")
    description = text_node(max_length=DESCRIPTION_LENGTH, missing="", allow_empty=True)
    permissions = colander.SchemaNode(
        colander.Sequence(),
        text_node(max_length=PERMISSION_LENGTH, name="permission", choices=permission_choices),
        missing=(),
        description="What the team's members may do on every object of a content type "
        "(documents.view, files.edit, teams.manage...): admins grant them.",
    )


class Member(colander.MappingSchema):
    id = colander.SchemaNode(colander.String(), description="The member's user id.")
    firstname = colander.SchemaNode(colander.String())
    lastname = colander.SchemaNode(colander.String())


class TeamMembers(colander.MappingSchema):
    """What a team's representation adds to its fields: who is in it."""

    members = colander.SequenceSchema(Member(), description="The members, the earliest first.")


class MemberSchema(Body):
    email = email_node(description="The address to invite: its owner joins the team by accepting.")


class Invitation(colander.MappingSchema):
    description = "An invitation to join a team, as its managers see it."
    id = colander.SchemaNode(colander.String())
    email = colander.SchemaNode(colander.String(), description="The address invited, as it was typed.")
    expires = colander.SchemaNode(colander.DateTime())


class Invited(Success):
    description = "The invitation is mailed: the same answer whatever the address."
    invitation = Invitation()


class InvitationList(colander.MappingSchema):
    results = colander.SequenceSchema(Invitation(), description="The pending ones, the oldest first.")
