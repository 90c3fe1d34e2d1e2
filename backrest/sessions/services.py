"""Starting, finding, renewing and ending server-side sessions."""

from __future__ import annotations

import ipaddress
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, select, update

from backrest.accounts.models import User
from backrest.db import utcnow
from backrest.security.tokens import new_token, token_hash
from backrest.sessions.models import USER_AGENT_LENGTH, UserSession
from backrest.statements import Prepared
from backrest.teams.membership import caller_columns

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Row
    from sqlalchemy.orm import Session

LAST_SEEN_RESOLUTION = timedelta(minutes=1)
"""``last_seen`` is written at most this often, not on every request..."""
IDLE_SHARE = 10
"""... and at most a tenth of the idle timeout, so that a session in use
never looks idle for longer than nine tenths of it."""


def truncated_ip(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped:  # noqa: PLR2004 - an IPv4 client seen through an IPv6 socket
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48  # noqa: PLR2004
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


FIND = Prepared(
    select(
        UserSession.id,
        UserSession.csrf_token,
        UserSession.created,
        UserSession.last_seen,
        *caller_columns(),
    )
    .join(User, User.id == UserSession.user_id)
    .where(UserSession.token_hash == bindparam("token_hash"))
)
"""Every request with a session cookie runs it."""


class SessionService:
    def __init__(self, dbsession: Session, settings: dict[str, Any]) -> None:
        self.dbsession = dbsession
        self.idle_timeout = timedelta(seconds=settings["backrest.session.idle_timeout"])
        self.absolute_timeout = timedelta(seconds=settings["backrest.session.absolute_timeout"])
        self.last_seen_resolution = min(LAST_SEEN_RESOLUTION, self.idle_timeout / IDLE_SHARE)

    def start(self, user: User, client_addr: str, user_agent: str) -> tuple[UserSession, str]:
        """A new session for ``user`` and the cookie value that names it."""
        token = new_token()
        now = utcnow()
        session = UserSession(
            token_hash=token_hash(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created=now,
            last_seen=now,
            authenticated=now,
            ip=truncated_ip(client_addr),
            user_agent=user_agent[:USER_AGENT_LENGTH],
        )
        self.dbsession.add(session)
        self.dbsession.flush()
        return session, token

    def find(self, token: str, connection: Connection) -> Row[Any] | None:
        """The live session named by a cookie value, with its user's id and role, in one query.

        Read on ``connection`` (the request's ``dbconnection``); an expired
        session is deleted, and ``last_seen`` written, through the session.
        """
        row = FIND.first(connection, {"token_hash": token_hash(token)})
        if row is None:
            return None
        now = utcnow()
        if self.expired(row, now):
            self.dbsession.execute(delete(UserSession).where(UserSession.id == row.id))
            return None
        if now - row.last_seen > self.last_seen_resolution:
            self.dbsession.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen=now))
        return row

    def expired(self, session: UserSession | Row[Any], now: datetime) -> bool:
        return now - session.last_seen > self.idle_timeout or now - session.created > self.absolute_timeout

    def sessions_of(self, user: User) -> list[UserSession]:
        return list(
            self.dbsession.scalars(
                select(UserSession)
                .where(UserSession.user_id == user.id)
                .order_by(UserSession.last_seen.desc(), UserSession.id)
            )
        )

    def end(self, session: UserSession) -> None:
        self.dbsession.delete(session)
        self.dbsession.flush()

    def end_all(self, user: User, keep: UserSession | None = None) -> None:
        """End every session of ``user``, except ``keep`` when given."""
        statement = delete(UserSession).where(UserSession.user_id == user.id)
        if keep is not None:
            statement = statement.where(UserSession.id != keep.id)
        self.dbsession.execute(statement, execution_options={"synchronize_session": False})
        self.dbsession.expire_all()

    def reauthenticated(self, session: UserSession) -> None:
        session.authenticated = utcnow()
