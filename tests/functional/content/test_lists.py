"""Section 4: pages, filters, search, ordering and ``modified_since`` on lists."""

import re
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import update

from backrest.content.query import parse_datetime
from backrest.db import utcnow
from backrest.types.documents import Document
from tests.client import Browser
from tests.conftest import error_fields
from tests.functional.content.conftest import document, url_of

TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"


def titles(response):
    return [result["title"] for result in response.json["results"]]


def ids(response):
    return [result["__meta__"]["id"] for result in response.json["results"]]


def path_of(url):
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


# Pages.


def test_page_size_is_20_by_default(anonymous, documents):
    documents(25, public=True)
    page = anonymous.get("/-/documents/").json
    assert (page["count"], len(page["results"])) == (25, 20)


def test_default_page_size_is_configurable(app_with, documents):
    documents(8, public=True)
    browser = Browser(app_with(**{"backrest.page_size.default": "5"}))
    assert len(browser.get("/-/documents/").json["results"]) == 5


def test_page_size_chooses_the_size(anonymous, documents):
    documents(8, public=True)
    assert len(anonymous.get("/-/documents/?page_size=3").json["results"]) == 3


def test_page_size_is_capped(app_with, documents):
    documents(8, public=True)
    browser = Browser(app_with(**{"backrest.page_size.max": "5"}))
    page = browser.get("/-/documents/?page_size=50").json
    assert len(page["results"]) == 5
    assert page["next"]


def test_page_size_is_capped_at_100_by_default(anonymous, documents):
    documents(105, public=True)
    assert len(anonymous.get("/-/documents/?page_size=1000").json["results"]) == 100


def test_pages_are_1_based_and_follow_each_other(anonymous, documents):
    made = documents(5, public=True)
    first = anonymous.get("/-/documents/?page_size=2&page=1")
    second = anonymous.get("/-/documents/?page_size=2&page=2")
    third = anonymous.get("/-/documents/?page_size=2&page=3")
    assert ids(first) + ids(second) + ids(third) == sorted(made, reverse=True)


def test_first_page_has_no_previous(anonymous, documents):
    documents(3, public=True)
    assert anonymous.get("/-/documents/?page_size=2").json["previous"] is None


def test_last_page_has_no_next(anonymous, documents):
    documents(3, public=True)
    assert anonymous.get("/-/documents/?page_size=2&page=2").json["next"] is None


def test_next_is_an_absolute_url_keeping_every_other_parameter(anonymous, documents):
    documents(5, public=True, status="published")
    page = anonymous.get("/-/documents/?status=published&ordering=title&page_size=2").json
    assert page["next"].startswith("http://localhost/-/documents/?")
    assert dict(parse_qsl(urlsplit(page["next"]).query)) == {
        "status": "published",
        "ordering": "title",
        "page_size": "2",
        "page": "2",
    }


def test_previous_is_an_absolute_url_keeping_every_other_parameter(anonymous, documents):
    documents(5, public=True, status="published")
    page = anonymous.get("/-/documents/?status=published&page_size=2&page=3").json
    assert page["previous"].startswith("http://localhost/-/documents/?")
    assert dict(parse_qsl(urlsplit(page["previous"]).query)) == {
        "status": "published",
        "page_size": "2",
        "page": "2",
    }


def test_following_next_then_previous_comes_back(anonymous, documents):
    documents(5, public=True)
    first = anonymous.get("/-/documents/?page_size=2")
    second = anonymous.get(path_of(first.json["next"]))
    assert ids(anonymous.get(path_of(second.json["previous"]))) == ids(first)


def test_first_page_of_an_empty_list_is_200(anonymous):
    assert anonymous.get("/-/documents/?page=1").json["results"] == []


def test_page_after_the_last_is_404_on_page(anonymous, documents):
    documents(3, public=True)
    response = anonymous.get("/-/documents/?page_size=2&page=3", status=404)
    assert error_fields(response) == [("querystring", "page")]


