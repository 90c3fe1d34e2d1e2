"""The resource tree of content: a collection under the root, an item under its collection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyramid.authorization import ALL_PERMISSIONS, DENY_ALL, Allow
from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import bindparam, select

from backrest.resources import Root
from backrest.security.permissions import Permission, Principal

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.request import Request

    from backrest.content.declare import ContentType
    from backrest.content.models import Content


class CollectionResource:
    """A content type's collection: anyone may list it (lists are filtered), members may add."""

    def __init__(self, request: Request, content_type: ContentType) -> None:
        self.request = request
        self.content_type = content_type
        self.__name__ = content_type.name
        self.__parent__ = Root(request)

    @property
    def __acl__(self) -> list[tuple[str, str, Any]]:
        return [
            (Allow, Principal.ADMIN, ALL_PERMISSIONS),
            (Allow, Principal.EVERYONE, Permission.VIEW),
            *((Allow, principal, Permission.CREATE) for principal in self.content_type.creators),
        ]

    @property
    def url(self) -> str:
        return f"{self.request.application_url}/-/{self.content_type.name}/"

    def item(self, obj: Content) -> ItemResource:
        return ItemResource(obj, self)


class ItemResource:
    """One object; its ACL is the object's own."""

    hides_existence = True
    """A caller who may not view the object is told it does not exist (404)."""

    def __init__(self, obj: Content, parent: CollectionResource) -> None:
        self.obj = obj
        self.__name__ = obj.id
        self.__parent__ = parent

    def __acl__(self) -> list[tuple[str, str, Any]]:
        # Nothing is inherited: the collection lets everyone view (its list),
        # which must not let everyone view each object in it.
        return [*self.obj.__acl__(), DENY_ALL]

    @property
    def url(self) -> str:
        return self.__parent__.url + self.obj.id


def collection_factory(content_type: ContentType) -> Callable[[Request], CollectionResource]:
    def factory(request: Request) -> CollectionResource:
        return CollectionResource(request, content_type)

    return factory


def id_factory(model: type[Content]) -> Callable[[Request], ItemResource]:
    """A factory that loads the object whose id is in the URL, or answers 404."""
    # Made once: building the statement would cost more than running it.
    load = select(model).where(model.id == bindparam("id"))

    def factory(request: Request) -> ItemResource:
        obj = request.dbsession.execute(load, {"id": request.matchdict["id"]}).scalar()
        if obj is None:
            # Answered exactly as an object the caller may not see (errors.forbidden_view):
            # the two must not be told apart.
            raise HTTPNotFound
        content_type = request.registry["backrest.content_types_by_model"][model]
        return CollectionResource(request, content_type).item(obj)

    return factory
