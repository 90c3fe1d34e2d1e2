"""Teams: members, permissions granted on content types, managed at ``/-/teams/``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest.teams.models import Team
from backrest.teams.schemas import TeamMembers, TeamSchema
from backrest.teams.services import team_services

if TYPE_CHECKING:
    from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    config.add_content_kind(Team, "team", team_services)
    config.add_content_type(
        name="teams",
        model=Team,
        schema=TeamSchema,
        description="Teams: their members, and what they may do on every object of a content type.",
        filters={"name": ("exact",), "owner_id": ("exact",)},
        search=("name",),
        ordering=("name", "created", "modified"),
        default_ordering="name",
        shareable=False,
        read_only_fields=TeamMembers,
    )
