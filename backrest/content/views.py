"""The generic views every content type gets: list, create, read, update, delete.

Writes raise on failure (so the transaction aborts and nothing is left
behind), are checked against ``If-Match``, and are written to the audit log
in the same transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyramid.httpexceptions import HTTPNoContent
from sqlalchemy import delete, inspect

from backrest import audit
from backrest.content import conditional
from backrest.content.listing import Listing
from backrest.content.loading import rows_of
from backrest.content.models import ContentRemoval, Share
from backrest.content.representation import changes, fields, permissions, representation
from backrest.db import utcnow
from backrest.errors import http_error
from backrest.security.permissions import Permission, team_principal
from backrest.upsert import conflict_insert

if TYPE_CHECKING:
    from pyramid.request import Request

    from backrest.content.declare import ContentType
    from backrest.content.models import Content
    from backrest.content.resources import CollectionResource, ItemResource


class ContentViews:
    """The views of one content type."""

    def __init__(self, content_type: ContentType) -> None:
        self.content_type = content_type
        self.model = content_type.model
        self.rows = rows_of(self.model)
        self.listing = Listing(content_type)

    # The collection.

    def list(self, request: Request) -> Any:
        return self.listing(request)

    def mark_changed(self, request: Request) -> None:
        """Cached pages of this collection are stale once the write commits."""
        cache = request.registry.get("backrest.page_cache")
        if cache is not None:
            name = self.content_type.name
            request.tm.get().addAfterCommitHook(lambda committed: committed and cache.advance(name))

    def record(self, request: Request, action: str, obj: Content, changed: dict[str, Any]) -> None:
        audit.record(request, action, **self._audited(obj, changed))

    def _audited(self, obj: Content, changed: dict[str, Any]) -> dict[str, Any]:
        return {
            "object_type": self.content_type.name,
            "object_id": obj.id,
            "owner_id": obj.owner_id,
            "changes": changed,
        }

    def insert(self, request: Request, collection: CollectionResource, obj: Content) -> None:
        """Insert a new object and record its creation, in one statement where its row is known before."""
        session = request.dbsession
        rows = self.rows
        transient = inspect(obj).transient
        if transient and rows.known_before_insert:
            rows.fill_defaults(obj)
            created = self._created(request, collection, obj)
            rows.insert(session, obj, along=audit.along(request, "create", **self._audited(obj, created)))
            return
        if transient and rows.complete:
            rows.insert(session, obj)
        else:
            session.add(obj)
            session.flush()
        self.record(request, "create", obj, self._created(request, collection, obj))

    def _created(self, request: Request, collection: CollectionResource, obj: Content) -> dict[str, Any]:
        return changes({}, fields(request, collection.item(obj)))

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
        self.insert(request, collection, obj)
        shared_with = self._share_with_key_team(request, obj)
        self.mark_changed(request)
        item = collection.item(obj, shared_with)
        allowed = permissions(request, item)
        response = request.response
        response.status_code = 201
        response.location = item.url
        conditional.tag_response(request, item, allowed)
        return representation(request, item, allowed)

    # One object.

    def get(self, request: Request) -> Any:
        item: ItemResource = request.context
        allowed = permissions(request, item)
        not_modified = conditional.answer_cached(
            request, conditional.item_etag(item, allowed), item.obj.modified
        )
        if not_modified is not None:
            return not_modified
        return representation(request, item, allowed)

    def update(self, request: Request) -> dict[str, Any]:
        item: ItemResource = request.context
        conditional.check_if_match(request, conditional.item_etag(item, permissions(request, item)))
        self.write(request, item, request.validated)
        allowed = permissions(request, item)
        conditional.tag_response(request, item, allowed)
        return representation(request, item, allowed)

    def write(self, request: Request, item: ItemResource, data: dict[str, Any]) -> None:
        """Apply validated ``data`` to an object as an update does: the audit log and list caches follow.

        Also for code that changes objects outside their own URL (a typed
        method changing many at once).
        """
        obj = item.obj
        session = request.dbsession
        before = fields(request, item)
        listed_for = obj.listed_for()
        self.apply(request, obj, data)
        self.remember_removal(request, listed_for - obj.listed_for())
        self.mark_changed(request)
        if self.rows.updatable and obj in session:
            # The object's UPDATE and its audit entry: one statement on PostgreSQL.
            changed = changes(before, fields(request, item))
            entry = audit.along(request, "update", **self._audited(obj, changed)) if changed else None
            self.rows.update(session, obj, along=entry)
            return
        session.flush()
        changed = changes(before, fields(request, item))
        if changed:
            self.record(request, "update", obj, changed)

    def delete(self, request: Request) -> HTTPNoContent:
        item: ItemResource = request.context
        obj = item.obj
        conditional.check_if_match(request, conditional.item_etag(item, permissions(request, item)))
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
        insert = conflict_insert(request.dbsession, ContentRemoval)
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