def test_second_page_of_an_empty_list_is_404(anonymous):
    anonymous.get("/-/documents/?page=2", status=404)


@pytest.mark.parametrize("name", ["page", "page_size"])
@pytest.mark.parametrize(
    "value", ["0", "-1", "abc", "1.5", "", "1e3", " 1", "²", "\u0661", "9" * 30, str(10**9 + 1), "0x10"]
)
def test_absurd_page_or_page_size_is_400_on_it(anonymous, name, value):
    response = anonymous.get("/-/documents/", {name: value}, status=400)
    assert error_fields(response) == [("querystring", name)]


# Counting.


def test_count_is_exact_below_the_limit(anonymous, documents):
    documents(3, public=True)
    response = anonymous.get("/-/documents/")
    assert response.json["count"] == 3
    assert "X-Count-Exact" not in response.headers


def test_count_stops_at_the_limit_and_says_so(app_with, documents):
    documents(5, public=True)
    response = Browser(app_with(**{"backrest.count.max": "3"})).get("/-/documents/?page_size=2")
    assert response.json["count"] == 3
    assert response.headers["X-Count-Exact"] == "false"


def test_pages_beyond_the_count_limit_are_still_served(app_with, documents):
    made = documents(5, public=True)
    browser = Browser(app_with(**{"backrest.count.max": "3"}))
    pages = [browser.get(f"/-/documents/?page_size=2&page={page}") for page in (1, 2, 3)]
    assert [page.json["next"] is not None for page in pages] == [True, True, False]
    assert [one for page in pages for one in ids(page)] == sorted(made, reverse=True)


def test_a_page_past_the_window_is_a_400(app_with, documents):
    documents(5, public=True)
    browser = Browser(app_with(**{"backrest.page.max_offset": "4"}))
    response = browser.get("/-/documents/?page_size=2&page=3", status=400)
    assert error_fields(response) == [("querystring", "page")]
    assert "first 4 objects" in response.json["errors"][0]["description"]


def test_the_last_page_of_the_window_has_no_next(app_with, documents):
    documents(5, public=True)
    browser = Browser(app_with(**{"backrest.page.max_offset": "4"}))
    pages = [browser.get(f"/-/documents/?page_size=2&page={page}").json for page in (1, 2)]
    assert [page["next"] is not None for page in pages] == [True, False]
    assert [len(page["results"]) for page in pages] == [2, 2]


# Filters.


def test_filter_on_a_value(logged_in):
    document(logged_in, "Draft")
    document(logged_in, "Published", status="published")
    assert titles(logged_in.get("/-/documents/?status=published")) == ["Published"]


def test_filter_on_several_values(logged_in):
    for status in ("draft", "published", "archived"):
        document(logged_in, status, status=status)
    assert sorted(titles(logged_in.get("/-/documents/?status__in=draft,archived"))) == ["archived", "draft"]


@pytest.mark.parametrize(("value", "expected"), [("true", ["Public"]), ("false", ["Private"])])
def test_filter_on_a_boolean(logged_in, value, expected):
    document(logged_in, "Public", public=True)
    document(logged_in, "Private")
    assert titles(logged_in.get(f"/-/documents/?public={value}")) == expected


def test_filter_on_a_boolean_refuses_other_words(logged_in):
    response = logged_in.get("/-/documents/?public=maybe", status=400)
    assert error_fields(response) == [("querystring", "public")]


def test_filter_on_the_owner(logged_in, other):
    document(logged_in, "Ada's", public=True)
    document(other, "Bob's", public=True)
    assert titles(logged_in.get(f"/-/documents/?owner_id={other.user_id}")) == ["Bob's"]


def test_filter_cannot_reveal_what_the_caller_may_not_see(logged_in, other):
    document(logged_in, "Private")
    assert other.get(f"/-/documents/?owner_id={logged_in.user_id}").json["count"] == 0


