"""Typed methods over HTTP (section 15): who may call them, how they answer, where they are listed."""

from __future__ import annotations

import pytest
import webtest
from sqlalchemy import select

from backrest.audit.models import AuditEntry
from backrest.methods import loading
from tests.conftest import error_fields

COUNT_UP = "/-/api/testing/count_up"


@pytest.fixture
def script(app) -> webtest.TestApp:
    """A client without cookies or CSRF token."""
    return webtest.TestApp(app, extra_environ={"REMOTE_ADDR": "203.0.113.50"})


def key(browser, *scopes: str) -> dict[str, str]:
    made = browser.post_json("/-/keys", {"name": "script", "scopes": list(scopes)}, status=201).json
    return {"Authorization": f"Token {made['key']}"}


def tally(browser, name: str = "visits", count: int = 0) -> str:
    return browser.post_json("/-/tallies/", {"name": name, "count": count}, status=201).json["__meta__"]["id"]


def test_a_session_call_needs_the_csrf_token(logged_in):
    tally_id = tally(logged_in)
    token, logged_in.csrf_token = logged_in.csrf_token, ""
    logged_in.post_json(COUNT_UP, {"tallies": [tally_id]}, status=403)
    logged_in.csrf_token = token
    [counted] = logged_in.post_json(COUNT_UP, {"tallies": [tally_id], "by": 2}).json
    assert counted["count"] == 2
    assert counted["__meta__"]["id"] == tally_id


def test_an_anonymous_caller_is_asked_to_log_in(anonymous):
    response = anonymous.post_json(COUNT_UP, {"tallies": []}, status=401)
    assert "WWW-Authenticate" in response.headers


def test_a_key_calls_a_method_within_its_scopes(logged_in, script):
    tally_id = tally(logged_in)
    refused = script.post_json(COUNT_UP, {"tallies": [tally_id]}, headers=key(logged_in, "read"), status=403)
    assert error_fields(refused) == [("header", "Authorization")]
    assert "write" in refused.json["errors"][0]["description"]
    script.post_json(COUNT_UP, {"tallies": [tally_id]}, headers=key(logged_in, "read", "write"), status=200)


def test_a_key_in_the_body_authenticates_and_is_no_argument(logged_in, script):
    tally_id = tally(logged_in)
    credential = key(logged_in, "read", "write")["Authorization"].removeprefix("Token ")
    answer = script.post(COUNT_UP, [("tallies", tally_id), ("authorisation", credential)], status=200)
    assert answer.json[0]["count"] == 1


def test_an_object_the_caller_may_not_see_is_a_404(logged_in, other):
    mine = tally(logged_in)
    response = other.post_json(COUNT_UP, {"tallies": [mine]}, status=404)
    assert error_fields(response) == [("body", "tallies.0")]
    assert mine in response.json["errors"][0]["description"]
    other.post_json(COUNT_UP, {"tallies": ["no-such-tally"]}, status=404)


def test_a_bad_argument_is_a_400_before_any_object_is_looked_for(other):
    response = other.post_json(COUNT_UP, {"tallies": ["no-such-tally"], "by": "x"}, status=400)
    assert error_fields(response) == [("body", "by")]


def test_a_writing_method_is_in_the_audit_log_with_argument_names_only(logged_in, dbsession):
    tally_id = tally(logged_in)
    logged_in.post_json(COUNT_UP, {"tallies": [tally_id], "by": 5})
    [entry] = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "method_called")).all()
    assert (entry.object_type, entry.object_id) == ("method", "testing.count_up")
    assert entry.changes == {"arguments": ["by", "tallies"]}
    assert entry.actor_id == logged_in.user_id


def test_a_reading_method_is_not_audited(anonymous, dbsession):
    anonymous.post_json("/-/api/home/describe_site", {})
    assert dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "method_called")).all() == []


def test_a_method_with_its_own_acl(logged_in, admin):
    logged_in.post_json("/-/api/testing/admins_only", {}, status=403)
    assert admin.post_json("/-/api/testing/admins_only", {}, status=200).json is None


