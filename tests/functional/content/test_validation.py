"""Sections 3 and 16: values are checked by the type's colander schema, every bad field reported."""

import pytest
from sqlalchemy import func, select

from backrest.audit.models import AuditEntry
from backrest.types.documents import Document
from tests.client import Browser
from tests.conftest import error_fields
from tests.functional.content.conftest import document, log_in, url_of

RECIPE = {"name": "Soup", "servings": 2}


def test_missing_required_field_is_400_on_it(logged_in):
    response = logged_in.post_json("/-/documents/", {"body": "no title"}, status=400)
    assert error_fields(response) == [("body", "title")]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "x" * 201),
        ("title", 7),
        ("title", None),
        ("title", ["a"]),
        ("title", "nul\x00byte"),
        ("status", "bogus"),
        ("tags", "not-a-list"),
        ("public", "maybe"),
        ("public", 2),
    ],
)
def test_bad_value_on_create_is_400_on_the_field(logged_in, field, value):
    response = logged_in.post_json("/-/documents/", {"title": "x", field: value}, status=400)
    assert error_fields(response) == [("body", field)]


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ({"attributes": {"priority": 9}}, "attributes.priority"),
        ({"attributes": {"priority": "high"}}, "attributes.priority"),
        ({"attributes": {"priority": 2.5}}, "attributes.priority"),
        ({"attributes": {"priority": True}}, "attributes.priority"),
        ({"attributes": {"color": "x" * 21}}, "attributes.color"),
        ({"tags": ["ok", "fine", "x" * 51]}, "tags.2"),
        ({"tags": ["ok", 3]}, "tags.1"),
    ],
)
def test_bad_nested_value_is_400_on_its_dotted_name(logged_in, value, name):
    response = logged_in.post_json("/-/documents/", {"title": "x", **value}, status=400)
    assert error_fields(response) == [("body", name)]


def test_every_bad_field_is_reported_at_once(logged_in):
    body = {"title": 7, "status": "bogus", "tags": ["ok", "x" * 51], "attributes": {"priority": 9}}
    response = logged_in.post_json("/-/documents/", body, status=400)
    assert sorted(error_fields(response)) == [
        ("body", "attributes.priority"),
        ("body", "status"),
        ("body", "tags.1"),
        ("body", "title"),
    ]


def test_errors_describe_what_is_wrong(logged_in):
    response = logged_in.post_json("/-/documents/", {"title": "x" * 201}, status=400)
    assert "200" in response.json["errors"][0]["description"]


def test_bad_create_stores_nothing_and_audits_nothing(logged_in, dbsession):
    logged_in.post_json("/-/documents/", {"title": 7}, status=400)
    assert dbsession.scalar(select(func.count()).select_from(Document)) == 0
    assert (
        dbsession.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "create"))
        == 0
    )


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ({"title": None}, "title"),
        ({"title": 7}, "title"),
        ({"title": ""}, "title"),
        ({"status": "bogus"}, "status"),
        ({"attributes": {"priority": -1}}, "attributes.priority"),
        ({"public": "maybe"}, "public"),
    ],
)
def test_bad_value_on_update_is_400_on_the_field(logged_in, value, name):
    created = document(logged_in)
    response = logged_in.patch_json(url_of(created), value, status=400)
    assert error_fields(response) == [("body", name)]


def test_bad_update_changes_nothing(logged_in):
    created = document(logged_in, "Minutes", attributes={"priority": 1})
    logged_in.put_json(url_of(created), {"title": "Agenda", "attributes": {"priority": 9}}, status=400)
    assert logged_in.get(url_of(created)).json == created


def test_recipe_values_are_checked_by_range_and_choices(logged_in):
    body = {"name": "Soup", "servings": 13, "difficulty": "extreme", "details": {"time": {"prep": -1}}}
    response = logged_in.post_json("/-/recipes/", body, status=400)
    assert sorted(error_fields(response)) == [
        ("body", "details.time.prep"),
        ("body", "difficulty"),
        ("body", "servings"),
    ]


@pytest.mark.parametrize("servings", [0, 13, 2.5, "two", True, None, 10**4000])
def test_recipe_servings_outside_the_range_or_not_integers_are_400(logged_in, servings):
    response = logged_in.post_json("/-/recipes/", {**RECIPE, "servings": servings}, status=400)
    assert error_fields(response) == [("body", "servings")]


def test_nested_defaults_fill_the_keys_a_nested_object_leaves_out(logged_in):
    body = {**RECIPE, "details": {"time": {"cook": 5}}}
    created = logged_in.post_json("/-/recipes/", body, status=201).json
    assert created["details"] == {"cuisine": "", "time": {"prep": 0, "cook": 5}}


def test_deep_nested_update_is_checked(logged_in):
    created = logged_in.post_json("/-/recipes/", RECIPE, status=201).json
    response = logged_in.patch_json(url_of(created), {"details": {"time": {"cook": 601}}}, status=400)
    assert error_fields(response) == [("body", "details.time.cook")]


@pytest.mark.parametrize(
    "body",
    [
        b'{"title": "x"',
        b'["title"]',
        b'{"title": NaN}',
        b'{"title": "x", "attributes": {"priority": Infinity}}',
        b'{"title": "\xff"}',
        b'{"title": ' + b"[" * 1000 + b"]" * 1000 + b"}",
        b'{"title": "x", "attributes": {"priority": ' + b"9" * 5000 + b"}}",
    ],
    ids=["broken", "array", "nan", "infinity", "utf-8", "deep", "long-integer"],
)
def test_unreadable_body_is_400_in_the_error_shape(logged_in, dbsession, body):
    response = logged_in.post("/-/documents/", body, content_type="application/json", status=400)
    assert response.json["status"] == "error"
    assert response.json["errors"][0]["location"] == "body"
    assert dbsession.scalar(select(func.count()).select_from(Document)) == 0


def test_unsupported_body_type_is_415(logged_in):
    response = logged_in.post("/-/documents/", b"title=x", content_type="text/csv", status=415)
    assert response.json["status"] == "error"


def test_form_body_creates_like_json(logged_in):
    fields = {"title": "Minutes", "tags.0": "a", "tags.1": "b", "attributes.color": "red", "public": "on"}
    created = logged_in.post("/-/documents/", fields, status=201).json
    assert (created["title"], created["tags"], created["attributes"]) == (
        "Minutes",
        ["a", "b"],
        {"color": "red"},
    )
    assert created["public"] is True


def test_body_over_the_size_limit_is_413_and_stores_nothing(app_with, logged_in, dbsession):
    browser = log_in(Browser(app_with(**{"backrest.max_body_size": "1000"})), "ada@example.com")
    response = browser.post_json("/-/documents/", {"title": "x", "body": "y" * 2000}, status=413)
    assert response.json["status"] == "error"
    assert dbsession.scalar(select(func.count()).select_from(Document)) == 0
