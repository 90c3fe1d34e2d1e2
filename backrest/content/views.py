"""The generic views every content type gets: list, create, read, update, delete.

Writes raise on failure (so the transaction aborts and nothing is left
behind), are checked against ``If-Match``, and are written to the audit log
in the same transaction.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from pyramid.httpexceptions import HTTPNoContent, HTTPNotModified
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from backrest import audit
from backrest.content import conditional
from backrest.content.cache import page_key
from backrest.content.models import ContentRemoval, Share, visible
from backrest.content.query import QueryParser, parse_datetime
from backrest.content.representation import (
    changes,
    etag,
    fields,
    permissions,
    permissions_of,
    representation,
)
from backrest.content.resources import visibility_for
from backrest.content.sharing import shared_teams_column
from backrest.db import names_of, utcnow
from backrest.errors import http_error
from backrest.renderers import timestamp
from backrest.security.identity import principals
from backrest.security.permissions import Permission, team_principal
from backrest.serialize import jsonable

if TYPE_CHECKING:
    from datetime import datetime

    from pyramid.request import Request
    from pyramid.response import Response
    from sqlalchemy.sql.elements import ColumnElement
    from sqlalchemy.sql.selectable import ScalarSelect

    from backrest.content.declare import ContentType
    from backrest.content.models import Content
    from backrest.content.resources import CollectionResource, ItemResource

CACHE_CONTROL = "private, no-cache"
"""Answers depend on the caller; a browser may keep them but must revalidate (cheap: 304)."""
VARY = ("Accept", "Authorization", "Cookie")


def response_etag(request: Request, tag: str) -> str:
    """The ETag of the representation the response carries."""
    return conditional.representation_etag(tag, request.response_format.name, request)


def _cacheable(request: Request, tag: str, last_modified: datetime | None) -> Response | None:
    """Put the validators on the response; answer 304 when the caller's copy is current."""
    tag = response_etag(request, tag)
    if conditional.not_modified(request, tag, last_modified):
        response = HTTPNotModified()
    else:
        response = request.response
    response.headers["ETag"] = tag
    response.cache_control = CACHE_CONTROL
    response.vary = VARY
    if last_modified is not None:
        response.last_modified = last_modified
    return response if isinstance(response, HTTPNotModified) else None


