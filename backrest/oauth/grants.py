"""What users agreed to let applications do, and revoking it.

A grant is made the first time a user allows an application, and widened
when they later allow it more scopes. Revoking marks rows, never deletes
them: the grant and its tokens, or one family of tokens (those descending
from one code through refreshes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, update

from backrest import audit
from backrest.accounts import mails
from backrest.db import utcnow
from backrest.oauth.models import Grant, Token
from backrest.oauth.scope_words import described

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pyramid.request import Request
    from sqlalchemy.orm import Session

    from backrest.accounts.models import User
    from backrest.oauth.models import Application


def scope_text(scopes: Iterable[str]) -> str:
    """Scopes as OAuth writes them: sorted, space-separated, each once."""
    return " ".join(sorted(set(scopes)))


def live_grant(dbsession: Session, user_id: str, application_id: str) -> Grant | None:
    return dbsession.scalars(
        select(Grant).where(
            Grant.user_id == user_id, Grant.application_id == application_id, Grant.revoked.is_(None)
        )
    ).first()


def covers(grant: Grant | None, scopes: Iterable[str]) -> bool:
    """Whether the user already agreed to every one of ``scopes``: they need not be asked again."""
    return grant is not None and set(scopes) <= set(grant.scopes.split())


def agree(request: Request, user: User, application: Application, scopes: Iterable[str]) -> Grant:
    """The user's grant to ``application``, covering ``scopes``: made or widened, audited and mailed."""
    scopes = set(scopes)
    grant = live_grant(request.dbsession, user.id, application.id)
    if covers(grant, scopes):
        return grant
    if grant is None:
        grant = Grant(user_id=user.id, application_id=application.id, scopes=scope_text(scopes))
        request.dbsession.add(grant)
        request.dbsession.flush()
    else:
        grant.scopes = scope_text({*grant.scopes.split(), *scopes})
    audit.record(
        request,
        "oauth_authorized",
        actor_id=user.id,
        object_type="authorization",
        object_id=grant.id,
        owner_id=user.id,
        changes={"application": application.id, "scopes": grant.scopes.split()},
    )
    circumstances = mails.Circumstances.of(request)
    request.mail.send(
        user.email, *mails.oauth_authorized(application.name, described(grant.scopes.split()), circumstances)
    )
    return grant


def revoke_grant(dbsession: Session, grant_id: str) -> None:
    """The grant and every token issued from it stop working at once."""
    now = utcnow()
    dbsession.execute(
        update(Grant).where(Grant.id == grant_id, Grant.revoked.is_(None)).values(revoked=now),
        execution_options={"synchronize_session": False},
    )
    _revoke_tokens(dbsession, Token.grant_id == grant_id)


def revoke_grants_of(dbsession: Session, user_id: str) -> None:
    """Every application the user authorized loses its access: after a new password, for one."""
    grants = select(Grant.id).where(Grant.user_id == user_id).scalar_subquery()
    dbsession.execute(
        update(Grant).where(Grant.user_id == user_id, Grant.revoked.is_(None)).values(revoked=utcnow()),
        execution_options={"synchronize_session": False},
    )
    _revoke_tokens(dbsession, Token.grant_id.in_(grants))


def revoke_family(dbsession: Session, family: str) -> None:
    """Every token descending from one code: after a replayed code or refresh token."""
    _revoke_tokens(dbsession, Token.family == family)


def _revoke_tokens(dbsession: Session, condition: object) -> None:
    dbsession.execute(
        update(Token).where(condition, Token.revoked.is_(None)).values(revoked=utcnow()),
        execution_options={"synchronize_session": False},
    )
