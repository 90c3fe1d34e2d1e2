"""The query parameters of a content type's list, as :mod:`backrest.content.query` reads them; its headers.

Several values of ``__in`` filters and of ``ordering`` go in one parameter,
comma-separated (``status__in=draft,published``, ``ordering=-title,created``):
arrays with ``style: form, explode: false``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from backrest.content.query import MAX_IN_VALUES, MAX_PAGE
from backrest.formats.negotiation import FORMATS
from backrest.openapi.headers import shared

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.orm import InstrumentedAttribute

    from backrest.content.declare import ContentType

VALUE_TYPES: dict[type, dict[str, str]] = {
    bool: {"type": "boolean"},
    int: {"type": "integer"},
    float: {"type": "number"},
    datetime: {"type": "string", "format": "date-time"},
}
COMPARISONS = {
    "exact": "is",
    "gt": "is greater than",
    "gte": "is at least",
    "lt": "is less than",
    "lte": "is at most",
}
COMMA_SEPARATED = {"style": "form", "explode": False}

FORMAT = {
    "name": "format",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": [format_.name for format_ in FORMATS]},
    "description": "The answer's format, whatever Accept says: api is the browsable HTML page.",
}

FORMAT_MEDIA_TYPES = tuple(format_.content_type for format_ in FORMATS[1:])
"""What ``format`` chooses beyond JSON, the first: XML and the browsable page."""

PAGE_HEADERS = shared("X-Page-Generated", "X-Count-Exact")


def query(name: str, schema: dict[str, Any], description: str, **style: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        **style,
        "schema": schema,
        "description": description,
    }


def value_schema(column: InstrumentedAttribute[Any]) -> dict[str, str]:
    """The schema of one value of a filtered column, as :func:`backrest.content.query.convert` reads it."""
    column_type = column.type
    try:
        kind = getattr(column_type, "impl", column_type).python_type
    except NotImplementedError:
        return {"type": "string"}
    return dict(VALUE_TYPES.get(kind, {"type": "string"}))


def filter_parameters(content_type: ContentType) -> list[dict[str, Any]]:
    """``field`` for ``exact``, ``field__lookup`` for the others, typed as the column."""
    found = []
    for field, lookups in content_type.filters.items():
        value = value_schema(getattr(content_type.model, field))
        for lookup in lookups:
            if lookup == "in":
                found.append(
                    query(
                        f"{field}__in",
                        {"type": "array", "items": value, "maxItems": MAX_IN_VALUES},
                        f"Only objects whose {field} is one of these values.",
                        **COMMA_SEPARATED,
                    )
                )
            else:
                name = field if lookup == "exact" else f"{field}__{lookup}"
                found.append(
                    query(name, value, f"Only objects whose {field} {COMPARISONS[lookup]} this value.")
                )
    return found


def ordering_parameter(content_type: ContentType) -> dict[str, Any]:
    fields = [choice for field in content_type.ordering for choice in (field, f"-{field}")]
    return query(
        "ordering",
        {"type": "array", "items": {"type": "string", "enum": fields}},
        "The fields to order by, '-' first for descending; ties are broken by id. "
        f"Without it: {content_type.default_ordering}.",
        **COMMA_SEPARATED,
    )


def list_parameters(content_type: ContentType, settings: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every parameter a list of ``content_type`` reads: pages, filters, search, ordering, format."""
    largest = settings["backrest.page_size.max"]
    found = [
        query(
            "page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            "The page, from 1; pages reach the first backrest.page.max_offset objects.",
        ),
        query(
            "page_size",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": largest,
                "default": min(settings["backrest.page_size.default"], largest),
            },
            "How many objects a page holds; a larger number is read as the maximum.",
        ),
        *filter_parameters(content_type),
    ]
    if content_type.search:
        found.append(
            query(
                "search",
                {"type": "string"},
                f"Only objects with this text in {' or '.join(content_type.search)}, in any case.",
            )
        )
    found += [
        ordering_parameter(content_type),
        query(
            "modified_since",
            {"type": "string", "format": "date-time"},
            "Only objects changed since: the X-Page-Generated of an earlier page.",
        ),
        FORMAT,
    ]
    return found
