"""What a caller's teams give them, read with the query that finds the caller.

The session lookup (and an API key's, and a password's) selects these two
columns beside the user's: one statement finds who the caller is and which
teams and grants they hold, whatever the number of teams.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from backrest.accounts.models import User
from backrest.db import aggregated_names, names_of
from backrest.security.identity import Identity, row_loader
from backrest.security.permissions import GRANTABLE, Permission, type_permission
from backrest.teams.models import MANAGE, TeamGrant, TeamMember

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pyramid.request import Request
    from sqlalchemy.engine import Row
    from sqlalchemy.sql.elements import ColumnElement
    from sqlalchemy.sql.selectable import ScalarSelect

    from backrest.content.declare import ContentType


def teams_of(user_id: ColumnElement[str]) -> ScalarSelect[str | None]:
    """The ids of the user's teams, space-separated (``None`` for none)."""
    return select(aggregated_names(TeamMember.team_id)).where(TeamMember.user_id == user_id).scalar_subquery()


def grants_of(user_id: ColumnElement[str]) -> ScalarSelect[str | None]:
    """The permissions the user's teams hold, space-separated (``None`` for none)."""
    return (
        select(aggregated_names(TeamGrant.permission))
        .join(TeamMember, TeamMember.team_id == TeamGrant.team_id)
        .where(TeamMember.user_id == user_id)
        .scalar_subquery()
    )


def caller_columns() -> tuple[ColumnElement[Any], ...]:
    """What an identity needs of the user row: ``user_id``, ``is_admin``, ``team_ids``, ``grants``."""
    return (
        User.id.label("user_id"),
        User.is_admin,
        teams_of(User.id).label("team_ids"),
        grants_of(User.id).label("grants"),
    )


def caller_identity(request: Request, row: Row[Any], **credentials: Any) -> Identity:
    """The identity of the user of a row that selected :func:`caller_columns`.

    ``credentials`` are what the source adds (a key's scopes, a session);
    the user's row is loaded only if an endpoint asks for it.
    """
    return Identity(
        row.user_id,
        row.is_admin,
        team_ids=names_of(row.team_ids),
        grants=names_of(row.grants),
        load_user=row_loader(request, User, row.user_id),
        **credentials,
    )


def team_grants(team_id: ColumnElement[str | None]) -> ScalarSelect[str | None]:
    """The permissions the team holds, space-separated (``None`` for none): a team key's."""
    return (
        select(aggregated_names(TeamGrant.permission)).where(TeamGrant.team_id == team_id).scalar_subquery()
    )


def permissions_of(content_type: ContentType) -> list[str]:
    """The permissions a team may hold on ``content_type``: ``documents.view``, ``documents.edit``..."""
    actions = (Permission.VIEW,) if content_type.read_only else GRANTABLE
    return [type_permission(content_type.name, action) for action in actions]


def known_permissions(content_types: Iterable[ContentType]) -> list[str]:
    """Every permission a team may hold, generated from the registered content types."""
    found = [
        permission
        for content_type in content_types
        if content_type.name != "teams"
        for permission in permissions_of(content_type)
    ]
    return sorted([*found, MANAGE])
