"""Reading a list's query string: pagination, filters, search, ordering, ``modified_since``.

Every parameter is checked before anything is queried, and every mistake is
reported at once (400 on the parameter). Undeclared filters and ordering
fields are refused rather than ignored: a typo must not silently return
everything.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_

from backrest.errors import Errors, errors_exception

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from pyramid.request import Request
    from sqlalchemy.orm import InstrumentedAttribute
    from sqlalchemy.sql.elements import ColumnElement

    from backrest.content.declare import ContentType

RESERVED = frozenset({"page", "page_size", "ordering", "search", "modified_since", "format"})
MAX_PAGE = 10**9
MAX_IN_VALUES = 100
TRUE = frozenset({"true", "1", "yes", "on"})
FALSE = frozenset({"false", "0", "no", "off"})

LOOKUPS: dict[str, Callable[[Any, Any], Any]] = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


@dataclass
class ListQuery:
    page: int = 1
    page_size: int = 20
    conditions: list[ColumnElement[bool]] = field(default_factory=list)
    order_by: list[Any] = field(default_factory=list)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def parse_datetime(value: str) -> datetime:
    """An ISO 8601 timestamp, in UTC; without a zone it is UTC.

    Raises ``ValueError``, and ``OverflowError`` for a moment that is
    before year 1 or after 9999 once in UTC.
    """
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def convert(column: InstrumentedAttribute[Any], value: str) -> Any:
    """The query-string ``value`` as the column's Python type; raises ``ValueError``."""
    column_type = column.type
    # A decorated type (UTC timestamps) converts like the type it wraps.
    kind = getattr(column_type, "impl", column_type).python_type
    if kind is bool:
        word = value.lower()
        if word not in TRUE | FALSE:
            msg = "must be true or false"
            raise ValueError(msg)
        return word in TRUE
    if kind is datetime:
        return parse_datetime(value)
    if kind is int:
        if len(value) > 20:  # noqa: PLR2004 - no 64-bit integer has more digits
            msg = "is not an integer"
            raise ValueError(msg)
        return int(value)
    return kind(value)


class QueryParser:
    """Turns one request's query string into a :class:`ListQuery` for one content type."""

    def __init__(self, request: Request, content_type: ContentType) -> None:
        self.request = request
        self.content_type = content_type
        self.model = content_type.model
        self.errors = Errors(400)
        settings = request.registry.settings
        self.default_page_size = settings["backrest.page_size.default"]
        self.max_page_size = settings["backrest.page_size.max"]
        self.max_offset = settings["backrest.page.max_offset"]

    def parse(self) -> ListQuery:
        params = self.request.GET
        for name, value in params.items():
            if "\x00" in name or "\x00" in value:
                # No database stores them, and PostgreSQL fails on them.
                self._error(name, "Must not contain NUL characters.")
        if self.errors:
            raise errors_exception(self.errors)
        query = ListQuery(
            page=self._positive("page", params.get("page", "1"), MAX_PAGE),
            page_size=min(
                self._positive("page_size", params.get("page_size", str(self.default_page_size)), MAX_PAGE),
                self.max_page_size,
            ),
        )
        if query.offset >= self.max_offset:
            self._error(
                "page",
                f"Pages reach the first {self.max_offset} objects of a list; "
                "filter it, order it otherwise or use modified_since to reach the others.",
            )
        for name, value in params.items():
            if name not in RESERVED:
                self._filter(query, name, value)
        self._search(query, params.get("search"))
        self._modified_since(query, params.get("modified_since"))
        # An empty ordering (an HTML form's empty choice) is the default one.
        query.order_by = self._ordering(
            params.get("ordering", "").strip(" ,") or self.content_type.default_ordering
        )
        if self.errors:
            raise errors_exception(self.errors)
        return query

    def _error(self, name: str, description: str) -> None:
        self.errors.add("querystring", name, description)

    def _positive(self, name: str, value: str, maximum: int) -> int:
        # ASCII digits only: "²" is a digit to str.isdigit(), and no number to int().
        digits = value.isascii() and value.isdigit()
        if not digits or len(value) > len(str(maximum)) or not 1 <= int(value) <= maximum:
            self._error(name, f"Must be a whole number from 1 to {maximum}.")
            return 1
        return int(value)

    def _filter(self, query: ListQuery, name: str, value: str) -> None:
        field_name, _, lookup = name.partition("__")
        lookup = lookup or "exact"
        allowed: Mapping[str, tuple[str, ...]] = self.content_type.filters
        if lookup not in allowed.get(field_name, ()):
            declared = ", ".join(
                f"{field}__{one}" if one != "exact" else field
                for field, lookups in sorted(allowed.items())
                for one in lookups
            )
            self._error(name, f"Unknown filter. Filters: {declared or 'none'}.")
            return
        column = getattr(self.model, field_name)
        try:
            if lookup == "in":
                values = [convert(column, item) for item in value.split(",")]
                if len(values) > MAX_IN_VALUES:
                    self._error(name, f"At most {MAX_IN_VALUES} values.")
                    return
                query.conditions.append(column.in_(values))
            else:
                query.conditions.append(LOOKUPS[lookup](column, convert(column, value)))
        except (ValueError, OverflowError) as error:
            self._error(name, f"Invalid value {value!r}: {error}.")

    def _search(self, query: ListQuery, text: str | None) -> None:
        if text is None:
            return
        fields = self.content_type.search
        if not fields:
            self._error("search", "This collection cannot be searched.")
            return
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query.conditions.append(
            or_(*(getattr(self.model, name).ilike(pattern, escape="\\") for name in fields))
        )

    def _modified_since(self, query: ListQuery, value: str | None) -> None:
        if value is None:
            return
        try:
            since = parse_datetime(value)
        except (ValueError, OverflowError):
            self._error("modified_since", "Must be a timestamp, as in X-Page-Generated.")
            return
        query.conditions.append(self.model.modified >= since)

    def _ordering(self, value: str) -> list[Any]:
        order_by: list[Any] = []
        descending = False
        for item in filter(None, (part.strip() for part in value.split(","))):
            name = item.removeprefix("-")
            if name not in self.content_type.ordering:
                allowed = ", ".join(self.content_type.ordering)
                self._error("ordering", f"Cannot order by {name!r}. Fields: {allowed}.")
                continue
            column = getattr(self.model, name)
            descending = item.startswith("-")
            order_by.append(column.desc() if descending else column.asc())
        # Ties are broken by id, so that pages never repeat or skip an object; in
        # the direction of the last field, so that one index on (field, id) serves both.
        order_by.append(self.model.id.desc() if descending else self.model.id.asc())
        return order_by
