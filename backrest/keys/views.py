"""``/-/keys/``: a user's API keys, listed without their secrets, made and revoked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyramid.httpexceptions import HTTPCreated, HTTPNoContent
from sqlalchemy import select

from backrest import audit
from backrest.errors import http_error
from backrest.keys.credentials import new_credential, secret_hash
from backrest.keys.models import ApiKey
from backrest.keys.schemas import KeySchema
from backrest.security.permissions import Permission
from backrest.security.reauth import require_recent_password
from backrest.service import Service, colander_body_validator

if TYPE_CHECKING:
    from pyramid.request import Request

keys = Service("keys.keys", "/-/keys/", "The API keys of one's account.")
key = Service("keys.key", "/-/keys/{id}", "One API key of one's account.")

SERVICES = (keys, key)
OPTIONS = {"permission": Permission.ACCOUNT, "no_store": True}


@keys.get(**OPTIONS)
def list_view(request: Request) -> dict[str, Any]:
    found = request.dbsession.scalars(
        select(ApiKey)
        .where(ApiKey.user_id == request.identity.user_id)
        .order_by(ApiKey.created.desc(), ApiKey.id)
    )
    return {"results": list(found)}


@keys.post(schema=KeySchema(), validators=(colander_body_validator,), **OPTIONS)
def create_view(request: Request) -> dict[str, Any]:
    """Make a key; its credential is in this answer and nowhere else, ever."""
    require_recent_password(request)
    data = request.validated
    credential = new_credential()
    pepper = request.registry.settings["backrest.keys.pepper"]
    made = ApiKey(
        id=credential.key_id,
        user_id=request.identity.user_id,
        name=data["name"],
        secret_hash=secret_hash(credential.key_id, credential.secret, pepper),
        scopes=" ".join(dict.fromkeys(data["scopes"])),
        expires=data["expires"],
    )
    request.dbsession.add(made)
    request.dbsession.flush()
    audit.record(
        request,
        "key_created",
        object_type="key",
        object_id=made.id,
        owner_id=made.user_id,
        changes={"name": made.name, "scopes": made.scopes.split(), "expires": made.expires},
    )
    request.response.status = HTTPCreated.code
    return {**made.__json__(request), "key": f"{credential.key_id}:{credential.secret}"}


@key.delete(**OPTIONS)
def revoke_view(request: Request) -> HTTPNoContent:
    """Revoke a key: the next request made with it is a 401."""
    found = request.dbsession.scalars(
        select(ApiKey).where(ApiKey.id == request.matchdict["id"], ApiKey.user_id == request.identity.user_id)
    ).first()
    if found is None:
        raise http_error(404, "path", "id", "No such key.")
    request.dbsession.delete(found)
    audit.record(request, "key_revoked", object_type="key", object_id=found.id, owner_id=found.user_id)
    return HTTPNoContent()