@pytest.fixture
def dated(documents):
    """Three public documents, created one, two and three days ago; answers the middle one's time."""
    now = utcnow()
    for days in (1, 2, 3):
        moment = now - timedelta(days=days)
        documents(1, title=f"{days} days", public=True, created=moment, modified=moment)
    return (now - timedelta(days=2)).isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize(
    ("lookup", "expected"),
    [
        ("gte", ["1 days", "2 days"]),
        ("gt", ["1 days"]),
        ("lte", ["2 days", "3 days"]),
        ("lt", ["3 days"]),
    ],
)
def test_filter_on_a_range_of_timestamps(anonymous, dated, lookup, expected):
    response = anonymous.get("/-/documents/", {f"created__{lookup}": dated})
    assert sorted(titles(response)) == expected


def test_filter_takes_timestamps_with_an_offset(anonymous, dated):
    response = anonymous.get("/-/documents/", {"created__gte": "2000-01-01T01:00:00+01:00"})
    assert response.json["count"] == 3


@pytest.mark.parametrize(
    "value", ["yesterday", "2026-13-01", "", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]
)
def test_filter_on_a_malformed_timestamp_is_400_on_it(anonymous, value):
    response = anonymous.get("/-/documents/", {"created__gte": value}, status=400)
    assert error_fields(response) == [("querystring", "created__gte")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("count=2", ["two"]),
        ("count__in=1,3", ["one", "three"]),
        ("count__gt=1", ["two", "three"]),
        ("count__gte=2", ["two", "three"]),
        ("count__lt=2", ["one"]),
        ("count__lte=2", ["one", "two"]),
    ],
)
def test_filter_on_integers(logged_in, query, expected):
    for count, name in enumerate(("one", "two", "three"), start=1):
        logged_in.post_json("/-/tallies/", {"name": name, "count": count}, status=201)
    assert [result["name"] for result in logged_in.get(f"/-/tallies/?{query}").json["results"]] == expected


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("count=two", "count"),
        ("count=1.5", "count"),
        ("count=" + "9" * 30, "count"),
        ("count__in=1,x", "count__in"),
        ("count__in=" + ",".join(["1"] * 101), "count__in"),
    ],
)
def test_filter_on_integers_refuses_what_is_not_one(logged_in, query, name):
    response = logged_in.get(f"/-/tallies/?{query}", status=400)
    assert error_fields(response) == [("querystring", name)]


def test_filter_on_a_nested_toy_boolean_and_range(logged_in):
    logged_in.post_json("/-/recipes/", {"name": "Soup", "servings": 2, "vegetarian": True}, status=201)
    logged_in.post_json("/-/recipes/", {"name": "Stew", "servings": 6}, status=201)
    response = logged_in.get("/-/recipes/?vegetarian=true&servings__lte=4")
    assert [result["name"] for result in response.json["results"]] == ["Soup"]


def test_undeclared_filter_is_400_on_it(anonymous):
    response = anonymous.get("/-/documents/?colour=red", status=400)
    assert error_fields(response) == [("querystring", "colour")]
    assert "status" in response.json["errors"][0]["description"]


def test_undeclared_lookup_is_400_on_it(anonymous):
    response = anonymous.get("/-/documents/?status__gte=draft", status=400)
    assert error_fields(response) == [("querystring", "status__gte")]


def test_every_bad_parameter_is_reported_at_once(anonymous):
    response = anonymous.get("/-/documents/?colour=red&page=0&ordering=body&public=maybe", status=400)
    assert sorted(error_fields(response)) == [
        ("querystring", "colour"),
        ("querystring", "ordering"),
        ("querystring", "page"),
        ("querystring", "public"),
    ]


