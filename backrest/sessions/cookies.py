"""The session cookie: reading it, setting it after login, clearing it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backrest.sessions.services import SessionService

if TYPE_CHECKING:
    from pyramid.request import Request
    from pyramid.response import Response
    from sqlalchemy.engine import Row


def session_service(request: Request) -> SessionService:
    return SessionService(request.dbsession, request.registry.settings)


def session_from_cookie(request: Request) -> Row[Any] | None:
    """The session the cookie names, with its user's id and role (see ``SessionService.find``)."""
    token = request.cookies.get(request.registry.settings["backrest.session.cookie_name"])
    if not token:
        return None
    return session_service(request).find(token, request.dbconnection)


def _cookie_options(request: Request) -> dict[str, object]:
    settings = request.registry.settings
    return {
        "path": request.script_name or "/",
        "domain": settings["backrest.session.cookie_domain"] or None,
        "secure": settings["backrest.session.secure"],
        "httponly": True,
        "samesite": "Lax",
    }


def set_session_cookie(request: Request, token: str) -> None:
    """Send ``token`` as the session cookie with whatever response this request gets."""
    settings = request.registry.settings

    def callback(request: Request, response: Response) -> None:
        response.set_cookie(
            settings["backrest.session.cookie_name"],
            token,
            max_age=settings["backrest.session.absolute_timeout"],
            **_cookie_options(request),
        )

    request.add_response_callback(callback)


def clear_session_cookie(request: Request) -> None:
    name = request.registry.settings["backrest.session.cookie_name"]

    def callback(request: Request, response: Response) -> None:
        response.delete_cookie(
            name,
            path=_cookie_options(request)["path"],
            domain=_cookie_options(request)["domain"],
        )

    request.add_response_callback(callback)
