"""/-/keys: personal API keys, and requests authenticated by them (Token, Basic, body field)."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from typing import Any

import pytest
import webtest
from sqlalchemy import select, update

from backrest.audit.models import AuditEntry
from backrest.db import utcnow
from backrest.keys.models import ApiKey
from tests.conftest import PASSWORD, assert_names_the_client, error_fields

CREDENTIAL = re.compile(r"^([A-Za-z0-9_-]{22}):([A-Za-z0-9_-]{43})$")
SCRIPT = {"REMOTE_ADDR": "203.0.113.50", "HTTP_USER_AGENT": "curl/8.0"}


def make_key(browser: Any, **body: Any) -> dict[str, Any]:
    return browser.post_json("/-/keys", body, status=201).json


@pytest.fixture
def script(app: Any) -> webtest.TestApp:
    """A client without cookies or CSRF token: curl, a cron job."""
    return webtest.TestApp(app, extra_environ=SCRIPT)


def token(credential: str) -> dict[str, str]:
    return {"Authorization": f"Token {credential}"}


def basic(username: str, password: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


def test_a_new_key_shows_its_credential_once(logged_in):
    response = logged_in.post_json("/-/keys", {"name": "backup script"}, status=201)
    made = response.json
    assert response.headers["Cache-Control"] == "no-store"
    assert CREDENTIAL.match(made["key"]).group(1) == made["id"]
    assert made["name"] == "backup script"
    assert made["scopes"] == ["read", "write"]
    assert made["expires"] is None
    assert made["last_used"] is None
    [listed] = logged_in.get("/-/keys").json["results"]
    assert listed == {name: value for name, value in made.items() if name != "key"}


def test_only_a_keyed_hash_of_the_secret_is_stored(logged_in, dbsession):
    made = make_key(logged_in)
    key_id, secret = made["key"].split(":")
    row = dbsession.get(ApiKey, key_id)
    assert secret not in row.secret_hash
    assert re.fullmatch(r"[0-9a-f]{64}", row.secret_hash)


def test_keys_have_scopes_and_an_expiry(logged_in):
    expires = (utcnow() + timedelta(days=30)).replace(microsecond=0)
    made = make_key(logged_in, scopes=["read"], expires=expires.isoformat())
    assert made["scopes"] == ["read"]
    assert made["expires"] == expires.isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"expires": "2001-01-01T00:00:00Z"}, "expires"),
        ({"expires": "next week"}, "expires"),
        ({"scopes": ["read", "admin"]}, "scopes.1"),
        ({"scopes": []}, "scopes"),
        ({"name": "x" * 101}, "name"),
    ],
)
def test_bad_key_bodies_are_refused(logged_in, body, field):
    response = logged_in.post_json("/-/keys", body, status=400)
    assert error_fields(response) == [("body", field)]


def test_a_key_is_made_from_a_form_or_xml_too(logged_in):
    # ``scopes.`` makes a list of one (docs/api/formats.rst).
    made = logged_in.post("/-/keys", [("name", "cron"), ("scopes.", ""), ("scopes", "read")], status=201).json
    assert (made["name"], made["scopes"]) == ("cron", ["read"])
    xml = "<key><name>ci</name></key>"
    made = logged_in.post("/-/keys", xml, headers={"Content-Type": "application/xml"}, status=201).json
    assert made["name"] == "ci"


def test_a_multipart_body_without_its_boundary_is_a_400_not_a_failure(logged_in):
    response = logged_in.post(
        "/-/keys", b'{"name": "x"}', headers={"Content-Type": "multipart/form-data"}, status=400
    )
    assert error_fields(response) == [("body", None)]


def test_making_a_key_needs_a_recent_password(logged_in, backdate_sessions):
    backdate_sessions("authenticated", 3600)
    response = logged_in.post_json("/-/keys", {}, status=401)
    assert error_fields(response) == [("request", "reauthentication")]


def test_keys_of_others_are_not_listed_nor_revocable(logged_in, other_browser, signup):
    made = make_key(logged_in)
    signup("bob@example.com")
    other_browser.login("bob@example.com", PASSWORD)
    assert other_browser.get("/-/keys").json["results"] == []
    other_browser.delete(f"/-/keys/{made['id']}", status=404)
    assert len(logged_in.get("/-/keys").json["results"]) == 1


@pytest.mark.parametrize("how", ["token", "basic", "json body", "form body"])
def test_a_key_authenticates_without_csrf_token(logged_in, script, how):
    credential = make_key(logged_in)["key"]
    document = {"title": "Written by a script"}
    if how == "token":
        response = script.post_json("/-/documents/", document, headers=token(credential), status=201)
    elif how == "basic":
        response = script.post_json(
            "/-/documents/", document, headers=basic("anyone", credential), status=201
        )
    elif how == "json body":
        response = script.post_json("/-/documents/", {**document, "authorisation": credential}, status=201)
    else:
        response = script.post("/-/documents/", {**document, "authorisation": credential}, status=201)
    created = response.json
    assert "authorisation" not in created
    owned = logged_in.get(f"/-/documents/{created['__meta__']['id']}").json
    assert owned["title"] == "Written by a script"


def test_a_key_sees_what_its_user_sees(logged_in, script):
    credential = make_key(logged_in)["key"]
    private = logged_in.post_json("/-/documents/", {"title": "private"}, status=201).json
    script.get(f"/-/documents/{private['__meta__']['id']}", status=404)
    seen = script.get(f"/-/documents/{private['__meta__']['id']}", headers=token(credential)).json
    assert seen["title"] == "private"
    listed = script.get("/-/documents/", headers=token(credential)).json
    assert [item["title"] for item in listed["results"]] == ["private"]


@pytest.mark.parametrize("name", ["authorisation", "key", "api_key", "anything"])
def test_a_key_in_the_query_string_is_refused(logged_in, script, name):
    credential = make_key(logged_in)["key"]
    response = script.get(f"/-/documents/?{name}={credential}", status=400)
    assert error_fields(response) == [("querystring", name)]


@pytest.mark.parametrize(
    ("header", "challenge"),
    [
        ("Token {key_id}:" + "A" * 43, "Token"),
        ("Token " + "B" * 22 + ":" + "A" * 43, "Token"),
        ("Token not-a-key", "Token"),
        ("Bearer abc", 'Bearer realm="backrest", error="invalid_token"'),
        ("Basic !!!", 'Bearer realm="backrest", Cookie realm="backrest", Token realm="backrest"'),
        (
            "Basic " + base64.b64encode(b"no password").decode(),
            'Bearer realm="backrest", Cookie realm="backrest", Token realm="backrest"',
        ),
    ],
)
def test_bad_credentials_answer_401_even_where_anyone_may_read(logged_in, script, header, challenge):
    key_id = make_key(logged_in)["id"]
    response = script.get(
        "/-/documents/", headers={"Authorization": header.format(key_id=key_id)}, status=401
    )
    assert error_fields(response) == [("header", "Authorization")]
    assert response.headers["WWW-Authenticate"] == (
        challenge if "realm" in challenge else f'{challenge} realm="backrest"'
    )


def test_a_bad_key_in_the_body_answers_401_on_the_field(script):
    response = script.post_json("/-/documents/", {"title": "t", "authorisation": "nonsense"}, status=401)
    assert error_fields(response) == [("body", "authorisation")]


def test_an_expired_key_answers_401(logged_in, script, dbsession):
    made = make_key(logged_in, expires=(utcnow() + timedelta(hours=1)).isoformat())
    dbsession.execute(update(ApiKey).values(expires=utcnow() - timedelta(seconds=1)))
    dbsession.commit()
    response = script.get("/-/documents/", headers=token(made["key"]), status=401)
    assert "expired" in response.json["errors"][0]["description"]


def test_revocation_takes_effect_at_once(logged_in, script):
    made = make_key(logged_in)
    script.get("/-/documents/", headers=token(made["key"]), status=200)
    logged_in.delete(f"/-/keys/{made['id']}", status=204)
    script.get("/-/documents/", headers=token(made["key"]), status=401)
    assert logged_in.get("/-/keys").json["results"] == []


def test_a_read_key_cannot_write(logged_in, script):
    credential = make_key(logged_in, scopes=["read"])["key"]
    script.get("/-/documents/", headers=token(credential), status=200)
    response = script.post_json("/-/documents/", {"title": "t"}, headers=token(credential), status=403)
    assert error_fields(response) == [("header", "Authorization")]
    assert "write" in response.json["errors"][0]["description"]


def test_a_write_key_cannot_read(logged_in, script):
    credential = make_key(logged_in, scopes=["write"])["key"]
    created = script.post_json("/-/documents/", {"title": "t"}, headers=token(credential), status=201).json
    script.get(f"/-/documents/{created['__meta__']['id']}", headers=token(credential), status=404)
    response = script.get("/-/documents/", headers=token(credential), status=403)
    assert "read" in response.json["errors"][0]["description"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/-/keys", None),
        ("post_json", "/-/keys", {}),
        ("put_json", "/-/userprofile", {"firstname": "Mallory"}),
        ("delete", "/-/userprofile", None),
        ("get", "/-/sessions/", None),
        ("put_json", "/-/email/", {"email": "mallory@example.com", "password": PASSWORD}),
        ("put_json", "/-/password", {"current": PASSWORD, "password": "a new and long passphrase"}),
    ],
)
def test_keys_cannot_manage_the_account(logged_in, script, method, path, body):
    credential = make_key(logged_in)["key"]
    call = getattr(script, method)
    arguments = (path,) if body is None else (path, body)
    response = call(*arguments, headers=token(credential), status=403)
    assert error_fields(response) == [("header", "Authorization")]


@pytest.mark.parametrize("path", ["/-/userprofile", "/-/login"])
def test_a_read_key_reads_who_its_user_is(logged_in, script, path):
    credential = make_key(logged_in, scopes=["read"])["key"]
    answer = script.get(path, headers=token(credential)).json
    assert answer["email"] == "ada@example.com"


@pytest.mark.parametrize("path", ["/-/userprofile", "/-/login"])
def test_a_write_key_does_not_read_who_its_user_is(logged_in, script, path):
    credential = make_key(logged_in, scopes=["write"])["key"]
    response = script.get(path, headers=token(credential), status=403)
    assert error_fields(response) == [("header", "Authorization")]


def test_an_unconfirmed_account_makes_no_key(browser, signup, mailbox):
    browser.login(signup(confirm=False), PASSWORD)
    response = browser.post_json("/-/keys", {}, status=403)
    assert error_fields(response) == [("request", "email_verified")]
    assert browser.get("/-/keys").json["results"] == []
    assert mailbox.new() == []


def test_every_new_key_is_a_notice_naming_the_client(logged_in, mailbox):
    logged_in.post_json("/-/keys", {"name": "deploy"}, status=201)
    [notice] = mailbox.new()
    assert (notice.to, notice.subject) == ("ada@example.com", "A new API key was made")
    assert "'deploy'" in notice.body
    assert_names_the_client(notice)


def test_last_used_is_written_at_most_once_a_minute(logged_in, script, dbsession):
    made = make_key(logged_in)
    script.get("/-/documents/", headers=token(made["key"]))
    [first] = logged_in.get("/-/keys").json["results"]
    assert first["last_used"] is not None
    script.get("/-/documents/", headers=token(made["key"]))
    assert logged_in.get("/-/keys").json["results"][0]["last_used"] == first["last_used"]
    dbsession.execute(update(ApiKey).values(last_used=utcnow() - timedelta(minutes=2)))
    dbsession.commit()
    script.get("/-/documents/", headers=token(made["key"]))
    assert logged_in.get("/-/keys").json["results"][0]["last_used"] > first["last_used"]


def test_making_and_revoking_keys_is_audited_without_the_secret(logged_in, dbsession):
    made = make_key(logged_in, name="deploy")
    logged_in.delete(f"/-/keys/{made['id']}", status=204)
    entries = dbsession.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "key").order_by(AuditEntry.created)
    ).all()
    assert [(entry.action, entry.object_id) for entry in entries] == [
        ("key_created", made["id"]),
        ("key_revoked", made["id"]),
    ]
    secret = made["key"].split(":")[1]
    assert all(secret not in str(entry.changes) for entry in entries)


def test_basic_with_the_real_password_is_off_by_default(logged_in, script):
    response = script.get("/-/documents/", headers=basic("ada@example.com", PASSWORD), status=401)
    assert "Basic" not in response.headers["WWW-Authenticate"]


def test_basic_with_the_real_password_when_enabled(logged_in, app_with):
    script = webtest.TestApp(app_with(**{"backrest.auth.basic_password": "true"}), extra_environ=SCRIPT)
    private = logged_in.post_json("/-/documents/", {"title": "private"}, status=201).json
    path = f"/-/documents/{private['__meta__']['id']}"
    assert script.get(path, headers=basic("Ada@Example.com", PASSWORD)).json["title"] == "private"
    script.get(path, headers=basic("ada@example.com", "wrong password"), status=401)


def test_basic_password_failures_are_throttled_as_logins(logged_in, app_with):
    script = webtest.TestApp(app_with(**{"backrest.auth.basic_password": "true"}), extra_environ=SCRIPT)
    for _ in range(5):
        script.get("/-/documents/", headers=basic("ada@example.com", "wrong password"), status=401)
    response = script.get("/-/documents/", headers=basic("ada@example.com", PASSWORD), status=401)
    assert "Too many" in response.json["errors"][0]["description"]
