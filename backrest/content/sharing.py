"""Objects shared with teams: what their members may then see, in SQL and in ACLs.

A share row names a collection, an object and a team. A caller sees the
objects shared with any of their teams: lists add that condition to the
visibility of the model, and the query that loads an object (or a page)
also reads which of the caller's teams it is shared with, for its ACL. No
statement more per request, however many teams or shares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select

from backrest.content.models import Share
from backrest.db import aggregated_names

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnElement, Label

    from backrest.content.declare import ContentType
    from backrest.security.identity import Identity


SHARED_TEAMS = "shared_teams"
"""The parameter of :func:`shared_teams_column`: the caller's teams, from :func:`caller_teams`."""


def caller_teams(content_type: ContentType, identity: Identity | None) -> tuple[str, ...]:
    """The caller's teams that objects of ``content_type`` may be shared with."""
    if identity is None or not content_type.shareable:
        return ()
    return identity.team_ids


def shared_condition(content_type: ContentType, identity: Identity | None) -> ColumnElement[bool] | None:
    """The objects shared with one of the caller's teams; ``None`` when the caller has no team."""
    teams = caller_teams(content_type, identity)
    if not teams:
        return None
    model = content_type.model
    return model.id.in_(
        select(Share.object_id).where(Share.team_id.in_(teams), Share.collection == content_type.name)
    )


def shared_teams_column(content_type: ContentType) -> Label[str | None]:
    """For each object: which of the teams named by the :data:`SHARED_TEAMS` parameter it is shared with.

    Space-separated, ``None`` for none. One statement serves every caller:
    their teams are its parameter.
    """
    model = content_type.model
    return (
        select(aggregated_names(Share.team_id))
        .where(
            Share.collection == content_type.name,
            Share.object_id == model.id,
            Share.team_id.in_(bindparam(SHARED_TEAMS, expanding=True)),
        )
        .scalar_subquery()
        .label("shared_with")
    )
