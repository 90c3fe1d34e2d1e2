"""API keys, listed without their secrets, made and revoked: a user's at ``/-/keys/``, a team's under it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyramid.httpexceptions import HTTPCreated, HTTPNoContent
from sqlalchemy import select

from backrest import audit
from backrest.accounts import mails
from backrest.errors import http_error
from backrest.keys.credentials import new_credential, secret_hash
from backrest.keys.models import ApiKey
from backrest.keys.schemas import KeyList, KeySchema, NewKey
from backrest.security.permissions import Permission
from backrest.security.reauth import require_recent_password
from backrest.security.verified import require_verified_email
from backrest.service import Service
from backrest.validation import body_validator

if TYPE_CHECKING:
    from pyramid.request import Request

keys = Service("keys.keys", "/-/keys/", "The API keys of one's account.")
key = Service("keys.key", "/-/keys/{id}", "One API key of one's account.")

SERVICES = (keys, key)
OPTIONS = {"permission": Permission.ACCOUNT, "no_store": True}
WRITE_OPTIONS = {**OPTIONS, "schema": KeySchema(), "validators": (body_validator,)}
LISTED = {"response_schema": KeyList()}
MADE = {"response_schema": NewKey(), "success_status": HTTPCreated.code}
"""What the definitions that list and make keys (a person's, a team's) say of their answers."""


def listed(request: Request, **owner: str) -> dict[str, Any]:
    """The keys of ``owner`` (``user_id=`` or ``team_id=``), newest first."""
    conditions = [getattr(ApiKey, name) == value for name, value in owner.items()]
    found = request.dbsession.scalars(
        select(ApiKey).where(*conditions).order_by(ApiKey.created.desc(), ApiKey.id)
    )
    return {"results": list(found)}


def made(request: Request, **owner: str) -> dict[str, Any]:
    """A new key of ``owner``; its credential is in this answer and nowhere else, ever.

    Its maker is told by mail, so a key made by someone else in their
    session does not go unseen.
    """
    require_recent_password(request)
    require_verified_email(request)
    data = request.validated
    credential = new_credential()
    pepper = request.registry.settings["backrest.keys.pepper"]
    new = ApiKey(
        id=credential.key_id,
        **owner,
        created_by=request.identity.user_id,
        name=data["name"],
        secret_hash=secret_hash(credential.key_id, credential.secret, pepper),
        scopes=" ".join(dict.fromkeys(data["scopes"])),
        expires=data["expires"],
    )
    request.dbsession.add(new)
    request.dbsession.flush()
    audit.record(
        request,
        "key_created",
        object_type="key",
        object_id=new.id,
        owner_id=request.identity.user_id,
        changes={"name": new.name, "scopes": new.scopes.split(), "expires": new.expires, **owner},
    )
    maker = request.identity.user
    team_name = request.context.obj.name if "team_id" in owner else None
    request.mail.send(maker.email, *mails.key_created(new.name, team_name, mails.Circumstances.of(request)))
    request.response.status = HTTPCreated.code
    return {**new.__json__(request), "key": f"{credential.key_id}:{credential.secret}"}


def revoked(request: Request, key_id: str, **owner: str) -> HTTPNoContent:
    """Revoke a key of ``owner``: the next request made with it is a 401."""
    conditions = [getattr(ApiKey, name) == value for name, value in owner.items()]
    found = request.dbsession.scalars(select(ApiKey).where(ApiKey.id == key_id, *conditions)).first()
    if found is None:
        raise http_error(404, "path", "key_id" if "team_id" in owner else "id", "No such key.")
    request.dbsession.delete(found)
    audit.record(
        request, "key_revoked", object_type="key", object_id=found.id, owner_id=request.identity.user_id
    )
    return HTTPNoContent()


@keys.get(**OPTIONS, **LISTED)
def list_view(request: Request) -> dict[str, Any]:
    return listed(request, user_id=request.identity.user_id)


@keys.post(**WRITE_OPTIONS, **MADE)
def create_view(request: Request) -> dict[str, Any]:
    return made(request, user_id=request.identity.user_id)


@key.delete(**OPTIONS)
def revoke_view(request: Request) -> HTTPNoContent:
    return revoked(request, request.matchdict["id"], user_id=request.identity.user_id)
