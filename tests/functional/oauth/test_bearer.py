"""Authorization: Bearer on the API, and the server's metadata (RFC 8414)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from backrest.db import utcnow
from backrest.oauth.models import Token
from tests.client import Browser
from tests.conftest import PASSWORD, error_fields
from tests.functional.oauth.conftest import bearer

NEW_PASSWORD = "a completely different passphrase"


@pytest.mark.parametrize("path", ["/-/login", "/-/userprofile"])
def test_a_read_token_reads_who_its_user_is(register, tokens_for, api, path):
    tokens = tokens_for(register(), scope="read")
    answer = api.get(path, headers=bearer(tokens["access_token"]), status=200).json
    assert answer["email"] == "ada@example.com"
    assert answer["firstname"] == "Ada"


@pytest.mark.parametrize(
    "account_call",
    [
        ("put_json", "/-/password", {"current": PASSWORD, "password": NEW_PASSWORD}),
        ("post_json", "/-/keys", {"name": "stolen"}),
        ("get", "/-/keys", None),
        ("put_json", "/-/email/", {"email": "mallory@example.com", "password": PASSWORD}),
        ("get", "/-/sessions/", None),
    ],
    ids=["password", "new key", "keys", "email", "sessions"],
)
def test_a_token_cannot_manage_the_account(register, tokens_for, user, api, account_call):
    method, path, body = account_call
    tokens = tokens_for(register())
    call = getattr(api, method)
    arguments = (path,) if body is None else (path, body)
    refused = call(*arguments, headers=bearer(tokens["access_token"]), status=403)
    assert refused.json["status"] == "error"
    assert error_fields(refused) == [("header", "Authorization")]
    assert user.get("/-/keys").json["results"] == []
    user.login("ada@example.com", PASSWORD, status=200)


def test_bearer_writes_need_no_csrf_token(register, tokens_for, user, api):
    tokens = tokens_for(register())
    headers = bearer(tokens["access_token"])
    assert api.csrf_token == ""
    made = api.post_json("/-/documents/", {"title": "By the app"}, headers=headers, status=201).json
    path = f"/-/documents/{made['__meta__']['id']}"
    etag = api.get(path, headers=headers).headers["ETag"]
    changed = api.put_json(path, {"title": "Changed"}, headers={**headers, "If-Match": etag}, status=200)
    assert changed.json["title"] == "Changed"
    assert user.get(path).json["title"] == "Changed"
    api.delete(path, headers=headers, status=204)
    user.get(path, status=404)


def test_what_a_token_makes_belongs_to_its_user(register, tokens_for, user, api, bob):
    tokens = tokens_for(register())
    made = api.post_json("/-/documents/", {"title": "Ada's"}, headers=bearer(tokens["access_token"])).json
    path = f"/-/documents/{made['__meta__']['id']}"
    assert user.get(path).json["title"] == "Ada's"
    bob.get(path, status=404)


def assert_invalid_token(response) -> None:
    challenge = response.headers["WWW-Authenticate"]
    assert "Bearer" in challenge
    assert 'error="invalid_token"' in challenge
    assert response.json["status"] == "error"
    assert "Cache-Control" not in response.headers or "public" not in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Bearer ",
        "Bearer no-such-token",
        "Bearer a b",
        "Bearer \u00e9t\u00e9",
        "bearer lower-case-unknown",
    ],
    ids=["no token", "empty", "unknown", "two words", "non-ascii", "lower-case scheme"],
)
def test_a_malformed_or_unknown_token_is_a_401_with_the_bearer_challenge(api, authorization):
    response = api.get("/-/userprofile", headers={"Authorization": authorization}, status=401)
    assert_invalid_token(response)


def test_a_bad_token_is_a_401_even_where_anyone_may_read(api):
    response = api.get("/-/documents/", headers=bearer("no-such-token"), status=401)
    assert_invalid_token(response)


def test_an_expired_token_is_a_401(register, tokens_for, api, dbsession):
    tokens = tokens_for(register())
    dbsession.execute(update(Token).values(expires=utcnow() - timedelta(seconds=1)))
    dbsession.commit()
    response = api.get("/-/userprofile", headers=bearer(tokens["access_token"]), status=401)
    assert_invalid_token(response)


def test_a_refresh_token_is_no_access_token(register, tokens_for, api):
    tokens = tokens_for(register())
    response = api.get("/-/userprofile", headers=bearer(tokens["refresh_token"]), status=401)
    assert_invalid_token(response)


def test_a_code_is_no_access_token(register, code_for, api):
    code, _verifier = code_for(register())
    assert_invalid_token(api.get("/-/userprofile", headers=bearer(code), status=401))


@pytest.mark.parametrize("path", ["/-/userprofile", "/-/documents/"])
def test_a_token_in_the_query_string_is_refused(register, tokens_for, api, path):
    tokens = tokens_for(register())
    response = api.get(path, {"access_token": tokens["access_token"]}, status=400)
    assert error_fields(response) == [("querystring", "access_token")]
    assert "Authorization: Bearer" in response.json["errors"][0]["description"]
    assert "ada@example.com" not in response.text


# Discovery.


def test_the_metadata_lists_the_endpoints_and_s256_only(api):
    found = api.get("/.well-known/oauth-authorization-server", status=200).json
    base = "http://localhost"
    assert found["issuer"] == base
    assert found["authorization_endpoint"] == f"{base}/oauth2/authorize"
    assert found["token_endpoint"] == f"{base}/oauth2/token"
    assert found["revocation_endpoint"] == f"{base}/oauth2/revoke"
    assert found["introspection_endpoint"] == f"{base}/oauth2/introspect"
    assert found["code_challenge_methods_supported"] == ["S256"]
    assert found["response_types_supported"] == ["code"]
    assert set(found["grant_types_supported"]) == {"authorization_code", "refresh_token", "password"}
    assert set(found["scopes_supported"]) >= {"read", "write"}


def test_the_metadata_follows_the_proxy(app_with):
    proxied = Browser(
        app_with(**{"backrest.trusted_proxies": "192.0.2.0/24"}), extra_environ={"REMOTE_ADDR": "192.0.2.1"}
    )
    headers = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "api.example",
        "X-Forwarded-Prefix": "/backrest",
    }
    found = proxied.get("/.well-known/oauth-authorization-server", headers=headers).json
    assert found["token_endpoint"] == "https://api.example/backrest/oauth2/token"
