"""``home.describe_site``: what a frontend or a script asks first, in one call.

The site's name and version, its collections with what the caller may do
there, its methods, and who the caller is: the same facts as the API root,
``/-/version`` and ``GET /-/login`` together, typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version as package_version
from typing import TYPE_CHECKING

from backrest.content.resources import CollectionResource
from backrest.methods import method
from backrest.security.permissions import Permission

if TYPE_CHECKING:
    from pyramid.request import Request

    from backrest.content.declare import ContentType
    from backrest.security.identity import Identity


@dataclass
class Collection:
    name: str
    url: str
    kind: str
    description: str
    may_create: bool
    """Whether the caller may add objects to it."""


@dataclass
class Caller:
    user_id: str | None
    """``None`` for a team's API key, which acts as its team."""
    is_admin: bool
    credential: str
    """How the caller authenticated: ``session``, ``API key``, ``access token`` or ``password`` (Basic)."""
    scopes: list[str] | None
    """What the key or token may do; ``None`` for a session, which may do all the user may."""
    teams: list[str]
    grants: list[str]
    """The permissions the caller's teams hold on whole collections (``documents.view``)."""


@dataclass
class Site:
    name: str
    version: str
    root: str
    collections: list[Collection]
    methods: list[str]
    caller: Caller | None
    """``None`` for an anonymous caller."""


def _credential(identity: Identity) -> str:
    if identity.session_id is not None:
        return "session"
    return identity.scoped_by if identity.scopes is not None else "password"


def _caller(request: Request) -> Caller | None:
    identity = request.identity
    if identity is None:
        return None
    return Caller(
        user_id=identity.user_id,
        is_admin=identity.is_admin,
        credential=_credential(identity),
        scopes=sorted(identity.scopes) if identity.scopes is not None else None,
        teams=sorted(identity.team_ids),
        grants=sorted(identity.grants),
    )


def _may_create(request: Request, content_type: ContentType) -> bool:
    if content_type.read_only:
        return False
    return bool(request.has_permission(Permission.CREATE, CollectionResource(request, content_type)))


@method("home", permission=Permission.PUBLIC)
def describe_site(request: Request) -> Site:
    """The site, its collections and methods, and who the caller is."""
    registry = request.registry
    return Site(
        name=registry.settings["backrest.site_name"],
        version=registry.settings["backrest.version"] or package_version("backrest"),
        root=f"{request.application_url}/-/",
        collections=[
            Collection(
                name=name,
                url=f"{request.application_url}/-/{name}/",
                kind=content_type.kind,
                description=content_type.description,
                may_create=_may_create(request, content_type),
            )
            for name, content_type in registry.get("backrest.content_types", {}).items()
        ],
        methods=sorted(registry.get("backrest.methods", {})),
        caller=_caller(request),
    )