@pytest.mark.parametrize("query", ["title=a%00b", "search=a%00b", "status__in=draft,%00", "ordering=%00"])
def test_nul_character_in_a_parameter_is_400(anonymous, query):
    response = anonymous.get(f"/-/documents/?{query}", status=400)
    assert response.json["errors"][0]["location"] == "querystring"


@pytest.mark.parametrize("query", ["search=%FF", "title=%C3%28", "%FF=x"])
def test_invalid_utf8_in_the_query_string_is_400(anonymous, query):
    response = anonymous.get(f"/-/documents/?{query}", status=400)
    assert response.json["status"] == "error"


# Search.


def test_search_finds_words_in_any_search_field(logged_in):
    document(logged_in, "Minutes of the board")
    document(logged_in, "Agenda", body="Read the minutes first")
    document(logged_in, "Budget")
    assert sorted(titles(logged_in.get("/-/documents/?search=minutes"))) == ["Agenda", "Minutes of the board"]


def test_search_ignores_case(logged_in):
    document(logged_in, "Minutes")
    assert titles(logged_in.get("/-/documents/?search=MINUTES")) == ["Minutes"]


@pytest.mark.parametrize(
    ("text", "expected"), [("100%", ["100% done"]), ("a_b", ["a_b"]), ("\\", ["back\\slash"])]
)
def test_search_takes_wildcards_literally(logged_in, text, expected):
    for title in ("100% done", "1000 done", "a_b", "axb", "back\\slash"):
        document(logged_in, title)
    assert titles(logged_in.get("/-/documents/", {"search": text})) == expected


def test_search_where_no_field_is_searchable_is_400(logged_in):
    response = logged_in.get("/-/tallies/?search=x", status=400)
    assert error_fields(response) == [("querystring", "search")]


def test_search_and_filters_combine(logged_in):
    document(logged_in, "Minutes", status="published")
    document(logged_in, "Minutes draft")
    assert titles(logged_in.get("/-/documents/?search=minutes&status=published")) == ["Minutes"]


# Ordering.


def test_default_order_is_newest_first(anonymous, dated):
    assert titles(anonymous.get("/-/documents/")) == ["1 days", "2 days", "3 days"]


def test_default_order_is_the_types_own(logged_in):
    for count in (3, 1, 2):
        logged_in.post_json("/-/tallies/", {"name": str(count), "count": count}, status=201)
    assert [result["count"] for result in logged_in.get("/-/tallies/").json["results"]] == [1, 2, 3]


def test_ordering_by_a_field(logged_in):
    for title in ("b", "c", "a"):
        document(logged_in, title)
    assert titles(logged_in.get("/-/documents/?ordering=title")) == ["a", "b", "c"]


def test_ordering_by_a_field_descending(logged_in):
    for title in ("b", "c", "a"):
        document(logged_in, title)
    assert titles(logged_in.get("/-/documents/?ordering=-title")) == ["c", "b", "a"]


def test_ordering_by_several_fields(logged_in):
    for title, status in (("a", "draft"), ("b", "published"), ("c", "draft"), ("d", "published")):
        document(logged_in, title, status=status)
    assert titles(logged_in.get("/-/documents/?ordering=-status,title")) == ["b", "d", "a", "c"]


@pytest.mark.parametrize("value", ["body", "-body", "id", "title,body", "-", "--title", "title;drop"])
def test_undeclared_ordering_is_400_on_ordering(anonymous, value):
    response = anonymous.get("/-/documents/", {"ordering": value}, status=400)
    assert {name for _, name in error_fields(response)} == {"ordering"}


def test_ordering_error_names_the_fields_allowed(anonymous):
    response = anonymous.get("/-/documents/?ordering=body", status=400)
    assert "title" in response.json["errors"][0]["description"]


@pytest.mark.parametrize("ordering", [None, "status", "-created", "title"])
def test_pages_never_repeat_or_skip_an_object(anonymous, documents, ordering):
    # Same title, status and creation time: only the id tells them apart.
    made = documents(23, public=True, title="Same")
    seen = []
    for page in range(1, 5):
        params = {"page_size": 7, "page": page, **({"ordering": ordering} if ordering else {})}
        seen += ids(anonymous.get("/-/documents/", params))
    assert sorted(seen) == sorted(made)


