"""The bodies of teams and of their members."""

from __future__ import annotations

import colander

from backrest.schema import Body, email_node, text_node
from backrest.teams.models import NAME_LENGTH, PERMISSION_LENGTH

DESCRIPTION_LENGTH = 10_000


class TeamSchema(Body):
    name = text_node(max_length=NAME_LENGTH, description="The team's name.")
    description = text_node(max_length=DESCRIPTION_LENGTH, missing="", allow_empty=True)
    permissions = colander.SchemaNode(
        colander.Sequence(),
        text_node(max_length=PERMISSION_LENGTH, name="permission"),
        missing=(),
        description="What the team's members may do on every object of a content type "
        "(documents.view, files.edit, teams.manage...): admins grant them.",
    )


class MemberSchema(Body):
    email = email_node(description="The address of the account to add.")
