"""The account's sessions: list them, end one, end all the others."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyramid.httpexceptions import HTTPNoContent
from sqlalchemy import select

from backrest import audit
from backrest.errors import http_error
from backrest.security.identity import set_identity
from backrest.security.permissions import Permission
from backrest.security.reauth import require_recent_password
from backrest.service import Service
from backrest.sessions.cookies import clear_session_cookie, session_service
from backrest.sessions.models import UserSession
from backrest.sessions.schemas import SessionList

if TYPE_CHECKING:
    from pyramid.request import Request

sessions = Service("sessions.sessions", "/-/sessions/", "The sessions of one's account.")
session = Service("sessions.session", "/-/sessions/{id}", "One session of one's account.")

SERVICES = (sessions, session)
OPTIONS = {"permission": Permission.ACCOUNT, "no_store": True}


@sessions.get(**OPTIONS, response_schema=SessionList())
def list_view(request: Request) -> dict[str, Any]:
    return {"results": session_service(request).sessions_of(request.identity.user)}


@sessions.delete(**OPTIONS)
def end_others_view(request: Request) -> HTTPNoContent:
    require_recent_password(request)
    identity = request.identity
    session_service(request).end_all(identity.user, keep=identity.session)
    audit.record(request, "sessions_ended", object_type="user", object_id=identity.user_id)
    return HTTPNoContent()


@session.delete(**OPTIONS)
def end_view(request: Request) -> HTTPNoContent:
    identity = request.identity
    target = request.dbsession.scalars(
        select(UserSession).where(
            UserSession.id == request.matchdict["id"], UserSession.user_id == identity.user_id
        )
    ).first()
    if target is None:
        raise http_error(404, "path", "id", "No such session.")
    if target.id != identity.session_id:
        # Ending another session is ending another device's access: whoever
        # took over this one must not lock the owner out without the password.
        require_recent_password(request)
    if target.id == identity.session_id:
        clear_session_cookie(request)
        set_identity(request, None)
    session_service(request).end(target)
    audit.record(
        request, "session_ended", actor_id=identity.user_id, object_type="session", object_id=target.id
    )
    return HTTPNoContent()
