"""Reading a list's query string (backrest/content/query.py), for any query string at all.

The parser either answers a query or raises a 400 in the contract's error
shape, never anything else; declared orderings always end with the id.
"""

import json
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyramid.httpexceptions import HTTPException
from pyramid.registry import Registry
from pyramid.request import Request

from backrest.content import ContentType
from backrest.content.query import MAX_PAGE, ListQuery, QueryParser
from backrest.settings import resolve
from backrest.types.documents import Document, DocumentSchema

DOCUMENTS = ContentType(
    name="documents",
    model=Document,
    schema=DocumentSchema,
    filters={
        "status": ("exact", "in"),
        "public": ("exact",),
        "created": ("gt", "gte", "lt", "lte"),
        "version": ("exact", "in", "gt", "lt"),
    },
    search=("title", "body"),
    ordering=("title", "status", "created", "modified"),
)
UNSEARCHABLE = ContentType(name="plain", model=Document, schema=DocumentSchema)
PAGE_SIZE_MAX = 100
LOCATIONS = {"querystring"}

NAMES = st.one_of(
    st.sampled_from(
        [
            "page",
            "page_size",
            "ordering",
            "search",
            "modified_since",
            "status",
            "status__in",
            "status__gt",
            "public",
            "created__gte",
            "created__lt",
            "version",
            "version__in",
            "version__gt",
            "title",
            "__",
            "",
        ]
    ),
    st.text(max_size=20),
)
VALUES = st.one_of(
    st.text(max_size=40),
    st.integers().map(str),
    st.datetimes().map(lambda moment: moment.isoformat()),
    st.sampled_from(
        ["true", "false", "-title", "title,-created", "draft,published", "0", "-1", "²", "%", "\\"]
    ),
)
MAX_OFFSET = 10_000
PARAMS = st.lists(st.tuples(NAMES, VALUES), max_size=6)


def request_for(params):
    request = Request.blank("/-/documents/?" + urlencode(params))
    request.registry = Registry()
    request.registry.settings = resolve(
        {
            "sqlalchemy.url": "sqlite://",
            "backrest.page_size.max": PAGE_SIZE_MAX,
            "backrest.page.max_offset": MAX_OFFSET,
        },
        environ={},
    )
    return request


def parse(params, content_type=DOCUMENTS):
    return QueryParser(request_for(params), content_type).parse()


def assert_error_shape(error, params):
    assert error.code == 400
    body = json.loads(error.text)
    assert body["status"] == "error"
    assert body["errors"]
    names = {name for name, _ in params} | {"page", "page_size", "ordering", "search", "modified_since"}
    for one in body["errors"]:
        assert set(one) >= {"location", "name", "description"}
        assert one["location"] in LOCATIONS
        assert one["name"] in names
        assert isinstance(one["description"], str)
        assert one["description"]


def outcome(parser):
    """What parsing answers: a query, or the HTTP error it raised (any other exception escapes)."""
    try:
        return parser.parse()
    except HTTPException as error:
        return error


@settings(max_examples=500, deadline=None)
@given(PARAMS)
def test_any_query_string_is_a_query_or_a_400_in_the_error_shape(params):
    answer = outcome(QueryParser(request_for(params), DOCUMENTS))
    if isinstance(answer, HTTPException):
        assert_error_shape(answer, params)
    else:
        assert isinstance(answer, ListQuery)
        assert 1 <= answer.page <= MAX_PAGE
        assert 1 <= answer.page_size <= PAGE_SIZE_MAX
        assert answer.offset < MAX_OFFSET


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60).filter(lambda text: "%" not in text))
def test_any_raw_query_string_is_a_query_or_a_400(text):
    # Without escapes, since webob's request.GET fails on escaped invalid UTF-8
    # before any parsing (see test_invalid_utf8_in_the_query_string_is_400).
    request = request_for([])
    # WSGI carries the query string's bytes as a latin-1 string.
    request.environ["QUERY_STRING"] = text.encode().decode("latin-1")
    answer = outcome(QueryParser(request, DOCUMENTS))
    if isinstance(answer, HTTPException):
        assert answer.code == 400
        assert json.loads(answer.text)["status"] == "error"
    else:
        assert isinstance(answer, ListQuery)


