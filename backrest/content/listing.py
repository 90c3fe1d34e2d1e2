"""A content type's list: one page of what the caller may see, its count and its validators.

The count stops at ``backrest.count.max`` + 1 rows; ``Last-Modified`` is the
newest change among everything the caller may see (and the last time an
object left their view), so that a page whose objects all stayed the same
still changes when one joins or leaves it. Pages may be kept in the page
cache (:mod:`backrest.content.cache`).
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlencode

from sqlalchemy import bindparam, func, select

from backrest import statements
from backrest.content import conditional
from backrest.content.cache import page_key
from backrest.content.loading import rows_of
from backrest.content.models import ContentRemoval, visible
from backrest.content.query import ListQuery, QueryParser, parse_datetime
from backrest.content.representation import permissions_of, representation
from backrest.content.resources import visibility_for
from backrest.content.sharing import SHARED_TEAMS, caller_teams, shared_teams_column
from backrest.db import names_of, utcnow
from backrest.errors import http_error
from backrest.renderers import timestamp
from backrest.replicas import complete_as_of, read, served_by_replica
from backrest.security.identity import principals, visibility_key
from backrest.serialize import jsonable
from backrest.statements import Kept

if TYPE_CHECKING:
    from datetime import datetime

    from pyramid.request import Request
    from sqlalchemy.sql.elements import ColumnElement
    from sqlalchemy.sql.selectable import ScalarSelect, Select

    from backrest.content.declare import ContentType
    from backrest.content.resources import CollectionResource
    from backrest.statements import Bound


REMOVED_FOR = "removed_for"
"""The parameter of the caller's principals, whose lists' removals date the page."""


STATEMENTS = 500
"""How many statements a list keeps, one for each caller and query string, the oldest made leaving first."""


class _PageStatement(NamedTuple):
    query: ListQuery
    """The page and its size (the conditions are in the statement)."""
    parameters: dict[str, Any]
    bound: Bound | None
    """The statement ready to run, for objects made from their rows (:mod:`backrest.content.loading`)."""
    statement: Select[Any] | None
    """The statement, for objects loaded in the session (when ``bound`` is ``None``)."""
    changes: int
    """How many last-change columns follow the count."""


class Listing:
    """The list view of one content type."""

    def __init__(self, content_type: ContentType) -> None:
        self.content_type = content_type
        self.model = content_type.model
        self._rows = rows_of(self.model)
        # A page's objects are made from their rows (backrest.content.loading) where they can be.
        self._entity = self._rows.columns if self._rows.complete else (self.model,)
        # What the last changes share between requests, made once: building
        # SQLAlchemy expressions costs more than running them. Not correlated:
        # they run inside the page's statement, whose rows are of the same table.
        self._newest = select(func.max(self.model.modified)).correlate(None)
        removed = (
            select(func.max(ContentRemoval.removed))
            .where(ContentRemoval.collection == content_type.name)
            .correlate(None)
        )
        self._all_changes = [self._newest.scalar_subquery(), removed.scalar_subquery()]
        self._removed_for = removed.where(
            ContentRemoval.principal.in_(bindparam(REMOVED_FOR, expanding=True))
        ).scalar_subquery()
        self._shared_teams = shared_teams_column(content_type)
        # The page's statement for each caller and query string: a statement is the
        # same whenever they are, and building it costs more than running it.
        self._statements: Kept[Hashable, _PageStatement] = Kept(STATEMENTS)

    def __call__(self, request: Request) -> Any:
        cache = request.registry.get("backrest.page_cache")
        key = None
        if cache is not None:
            generation = cache.generation(self.content_type.name)
            if generation is not None:
                key = page_key(request, self.content_type.name, generation)
                cached = cache.get(key)
                if cached is not None:
                    return self._answer(request, json.loads(cached))
        page = self.page(request)
        # Only pages read on the primary are kept: one read on a replica may be older than a write
        # already answered, and another process would answer it to the writer.
        if key is not None and not served_by_replica(request):
            cache.set(key, json.dumps(page, default=jsonable).encode())
        return self._answer(request, page)

    def page(self, request: Request) -> dict[str, Any]:
        """One page of the list, and what the answer's headers need."""
        collection: CollectionResource = request.context
        # modified_since=<this> must also give what was written before this read
        # but committed after it (see backrest.modified_since.margin).
        generated = utcnow() - timedelta(seconds=request.registry.settings["backrest.modified_since.margin"])
        key = (visibility_key(request.identity), request.query_string)
        made = self._statements.get(key)
        if made is None:
            made = self._statement(request)
            self._statements.put(key, made)
        query = made.query
        if made.bound is not None:
            rows = read(request, made.bound.all)
            objects = [self._rows.object(row) for row in rows]
        else:
            rows = request.dbsession.execute(made.statement, made.parameters).all()
            objects = [row[0] for row in rows]
        as_of = complete_as_of(request)
        if as_of is not None:
            # Read on a replica: it may not yet have what the primary committed before now.
            margin = timedelta(seconds=request.registry.settings["backrest.modified_since.margin"])
            generated = min(generated, as_of - margin)
        if not rows and query.page > 1:
            raise http_error(404, "querystring", "page", "There is no such page.")
        if rows:
            width = len(self._entity)
            count, *changed = rows[0][width : width + 1 + made.changes]
        else:
            # An empty first page still tells when the caller's view last changed.
            changes = self._last_changes(request, visibility_for(self.content_type, request.identity))
            last = select(*changes)
            count, changed = 0, list(read(request, lambda db: db.execute(last, made.parameters).one()))
        cap = request.registry.settings["backrest.count.max"]
        teams = made.parameters[SHARED_TEAMS]
        items = [
            collection.item(obj, names_of(row[-1]) if teams else ())
            for obj, row in zip(objects, rows, strict=True)
        ]
        exact = count <= cap
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

    def _statement(self, request: Request) -> _PageStatement:
        """The page's statement for this caller and query string; raises the query's errors (400)."""
        query = QueryParser(request, self.content_type).parse()
        visibility = visibility_for(self.content_type, request.identity)
        shown = visible(visibility)
        cap = request.registry.settings["backrest.count.max"]
        teams = caller_teams(self.content_type, request.identity)
        # The count and the last changes ride on the page's statement: PostgreSQL and
        # SQLite run a subquery that names no column of the row once per statement.
        counted = (
            select(func.count())
            .select_from(select(self.model.id).where(shown, *query.conditions).limit(cap + 1).subquery())
            .scalar_subquery()
        )
        changes = self._last_changes(request, visibility)
        page = (
            select(*self._entity, counted, *changes)
            .where(shown, *query.conditions)
            .order_by(*query.order_by)
            .limit(query.page_size)
            .offset(query.offset)
        )
        if teams:
            page = page.add_columns(self._shared_teams)
        parameters = {REMOVED_FOR: list(principals(request.identity)), SHARED_TEAMS: teams}
        kept = ListQuery(page=query.page, page_size=query.page_size)
        if self._rows.complete:
            bound = statements.bind(request.registry["db_engine"].dialect, page, parameters)
            return _PageStatement(kept, parameters, bound, None, len(changes))
        return _PageStatement(kept, parameters, None, page, len(changes))

    def _last_changes(
        self, request: Request, visibility: list[ColumnElement[bool]] | None
    ) -> list[ScalarSelect[datetime | None]]:
        """When what the caller may see last changed: an index lookup for each part of it.

        Of everything they may see, not of this page or filter: an object that
        left the page or the filter changed it too. Of nothing else: the date
        must not tell when others' objects change.
        """
        if visibility is None:
            return self._all_changes
        return [
            *(self._newest.where(condition).scalar_subquery() for condition in visibility),
            self._removed_for,
        ]

    @staticmethod
    def _answer(request: Request, page: dict[str, Any]) -> Any:
        last_modified = page["last_modified"] and parse_datetime(page["last_modified"])
        not_modified = conditional.answer_cached(request, page["etag"], last_modified)
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
