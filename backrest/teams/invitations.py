"""Issuing, finding, spending and revoking the invitations to join a team."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, or_, select

from backrest.db import utcnow
from backrest.security.tokens import new_token, spend_once, token_hash
from backrest.teams.models import TeamInvitation

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session
    from sqlalchemy.sql.elements import ColumnElement


class TeamInvitations:
    def __init__(self, dbsession: Session) -> None:
        self.dbsession = dbsession

    def issue(self, team_id: str, email: str, ttl: int) -> tuple[TeamInvitation, str]:
        """A new invitation of ``email`` and its token (the only copy of it).

        It replaces the team's earlier invitation of the address, and the
        team's spent and expired ones go: a team keeps one row per address
        at most, however often it invites.
        """
        now = utcnow()
        self.dbsession.execute(
            delete(TeamInvitation).where(
                TeamInvitation.team_id == team_id,
                or_(
                    func.lower(TeamInvitation.email) == email.lower(),
                    TeamInvitation.used.is_not(None),
                    TeamInvitation.expires <= now,
                ),
            ),
            execution_options={"synchronize_session": False},
        )
        token = new_token()
        invitation = TeamInvitation(
            team_id=team_id, email=email, token_hash=token_hash(token), expires=now + timedelta(seconds=ttl)
        )
        self.dbsession.add(invitation)
        self.dbsession.flush()
        return invitation, token

    def pending(self, team_id: str) -> list[TeamInvitation]:
        """The team's invitations that may still be accepted, oldest first."""
        return list(
            self.dbsession.scalars(
                select(TeamInvitation)
                .where(TeamInvitation.team_id == team_id, *self._live())
                .order_by(TeamInvitation.created, TeamInvitation.id)
            )
        )

    def find(self, token: str) -> TeamInvitation | None:
        """The live invitation of ``token``; ``None`` for unknown, spent, revoked or expired ones."""
        return self.dbsession.scalars(
            select(TeamInvitation).where(TeamInvitation.token_hash == token_hash(token), *self._live())
        ).first()

    def spend(self, invitation: TeamInvitation) -> bool:
        """Use ``invitation`` up; ``False`` when it was spent or expired meanwhile."""
        return spend_once(self.dbsession, TeamInvitation, invitation.id, *self._live())

    def revoke(self, team_id: str, invitation_id: str) -> bool:
        """Withdraw a pending invitation of the team; ``False`` when there is no such one."""
        result = self.dbsession.execute(
            delete(TeamInvitation).where(
                TeamInvitation.id == invitation_id, TeamInvitation.team_id == team_id, *self._live()
            ),
            execution_options={"synchronize_session": False},
        )
        return result.rowcount == 1

    @staticmethod
    def _live(now: datetime | None = None) -> tuple[ColumnElement[bool], ...]:
        """Not spent and not expired (at ``now``)."""
        return (TeamInvitation.used.is_(None), TeamInvitation.expires > (now or utcnow()))