def test_a_method_refuses_in_the_error_shape(anonymous):
    response = anonymous.post_json("/-/api/testing/refuse", {"reason": "Not today."}, status=409)
    assert response.json["errors"] == [{"location": "body", "name": "reason", "description": "Not today."}]


def test_get_describes_the_method_and_only_post_calls_it(anonymous):
    assert anonymous.get("/-/api/testing/echo").json == anonymous.options("/-/api/testing/echo").json
    response = anonymous.put_json("/-/api/testing/echo", {}, status=405)
    assert "POST" in response.headers["Allow"]


def test_the_api_root_lists_every_method(anonymous):
    methods = anonymous.get("/-/").json["methods"]
    assert methods["testing.echo"]["url"] == "http://localhost/-/api/testing/echo"
    assert methods["home.describe_site"]["description"]
    assert {"documents.set_status", "documents.tag"} <= set(methods)
    assert "echo" not in anonymous.get("/-/").json["services"]


def test_options_describes_the_arguments(anonymous, logged_in):
    described = anonymous.options("/-/api/testing/echo", status=200).json
    assert described["name"] == "testing.echo"
    arguments = described["actions"]["POST"]
    assert arguments["count"]["type"] == "integer"
    assert arguments["count"]["required"] is True
    assert arguments["tags"]["required"] is False
    assert arguments["colour"]["choices"] == [
        {"value": "RED", "display_name": "RED"},
        {"value": "GREEN", "display_name": "GREEN"},
    ]
    assert set(arguments["address"]["children"]) == {"city", "zip_code"}
    assert anonymous.options(COUNT_UP, status=200).headers["Allow"] == "GET, HEAD, OPTIONS"
    assert logged_in.options(COUNT_UP, status=200).headers["Allow"] == "POST, GET, HEAD, OPTIONS"


def test_the_openapi_document_describes_each_method(anonymous):
    operation = anonymous.get("/-/openapi.json").json["paths"]["/-/api/testing/echo"]["post"]
    arguments = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(arguments["required"]) == {"flag", "count", "ratio", "price", "name", "data", "colour", "when"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["tags"]
    assert operation["tags"] == ["api.testing"]


# home.describe_site


def test_describe_site_tells_an_anonymous_caller_what_exists(anonymous):
    site = anonymous.post_json("/-/api/home/describe_site", {}).json
    assert site["name"] == "backrest"
    assert site["root"] == "http://localhost/-/"
    assert site["caller"] is None
    documents = next(collection for collection in site["collections"] if collection["name"] == "documents")
    assert documents["url"] == "http://localhost/-/documents/"
    assert documents["may_create"] is False
    assert "home.describe_site" in site["methods"]


def test_describe_site_tells_who_calls_and_what_they_may_do(logged_in, script):
    site = logged_in.post_json("/-/api/home/describe_site", {}).json
    assert site["caller"]["user_id"] == logged_in.user_id
    assert site["caller"]["credential"] == "session"
    assert site["caller"]["scopes"] is None
    may_create = {collection["name"]: collection["may_create"] for collection in site["collections"]}
    assert may_create["documents"] is True
    assert may_create["logs"] is False
    by_key = script.post_json("/-/api/home/describe_site", {}, headers=key(logged_in, "read")).json
    assert (by_key["caller"]["credential"], by_key["caller"]["scopes"]) == ("API key", ["read"])


def test_a_call_naming_too_many_objects_is_refused_before_loading_them_all(
    logged_in, statements, monkeypatch
):
    monkeypatch.setattr(loading, "MAX_OBJECTS", 3)
    tally_id = tally(logged_in)
    statements.clear()
    response = logged_in.post_json(COUNT_UP, {"tallies": [tally_id] * 5}, status=400)
    assert error_fields(response) == [("body", "tallies.3")]
    assert len([sql for sql in statements if "toy_tallies" in sql]) == 3
