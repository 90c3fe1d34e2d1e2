"""The resource tree of content: a collection under the root, an item under its collection."""

from __future__ import annotations

import weakref
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from pyramid.authorization import ALL_PERMISSIONS, DENY_ALL, Allow
from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import bindparam, inspect, select

from backrest.content.loading import ObjectRows, rows_of
from backrest.content.sharing import SHARED_TEAMS, caller_teams, shared_condition, shared_teams_column
from backrest.db import names_of
from backrest.replicas import read
from backrest.resources import Root
from backrest.security.permissions import (
    OBJECT_PERMISSIONS,
    Permission,
    Principal,
    grant_principal,
    team_principal,
    type_permission,
)
from backrest.statements import Prepared
from backrest.transactions import may_write

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.request import Request
    from sqlalchemy.orm import Session
    from sqlalchemy.sql.elements import ColumnElement

    from backrest.content.declare import ContentType
    from backrest.content.models import Content
    from backrest.security.identity import Identity


class CollectionResource:
    """A content type's collection: anyone may list it (lists are filtered), members may add."""

    def __init__(self, request: Request, content_type: ContentType) -> None:
        # Held weakly: the request holds its context, and a reference back
        # would leave every request to the cyclic garbage collector.
        self._request = weakref.ref(request)
        self.content_type = content_type
        self.__name__ = content_type.name
        self.__parent__ = Root(request)

    @property
    def __acl__(self) -> list[tuple[str, str, Any]]:
        return [
            (Allow, Principal.ADMIN, ALL_PERMISSIONS),
            (Allow, Principal.EVERYONE, Permission.VIEW),
            *((Allow, principal, Permission.CREATE) for principal in self.content_type.creators),
            (
                Allow,
                grant_principal(type_permission(self.content_type.name, Permission.CREATE)),
                Permission.CREATE,
            ),
        ]

    @cached_property
    def url(self) -> str:
        """Made once, when first asked for: every object of a page has its URL under it, a 304 needs none."""
        return f"{self._request().application_url}/-/{self.content_type.name}/"

    def item(self, obj: Content, shared_with: tuple[str, ...] = ()) -> ItemResource:
        return ItemResource(obj, self, shared_with)


class ItemResource:
    """One object; its ACL is the object's own."""

    hides_existence = True
    """A caller who may not view the object is told it does not exist (404)."""

    def __init__(self, obj: Content, parent: CollectionResource, shared_with: tuple[str, ...] = ()) -> None:
        self.obj = obj
        self.__name__ = obj.id
        self.__parent__ = parent
        self.shared_with = shared_with
        """The caller's teams the object is shared with (not the others': the caller may not know them)."""

    def __acl__(self) -> list[tuple[str, str, Any]]:
        # Nothing is inherited: the collection lets everyone view (its list),
        # which must not let everyone view each object in it.
        return [
            *self.obj.__acl__(),
            *granted(self.__parent__.content_type.name),
            *((Allow, team_principal(team_id), Permission.VIEW) for team_id in self.shared_with),
            DENY_ALL,
        ]

    @property
    def url(self) -> str:
        return self.__parent__.url + self.obj.id


@cache
def granted(collection: str) -> tuple[tuple[str, str, Any], ...]:
    """The ACL entries of the grants on ``collection``: its objects, whoever owns them."""
    return tuple(
        (Allow, grant_principal(type_permission(collection, permission)), permission)
        for permission in OBJECT_PERMISSIONS
    )


def visibility_for(content_type: ContentType, identity: Identity | None) -> list[ColumnElement[bool]] | None:
    """The model's visibility for ``identity``, or every object for a holder of the type's view grant."""
    if identity is not None and type_permission(content_type.name, Permission.VIEW) in identity.grants:
        return None
    conditions = content_type.model.visibility(identity)
    shared = shared_condition(content_type, identity)
    if conditions is None or shared is None:
        return conditions
    return [*conditions, shared]


def collection_factory(content_type: ContentType) -> Callable[[Request], CollectionResource]:
    def factory(request: Request) -> CollectionResource:
        return CollectionResource(request, content_type)

    return factory


class _ItemStatements:
    """The statements that load an object of a content type, for a caller without and with teams."""

    def __init__(self, content_type: ContentType, rows: ObjectRows) -> None:
        model = content_type.model
        shared = shared_teams_column(content_type)
        loaded = select(model).where(model.id == bindparam("id"))
        self.load = (loaded, loaded.add_columns(shared))
        """For requests that may write: the object in the session."""
        read = select(*rows.columns).where(model.id == bindparam("id"))
        self.read = (Prepared(read), Prepared(read.add_columns(shared)))
        """For safe requests: the object's row."""


def item_loader(model: type[Content]) -> Callable[[Request, str], ItemResource]:
    """A function loading an object of ``model`` by its id, as the resource of its URL, or raising 404.

    The caller's rights are not checked here: the view's permission is, on
    the resource. The object is made from its row
    (:mod:`backrest.content.loading`); a request that may write gets it in
    its session, as if the session had loaded it. Models that need a session
    to load (relationships) are loaded by it.
    """
    rows = rows_of(model)
    # By collection: one model may serve two applications' content types.
    statements: dict[str, _ItemStatements] = {}

    def load_item(request: Request, object_id: str) -> ItemResource:
        content_type = request.registry["backrest.content_types_by_model"][model]
        made = statements.get(content_type.name) or statements.setdefault(
            content_type.name, _ItemStatements(content_type, rows)
        )
        teams = caller_teams(content_type, request.identity)
        parameters = {"id": object_id, SHARED_TEAMS: teams}
        if rows.complete:
            statement = made.read[bool(teams)]
            # On the replica for a GET or HEAD; a write reads what it changes on the primary.
            row = read(request, lambda connection: statement.first(connection, parameters))
            obj = row and rows.object(row)
            if obj is not None and may_write(request):
                obj = _in_session(request.dbsession, obj)
        else:
            row = request.dbsession.execute(made.load[bool(teams)], parameters).first()
            obj = row and row[0]
        if row is None:
            # Answered exactly as an object the caller may not see (errors.forbidden_view):
            # the two must not be told apart.
            raise HTTPNotFound
        return CollectionResource(request, content_type).item(obj, names_of(row[-1]) if teams else ())

    return load_item


def _in_session(session: Session, obj: Content) -> Content:
    """``obj`` as the session holds it, for the request to change: the instance it has, or this one, added.

    As if the session had loaded it: a session keeps one instance per row.
    """
    held = session.identity_map.get(inspect(obj).key)
    if held is not None:
        return held
    session.add(obj)
    return obj


def id_factory(model: type[Content]) -> Callable[[Request], ItemResource]:
    """A factory that loads the object whose id is in the URL, or answers 404."""
    load_item = item_loader(model)

    def factory(request: Request) -> ItemResource:
        return load_item(request, request.matchdict["id"])

    return factory