class ContentViews:
    """The views of one content type."""

    def __init__(self, content_type: ContentType) -> None:
        self.content_type = content_type
        self.model = content_type.model

    # The collection.

    def list(self, request: Request) -> Any:
        cache = request.registry.get("backrest.page_cache")
        key = None
        if cache is not None:
            generation = cache.generation(self.content_type.name)
            if generation is not None:
                key = page_key(request, self.content_type.name, generation)
                cached = cache.get(key)
                if cached is not None:
                    return self._answer(request, json.loads(cached))
        page = self._page(request)
        if key is not None:
            cache.set(key, json.dumps(page, default=jsonable).encode())
        return self._answer(request, page)

    def _page(self, request: Request) -> dict[str, Any]:
        """One page of the list, and what the answer's headers need."""
        collection: CollectionResource = request.context
        # modified_since=<this> must also give what was written before this read
        # but committed after it (see backrest.modified_since.margin).
        generated = utcnow() - timedelta(seconds=request.registry.settings["backrest.modified_since.margin"])
        query = QueryParser(request, self.content_type).parse()
        visibility = visibility_for(self.content_type, request.identity)
        shown = visible(visibility)
        cap = request.registry.settings["backrest.count.max"]
        count, *changed = request.dbsession.execute(
            select(
                func.count(),
                *self._last_changes(request, visibility),
            ).select_from(select(self.model.id).where(shown, *query.conditions).limit(cap + 1).subquery())
        ).one()
        exact = count <= cap
        if query.page > 1 and exact and query.offset >= count:
            raise http_error(404, "querystring", "page", "There is no such page.")
        shared = shared_teams_column(self.content_type, request.identity)
        page = (
            select(self.model)
            .where(shown, *query.conditions)
            .order_by(*query.order_by)
            .limit(query.page_size)
            .offset(query.offset)
        )
        if shared is None:
            items = [collection.item(obj) for obj in request.dbsession.scalars(page)]
        else:
            rows = request.dbsession.execute(page.add_columns(shared))
            items = [collection.item(obj, names_of(teams)) for obj, teams in rows]
        if query.page > 1 and not items:
            raise http_error(404, "querystring", "page", "There is no such page.")
        allowed = permissions_of(request, items)
        changed = [moment for moment in changed if moment is not None]
        window = request.registry.settings["backrest.page.max_offset"]
        more = query.offset + query.page_size < window and (
            (exact and query.offset + len(items) < count) or (not exact and len(items) == query.page_size)
        )
        return {
            "etag": conditional.strong_etag(
                request.path_qs,
                count,
                *(
                    (item.obj.id, item.obj.version, *perms)
                    for item, perms in zip(items, allowed, strict=True)
                ),
            ),
            "last_modified": timestamp(max(changed)) if changed else None,
            "generated": timestamp(generated),
            "exact": exact,
            "body": {
                "count": min(count, cap),
                "next": self._page_url(request, query.page + 1) if more else None,
                "previous": self._page_url(request, query.page - 1) if query.page > 1 else None,
                "results": [
                    representation(request, item, perms) for item, perms in zip(items, allowed, strict=True)
                ],
            },
        }

    def _last_changes(
        self, request: Request, visibility: list[ColumnElement[bool]] | None
    ) -> list[ScalarSelect[datetime | None]]:
        """When what the caller may see last changed: an index lookup for each part of it.

        Of everything they may see, not of this page or filter: an object that
        left the page or the filter changed it too. Of nothing else: the date
        must not tell when others' objects change.
        """
        newest = func.max(self.model.modified)
        removed = select(func.max(ContentRemoval.removed)).where(
            ContentRemoval.collection == self.content_type.name
        )
        if visibility is None:
            return [select(newest).scalar_subquery(), removed.scalar_subquery()]
        held = principals(request.identity)
        return [
            *(select(newest).where(condition).scalar_subquery() for condition in visibility),
            removed.where(ContentRemoval.principal.in_(held)).scalar_subquery(),
        ]

    @staticmethod
    def _answer(request: Request, page: dict[str, Any]) -> Any:
        last_modified = page["last_modified"] and parse_datetime(page["last_modified"])
        not_modified = _cacheable(request, page["etag"], last_modified)
        response = not_modified or request.response
        response.headers["X-Page-Generated"] = page["generated"]
        if not page["exact"]:
            response.headers["X-Count-Exact"] = "false"
        return not_modified or page["body"]

    @staticmethod
    def _page_url(request: Request, page: int) -> str:
        params = [(name, value) for name, value in request.GET.items() if name != "page"]
        if page > 1:
            params.append(("page", str(page)))
        return request.path_url + ("?" + urlencode(params) if params else "")

    def mark_changed(self, request: Request) -> None:
        """Cached pages of this collection are stale once the write commits."""
        cache = request.registry.get("backrest.page_cache")
        if cache is not None:
            name = self.content_type.name
            request.tm.get().addAfterCommitHook(lambda committed: committed and cache.advance(name))

    def record(self, request: Request, action: str, obj: Content, changed: dict[str, Any]) -> None:
        audit.record(
            request,
            action,
            object_type=self.content_type.name,
            object_id=obj.id,
            owner_id=obj.owner_id,
            changes=changed,
        )

    def apply(self, request: Request, obj: Content, data: dict[str, Any]) -> None:
        """Write the validated ``data`` to ``obj``, a new object or one being updated."""
        if self.content_type.shareable and "public" in data and data["public"] != obj.public:
            # Publishing is sharing with everyone: the owner's act (or an
            # admin's), never that of whoever may edit the object.
            if obj.id is not None and not request.has_permission(Permission.SHARE, request.context):
                raise http_error(403, "body", "public", "Only the owner makes an object public or private.")
            obj.public = data["public"]
        obj.update(data)

    def create(self, request: Request) -> dict[str, Any]:
        collection: CollectionResource = request.context
        obj = self.model()
        obj.owner_id = request.authenticated_userid
        self.apply(request, obj, request.validated)
        request.dbsession.add(obj)
        request.dbsession.flush()
        shared_with = self._share_with_key_team(request, obj)
        self.mark_changed(request)
        item = collection.item(obj, shared_with)
        allowed = permissions(request, item)
        self.record(request, "create", obj, changes({}, fields(request, item)))
        response = request.response
        response.status_code = 201
        response.location = item.url
        response.headers["ETag"] = response_etag(request, etag(item, allowed))
        return representation(request, item, allowed)

    # One object.

    def get(self, request: Request) -> Any:
        item: ItemResource = request.context
        allowed = permissions(request, item)
        not_modified = _cacheable(request, etag(item, allowed), item.obj.modified)
        if not_modified is not None:
            return not_modified
        return representation(request, item, allowed)

    def update(self, request: Request) -> dict[str, Any]:
        item: ItemResource = request.context
        conditional.check_if_match(request, etag(item, permissions(request, item)))
        self.write(request, item, request.validated)
        allowed = permissions(request, item)
        request.response.headers["ETag"] = response_etag(request, etag(item, allowed))
        return representation(request, item, allowed)

    def write(self, request: Request, item: ItemResource, data: dict[str, Any]) -> None:
        """Apply validated ``data`` to an object as an update does: the audit log and list caches follow.

        Also for code that changes objects outside their own URL (a typed
        method changing many at once).
        """
        obj = item.obj
        before = fields(request, item)
        listed_for = obj.listed_for()
        self.apply(request, obj, data)
        self.remember_removal(request, listed_for - obj.listed_for())
        request.dbsession.flush()
        self.mark_changed(request)
        changed = changes(before, fields(request, item))
        if changed:
            self.record(request, "update", obj, changed)

    def delete(self, request: Request) -> HTTPNoContent:
        item: ItemResource = request.context
        obj = item.obj
        conditional.check_if_match(request, etag(item, permissions(request, item)))
        self.record(request, "delete", obj, changes(fields(request, item), {}))
        request.dbsession.delete(obj)
        self.remember_removal(request, obj.listed_for() | self._unshare_all(request, obj))
        request.dbsession.flush()
        self.mark_changed(request)
        return HTTPNoContent()

    def _share_with_key_team(self, request: Request, obj: Content) -> tuple[str, ...]:
        """An object a team's key makes is nobody's: it is shared with the team, whose members see it."""
        identity = request.identity
        if identity is None or identity.user_id is not None or not self.content_type.shareable:
            return ()
        for team_id in identity.team_ids:
            request.dbsession.add(Share(collection=self.content_type.name, object_id=obj.id, team_id=team_id))
        request.dbsession.flush()
        return identity.team_ids

    def _unshare_all(self, request: Request, obj: Content) -> set[str]:
        """Remove the object's shares (they name it, without a foreign key); answers the teams' principals."""
        if not self.content_type.shareable:
            return set()
        removed = request.dbsession.execute(
            delete(Share)
            .where(Share.collection == self.content_type.name, Share.object_id == obj.id)
            .returning(Share.team_id)
        )
        return {team_principal(team_id) for (team_id,) in removed}

    def remember_removal(self, request: Request, principals: set[str]) -> None:
        """The object has left the lists of ``principals``: their lists changed now."""
        if not principals:
            return
        dialect = request.dbsession.bind.dialect.name
        insert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(ContentRemoval)
        now = utcnow()
        request.dbsession.execute(
            insert.values(
                [
                    {"collection": self.content_type.name, "principal": principal, "removed": now}
                    for principal in sorted(principals)
                ]
            ).on_conflict_do_update(
                index_elements=["collection", "principal"], set_={"removed": insert.excluded.removed}
            )
        )