def test_same_query_gives_the_same_order(anonymous, documents):
    documents(10, public=True, title="Same")
    assert ids(anonymous.get("/-/documents/?ordering=title")) == ids(
        anonymous.get("/-/documents/?ordering=title")
    )


# modified_since and X-Page-Generated.


def test_list_answers_when_its_page_was_generated(anonymous):
    generated = anonymous.get("/-/documents/").headers["X-Page-Generated"]
    assert re.fullmatch(TIMESTAMP, generated)


def test_modified_since_returns_only_objects_changed_since(logged_in, backdate):
    unchanged = document(logged_in, "Unchanged")
    changed = document(logged_in, "Changed")
    backdate()
    generated = logged_in.get("/-/documents/").headers["X-Page-Generated"]
    logged_in.patch_json(url_of(changed), {"body": "new"})
    document(logged_in, "New")
    response = logged_in.get("/-/documents/", {"modified_since": generated})
    assert sorted(titles(response)) == ["Changed", "New"]
    assert unchanged["title"] not in titles(response)


def test_modified_since_with_nothing_changed_is_empty(logged_in, backdate):
    document(logged_in)
    backdate()
    generated = logged_in.get("/-/documents/").headers["X-Page-Generated"]
    assert logged_in.get("/-/documents/", {"modified_since": generated}).json["results"] == []


def test_modified_since_gives_a_write_committed_after_the_page_was_read(logged_in, dbsession):
    read = utcnow()
    generated = logged_in.get("/-/documents/").headers["X-Page-Generated"]
    # Stamped a second before the page was read, committed after it.
    late = Document(
        title="Late",
        owner_id=logged_in.get("/-/login").json["id"],
        created=read,
        modified=read - timedelta(seconds=1),
    )
    dbsession.add(late)
    dbsession.commit()
    assert titles(logged_in.get("/-/documents/", {"modified_since": generated})) == ["Late"]


def test_page_generated_precedes_the_read_by_the_margin(app_with, anonymous):
    browser = Browser(app_with(**{"backrest.modified_since.margin": "60"}))
    before = utcnow()
    generated = parse_datetime(browser.get("/-/documents/").headers["X-Page-Generated"])
    assert before - timedelta(seconds=61) <= generated <= utcnow() - timedelta(seconds=59)


def test_modified_since_malformed_is_400(anonymous):
    response = anonymous.get("/-/documents/?modified_since=yesterday", status=400)
    assert error_fields(response) == [("querystring", "modified_since")]


def test_modified_since_sees_changes_made_outside_the_api(logged_in, dbsession):
    created = document(logged_in)
    generated = logged_in.get("/-/documents/").headers["X-Page-Generated"]
    dbsession.execute(update(Document).values(title="Renamed"))
    dbsession.commit()
    assert ids(logged_in.get("/-/documents/", {"modified_since": generated})) == [created["__meta__"]["id"]]


# One statement per caller and query string.


def test_one_query_string_lists_each_callers_own_objects(logged_in, other, anonymous, admin):
    mine = url_of(document(logged_in, "Mine"))
    document(other, "Theirs")
    query = "/-/documents/?ordering=title"

    assert titles(logged_in.get(query)) == ["Mine"]
    assert titles(other.get(query)) == ["Theirs"]
    assert titles(anonymous.get(query)) == []
    assert titles(admin.get(query)) == ["Mine", "Theirs"]
    logged_in.patch_json(mine, {"public": True})
    assert titles(other.get(query)) == ["Mine", "Theirs"]
    assert titles(anonymous.get(query)) == ["Mine"]
    assert titles(logged_in.get(query)) == ["Mine"]