ORDERINGS = st.lists(
    st.tuples(st.sampled_from(DOCUMENTS.ordering), st.booleans()), min_size=1, max_size=4
).map(lambda items: ",".join(("-" if descending else "") + name for name, descending in items))


@given(ORDERINGS)
def test_declared_orderings_always_end_with_the_id_in_the_last_fields_direction(ordering):
    query = parse([("ordering", ordering)])
    assert len(query.order_by) == len(ordering.split(",")) + 1
    last_descending = ordering.split(",")[-1].startswith("-")
    assert query.order_by[-1].compare(Document.id.desc() if last_descending else Document.id.asc())


@given(ORDERINGS)
def test_declared_orderings_keep_the_order_and_direction_asked(ordering):
    query = parse([("ordering", ordering)])
    for term, asked in zip(query.order_by, ordering.split(","), strict=False):
        column = getattr(Document, asked.removeprefix("-"))
        assert term.compare(column.desc() if asked.startswith("-") else column.asc())


def test_default_ordering_ends_with_the_id():
    query = parse([])
    assert query.order_by[0].compare(Document.created.desc())
    assert query.order_by[-1].compare(Document.id.desc())


def undeclared(value):
    parts = [part.strip().removeprefix("-") for part in value.split(",")]
    return any(part and part not in DOCUMENTS.ordering for part in parts)


@given(st.text(min_size=1).filter(undeclared))
def test_undeclared_ordering_is_a_400_on_ordering(value):
    with pytest.raises(HTTPException) as raised:
        parse([("ordering", value)])
    errors = json.loads(raised.value.text)["errors"]
    assert {error["name"] for error in errors} == {"ordering"}


@given(st.text(alphabet=" ,", max_size=5))
def test_empty_ordering_is_the_default_one(value):
    asked, default = parse([("ordering", value)]).order_by, parse([]).order_by
    assert len(asked) == len(default)
    assert all(term.compare(expected) for term, expected in zip(asked, default, strict=True))


@given(st.integers(min_value=1, max_value=MAX_PAGE), st.integers(min_value=1, max_value=MAX_PAGE))
def test_page_and_page_size_in_range_are_taken_and_capped(page, page_size):
    taken = min(page_size, PAGE_SIZE_MAX)
    params = [("page", str(page)), ("page_size", str(page_size))]
    if (page - 1) * taken >= MAX_OFFSET:
        with pytest.raises(HTTPException) as raised:
            parse(params)
        assert [error["name"] for error in json.loads(raised.value.text)["errors"]] == ["page"]
    else:
        query = parse(params)
        assert (query.page, query.page_size) == (page, taken)


@given(st.integers().filter(lambda number: not 1 <= number <= MAX_PAGE))
def test_page_out_of_range_is_a_400_on_page(page):
    with pytest.raises(HTTPException) as raised:
        parse([("page", str(page))])
    assert [error["name"] for error in json.loads(raised.value.text)["errors"]] == ["page"]


@given(st.text(max_size=20))
def test_search_where_nothing_is_searchable_is_a_400_on_search(text):
    with pytest.raises(HTTPException) as raised:
        parse([("search", text)], UNSEARCHABLE)
    assert [error["name"] for error in json.loads(raised.value.text)["errors"]] == ["search"]


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_integer_filters_take_any_64_bit_integer(number):
    assert len(parse([("version", str(number))]).conditions) == 1


@given(st.lists(st.sampled_from(["draft", "published", "archived"]), min_size=1, max_size=5))
def test_in_filters_take_comma_separated_values(values):
    [condition] = parse([("status__in", ",".join(values))]).conditions
    assert condition.compare(Document.status.in_(values))
