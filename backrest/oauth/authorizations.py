"""``/-/authorizations``: the applications a user allowed, and revoking one.

Revoking marks the grant and every token issued from it revoked, at once:
the application's next request with any of them is a 401. Like the rest of
the account, this is the user's own business: an API key or an access
token may not see or change it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyramid.httpexceptions import HTTPNoContent
from sqlalchemy import select

from backrest import audit
from backrest.errors import http_error
from backrest.oauth import grants
from backrest.oauth.models import Grant
from backrest.oauth.schemas import AuthorizationList
from backrest.security.permissions import Permission
from backrest.service import Service

if TYPE_CHECKING:
    from pyramid.request import Request

authorizations = Service(
    "oauth.authorizations",
    "/-/authorizations/",
    "The applications one allowed to act for one (OAuth2 grants).",
)
authorization = Service("oauth.authorization", "/-/authorizations/{id}", "One application one allowed.")
OPTIONS = {"permission": Permission.ACCOUNT, "no_store": True}


@authorizations.get(**OPTIONS, response_schema=AuthorizationList())
def list_view(request: Request) -> dict[str, Any]:
    found = request.dbsession.scalars(
        select(Grant)
        .where(Grant.user_id == request.identity.user_id, Grant.revoked.is_(None))
        .order_by(Grant.created.desc(), Grant.id)
    )
    return {"results": list(found)}


@authorization.delete(**OPTIONS)
def revoke_view(request: Request) -> HTTPNoContent:
    user_id = request.identity.user_id
    found = request.dbsession.scalars(
        select(Grant).where(
            Grant.id == request.matchdict["id"], Grant.user_id == user_id, Grant.revoked.is_(None)
        )
    ).first()
    if found is None:
        raise http_error(404, "path", "id", "No such authorization.")
    grants.revoke_grant(request.dbsession, found.id)
    audit.record(
        request,
        "oauth_revoked",
        object_type="authorization",
        object_id=found.id,
        owner_id=user_id,
        changes={"application": found.application_id},
    )
    return HTTPNoContent()
