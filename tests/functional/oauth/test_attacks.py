"""What an attacker tries against the provider, and what stops each attempt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from backrest.db import utcnow
from backrest.oauth.models import AuthorizationCode
from tests.functional.oauth.conftest import (
    NATIVE,
    PASSWORD,
    WEB,
    authorize_url,
    basic,
    bearer,
    call,
    exchange,
    pkce_pair,
    query_of,
    refresh,
)
from tests.functional.test_keys import make_key
from tests.functional.test_keys import token as key_header

# The redirect URI: whatever does not match exactly is never redirected to.

NOT_WEB = {
    "truncated": "https://app.example.com/oauth/",
    "extended": "https://app.example.com/oauth/callbackx",
    "upper-case host": "https://APP.example.com/oauth/callback",
    "upper-case path": "https://app.example.com/OAuth/callback",
    "upper-case scheme": "HTTPS://app.example.com/oauth/callback",
    "trailing slash": "https://app.example.com/oauth/callback/",
    "extra path": "https://app.example.com/oauth/callback/evil",
    "dot segments": "https://app.example.com/oauth/callback/../../evil",
    "query": "https://app.example.com/oauth/callback?next=https://evil.example",
    "fragment": "https://app.example.com/oauth/callback#evil",
    "userinfo": "https://app.example.com@evil.example/oauth/callback",
    "userinfo with port": "https://app.example.com:443@evil.example/oauth/callback",
    "subdomain of the attacker": "https://app.example.com.evil.example/oauth/callback",
    "percent-encoded path": "https://app.example.com/oauth/%63allback",
    "percent-encoded slash": "https://app.example.com%2F@evil.example/oauth/callback",
    "percent-encoded at": "https://app.example.com%40evil.example/oauth/callback",
    "percent-encoded traversal": "https://app.example.com/oauth/callback%2F..%2F..%2Fevil",
    "backslash": "https://evil.example\\@app.example.com/oauth/callback",
    "http": "http://app.example.com/oauth/callback",
    "another port": "https://app.example.com:8443/oauth/callback",
    "the default port": "https://app.example.com:443/oauth/callback",
    "another site": "https://evil.example/oauth/callback",
}

NOT_NATIVE = {
    "another loopback host": "http://localhost/callback",
    "userinfo": "http://127.0.0.1@evil.example/callback",
    "userinfo with port": "http://127.0.0.1:8080@evil.example/callback",
    "longer host": "http://127.0.0.1.evil.example/callback",
    "https": "https://127.0.0.1/callback",
    "another path": "http://127.0.0.1:8080/callback/evil",
    "a port too large": "http://127.0.0.1:99999/callback",
}


def assert_refused_without_redirect(response, requested: str) -> None:
    assert response.status_int == 400
    assert "Location" not in response.headers
    assert response.content_type == "text/html"
    assert "cannot be answered" in response.text
    assert "code=" not in response.text


@pytest.mark.parametrize("requested", NOT_WEB.values(), ids=NOT_WEB.keys())
def test_a_redirect_uri_that_does_not_match_exactly_is_never_redirected_to(register, user, requested):
    client = register()
    _verifier, challenge = pkce_pair()
    url = authorize_url(client, challenge, redirect_uri=requested)
    assert_refused_without_redirect(user.get(url, expect_errors=True), requested)
    # Posting "allow" straight away, as a forged form would, is no better.
    posted = user.post(url, {"action": "allow", "csrf_token": user.csrf_token}, expect_errors=True)
    assert_refused_without_redirect(posted, requested)


@pytest.mark.parametrize("requested", NOT_NATIVE.values(), ids=NOT_NATIVE.keys())
def test_a_loopback_redirect_uri_may_change_its_port_and_nothing_else(register, user, requested):
    client = register(client_type="public", redirect_uri=NATIVE)
    _verifier, challenge = pkce_pair()
    url = authorize_url(client, challenge, redirect_uri=requested)
    assert_refused_without_redirect(user.get(url, expect_errors=True), requested)


def test_a_loopback_redirect_uri_on_another_port_is_the_native_apps(register, user):
    client = register(client_type="public", redirect_uri=NATIVE)
    _verifier, challenge = pkce_pair()
    page = user.get(authorize_url(client, challenge, redirect_uri="http://127.0.0.1:51234/callback"))
    answer = page.forms[0].submit("action", value="allow", status=302)
    assert answer.headers["Location"].startswith("http://127.0.0.1:51234/callback?")


def test_an_anonymous_visitor_with_a_bad_redirect_uri_gets_no_login_form(register, browser):
    client = register()
    _verifier, challenge = pkce_pair()
    url = authorize_url(client, challenge, redirect_uri=NOT_WEB["userinfo"])
    response = browser.get(url, status=400)
    assert "Location" not in response.headers
    assert 'name="password"' not in response.text


def test_the_code_must_come_back_with_the_redirect_uri_it_was_given_for(register, code_for, api):
    client = register(redirect_uris=[WEB, "https://app.example.com/other"])
    code, verifier = code_for(client)
    form = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier}
    answer = api.post(
        "/oauth2/token",
        {**form, "redirect_uri": "https://app.example.com/other"},
        headers=basic(client),
        status=400,
    )
    # oauthlib says invalid_request (RFC 6749 section 5.2 would allow invalid_grant too).
    assert answer.json["error"] in {"invalid_request", "invalid_grant"}
    assert "access_token" not in answer.json


# Codes.


def test_a_replayed_code_fails_and_kills_the_tokens_of_its_first_use(register, code_for, api):
    client = register()
    code, verifier = code_for(client)
    first = exchange(api, client, code, verifier).json
    api.get("/-/userprofile", headers=bearer(first["access_token"]), status=200)
    replay = exchange(api, client, code, verifier, status=400)
    assert replay.json["error"] == "invalid_grant"
    assert "access_token" not in replay.json
    api.get("/-/userprofile", headers=bearer(first["access_token"]), status=401)
    assert refresh(api, client, first["refresh_token"], status=400).json["error"] == "invalid_grant"


def test_a_replayed_code_also_kills_the_tokens_refreshed_from_it(register, code_for, api):
    client = register()
    code, verifier = code_for(client)
    first = exchange(api, client, code, verifier).json
    renewed = refresh(api, client, first["refresh_token"]).json
    exchange(api, client, code, verifier, status=400)
    api.get("/-/userprofile", headers=bearer(renewed["access_token"]), status=401)
    assert refresh(api, client, renewed["refresh_token"], status=400).json["error"] == "invalid_grant"


def test_a_code_in_flight_dies_with_a_password_change(register, code_for, user, api):
    client = register()
    code, verifier = code_for(client)
    new_password = "a completely different passphrase"
    user.put_json("/-/password", {"current": PASSWORD, "password": new_password}, status=200)
    answer = exchange(api, client, code, verifier, status=400)
    assert answer.json["error"] == "invalid_grant"


def test_a_wrong_pkce_verifier_gets_no_token(register, code_for, api):
    client = register(client_type="public", redirect_uri=NATIVE)
    code, _verifier = code_for(client)
    other_verifier, _challenge = pkce_pair()
    answer = exchange(api, client, code, other_verifier, status=400)
    assert answer.json["error"] == "invalid_grant"
    assert "access_token" not in answer.json


def test_a_missing_pkce_verifier_gets_no_token(register, code_for, api):
    client = register(client_type="public", redirect_uri=NATIVE)
    code, _verifier = code_for(client)
    answer = exchange(api, client, code, None, status=400)
    assert answer.json["error"] == "invalid_request"
    assert "code_verifier" in answer.json["error_description"].replace(" ", "_").lower()
    assert "access_token" not in answer.json


def test_a_confidential_client_that_sent_a_challenge_must_send_its_verifier(register, code_for, api):
    client = register()
    code, _verifier = code_for(client)
    answer = exchange(api, client, code, None, status=400)
    assert "access_token" not in answer.json


def test_a_public_client_without_code_challenge_is_sent_back_with_invalid_request(register, user):
    client = register(client_type="public", redirect_uri=NATIVE)
    answer = user.get(authorize_url(client, None), status=302)
    assert answer.headers["Location"].startswith(NATIVE + "?")
    back = query_of(answer.headers["Location"])
    assert back["error"] == "invalid_request"
    assert back["state"] == "xyz"
    assert "code" not in back


@pytest.mark.parametrize("scope", ["read write", "write", "admin", "read admin"])
def test_a_scope_beyond_the_applications_is_sent_back_with_invalid_scope(register, user, scope):
    client = register(scopes=["read"])
    _verifier, challenge = pkce_pair()
    answer = user.get(authorize_url(client, challenge, scope=scope), status=302)
    back = query_of(answer.headers["Location"])
    assert back["error"] == "invalid_scope"
    assert back["state"] == "xyz"
    assert "code" not in back


def test_the_plain_code_challenge_method_is_refused(register, user):
    client = register(client_type="public", redirect_uri=NATIVE)
    verifier, _challenge = pkce_pair()
    url = authorize_url(client, None, code_challenge=verifier, code_challenge_method="plain")
    answer = user.get(url, status=302)
    back = query_of(answer.headers["Location"])
    assert back["error"] == "invalid_request"
    assert "code" not in back


def test_a_wrong_client_secret_is_a_401_in_both_shapes(register, code_for, api):
    client = register()
    code, verifier = code_for(client)
    client.secret = "not-" + client.secret
    answer = exchange(api, client, code, verifier, status=401)
    assert answer.json["error"] == "invalid_client"
    assert answer.json["error_description"]
    assert answer.json["status"] == "error"
    assert answer.json["errors"][0]["name"] == "invalid_client"
    assert answer.headers["WWW-Authenticate"].startswith("Basic")
    assert "access_token" not in answer.json


def test_an_expired_code_gets_no_token(register, code_for, api, dbsession):
    client = register()
    code, verifier = code_for(client)
    dbsession.execute(update(AuthorizationCode).values(expires=utcnow() - timedelta(seconds=1)))
    dbsession.commit()
    answer = exchange(api, client, code, verifier, status=400)
    assert answer.json["error"] == "invalid_grant"


def test_a_code_of_another_client_gets_no_token(register, code_for, api):
    client = register()
    thief = register(redirect_uri=WEB)
    code, verifier = code_for(client)
    answer = exchange(api, thief, code, verifier, status=400)
    assert answer.json["error"] == "invalid_grant"
    exchange(api, client, code, verifier, status=200)


# Refresh tokens.


def test_a_refresh_cannot_widen_the_scope(register, tokens_for, api):
    client = register()
    tokens = tokens_for(client, scope="read")
    assert tokens["scope"] == "read"
    answer = refresh(api, client, tokens["refresh_token"], status=400, scope="read write")
    assert answer.json["error"] == "invalid_scope"
    assert "access_token" not in answer.json
    renewed = refresh(api, client, tokens["refresh_token"]).json
    assert renewed["scope"] == "read"
    api.post_json("/-/documents/", {"title": "t"}, headers=bearer(renewed["access_token"]), status=403)


def test_a_narrower_refresh_narrows_the_access_token_only(register, tokens_for, api):
    client = register()
    tokens = tokens_for(client, scope="read write")
    narrowed = refresh(api, client, tokens["refresh_token"], scope="read").json
    assert narrowed["scope"] == "read"
    api.post_json("/-/documents/", {"title": "t"}, headers=bearer(narrowed["access_token"]), status=403)
    widened_back = refresh(api, client, narrowed["refresh_token"], scope="read write").json
    assert widened_back["scope"] == "read write"
    api.post_json("/-/documents/", {"title": "t"}, headers=bearer(widened_back["access_token"]), status=201)


def test_a_refresh_token_used_twice_revokes_its_whole_family(register, tokens_for, api):
    client = register()
    first = tokens_for(client)
    second = refresh(api, client, first["refresh_token"]).json
    third = refresh(api, client, second["refresh_token"]).json
    api.get("/-/userprofile", headers=bearer(third["access_token"]), status=200)
    assert refresh(api, client, first["refresh_token"], status=400).json["error"] == "invalid_grant"
    for tokens in (first, second, third):
        api.get("/-/userprofile", headers=bearer(tokens["access_token"]), status=401)
    assert refresh(api, client, third["refresh_token"], status=400).json["error"] == "invalid_grant"


def test_a_refresh_token_of_another_client_is_refused(register, tokens_for, api):
    client = register()
    other = register()
    tokens = tokens_for(client)
    assert refresh(api, other, tokens["refresh_token"], status=400).json["error"] == "invalid_grant"
    refresh(api, client, tokens["refresh_token"], status=200)


# The password grant.


def password_grant(api, client, status: int = 200, **form: str):
    return call(
        api,
        "/oauth2/token",
        client,
        status,
        **{"grant_type": "password", "username": "ada@example.com", "password": PASSWORD, **form},
    )


def test_the_password_grant_is_refused_to_an_application_that_does_not_enable_it(register, user, api):
    client = register()
    answer = password_grant(api, client, status=400)
    assert answer.json["error"] == "unauthorized_client"
    assert answer.json["status"] == "error"


def test_an_application_without_the_password_grant_tells_no_right_password_from_a_wrong_one(
    register, user, api
):
    client = register()
    right = password_grant(api, client, status=400).json
    wrong = password_grant(api, client, status=400, password="not the password at all").json
    assert right["error"] == wrong["error"] == "unauthorized_client"
    assert right["error_description"] == wrong["error_description"]


def test_the_password_grant_is_refused_to_an_unconfirmed_account(register, signup, api):
    client = register(grant_types=["password", "refresh_token"])
    signup(confirm=False)
    answer = password_grant(api, client, status=400)
    assert answer.json["error"] == "invalid_grant"
    assert "access_token" not in answer.json


def test_the_password_grant_works_for_an_application_that_enables_it(register, user, api, mailbox):
    client = register(grant_types=["password", "refresh_token"])
    tokens = password_grant(api, client, scope="read").json
    assert tokens["scope"] == "read"
    assert (
        api.get("/-/userprofile", headers=bearer(tokens["access_token"])).json["email"] == "ada@example.com"
    )
    renewed = refresh(api, client, tokens["refresh_token"]).json
    api.get("/-/userprofile", headers=bearer(renewed["access_token"]), status=200)
    [grant] = user.get("/-/authorizations/").json["results"]
    assert grant["scopes"] == ["read"]
    assert [mail.subject for mail in mailbox.new()] == ["You allowed Notes to use your account"]


def test_the_password_grant_needs_the_client_secret(register, user, api):
    client = register(grant_types=["password", "refresh_token"])
    client.secret = "wrong"
    assert password_grant(api, client, status=401).json["error"] == "invalid_client"
    form = {"grant_type": "password", "username": "ada@example.com", "password": PASSWORD}
    anonymous = api.post("/oauth2/token", {**form, "client_id": client.client_id}, status=401)
    assert anonymous.json["error"] == "invalid_client"


def test_the_password_grant_with_a_wrong_password_is_invalid_grant(register, user, api):
    client = register(grant_types=["password", "refresh_token"])
    answer = password_grant(api, client, status=400, password="not the password at all")
    assert answer.json["error"] == "invalid_grant"
    assert "access_token" not in answer.json


# What a token may reach.


def test_a_token_does_not_reach_another_users_private_document(register, tokens_for, bob, api):
    client = register()
    made = bob.post_json("/-/documents/", {"title": "Bob's diary"}, status=201).json
    path = f"/-/documents/{made['__meta__']['id']}"
    tokens = tokens_for(client)
    api.get(path, headers=bearer(tokens["access_token"]), status=404)
    api.put_json(path, {"title": "Ada was here"}, headers=bearer(tokens["access_token"]), status=404)
    api.delete(path, headers=bearer(tokens["access_token"]), status=404)
    assert bob.get(path).json["title"] == "Bob's diary"


def test_a_read_token_cannot_write(register, tokens_for, user, api):
    client = register()
    made = user.post_json("/-/documents/", {"title": "Mine"}, status=201).json
    path = f"/-/documents/{made['__meta__']['id']}"
    tokens = tokens_for(client, scope="read")
    headers = bearer(tokens["access_token"])
    assert api.get(path, headers=headers).json["title"] == "Mine"
    refused = api.post_json("/-/documents/", {"title": "t"}, headers=headers, status=403)
    assert refused.json["status"] == "error"
    assert "write" in refused.json["errors"][0]["description"]
    api.put_json(path, {"title": "Changed"}, headers=headers, status=403)
    api.delete(path, headers=headers, status=403)
    upload = api.post(
        "/-/files/", {}, upload_files=[("file", "a.txt", b"hello", "text/plain")], headers=headers, status=403
    )
    assert upload.json["status"] == "error"
    assert user.get(path).json["title"] == "Mine"
    assert user.get("/-/files/").json["count"] == 0


def test_a_write_token_uploads_a_file(register, tokens_for, user, api):
    client = register()
    headers = bearer(tokens_for(client)["access_token"])
    api.post(
        "/-/files/", {}, upload_files=[("file", "a.txt", b"hello", "text/plain")], headers=headers, status=201
    )
    assert user.get("/-/files/").json["count"] == 1


def test_a_revoked_grants_tokens_stop_working(register, tokens_for, user, api):
    client = register()
    tokens = tokens_for(client)
    [grant] = user.get("/-/authorizations/").json["results"]
    user.delete(f"/-/authorizations/{grant['id']}", status=204)
    refused = api.get("/-/userprofile", headers=bearer(tokens["access_token"]), status=401)
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    assert refresh(api, client, tokens["refresh_token"], status=400).json["error"] == "invalid_grant"


def test_an_api_key_is_no_bearer_token(user, api):
    credential = make_key(user)["key"]
    api.get("/-/userprofile", headers=key_header(credential), status=200)
    api.get("/-/userprofile", headers=bearer(credential), status=401)


# Grants and response types backrest does not offer.


@pytest.mark.parametrize(
    "grant_type",
    ["client_credentials", "urn:ietf:params:oauth:grant-type:device_code", "implicit", "nonsense"],
)
def test_other_grant_types_are_unsupported(register, api, grant_type):
    client = register()
    answer = call(api, "/oauth2/token", client, 400, grant_type=grant_type, scope="read")
    assert answer.json["error"] == "unsupported_grant_type"
    assert answer.json["status"] == "error"
    assert "access_token" not in answer.json


def test_the_implicit_grant_is_refused_with_a_redirect(register, user):
    client = register()
    _verifier, challenge = pkce_pair()
    answer = user.get(authorize_url(client, challenge, response_type="token"), status=302)
    assert answer.headers["Location"].startswith(WEB + "?")
    back = query_of(answer.headers["Location"])
    assert back["error"] == "unsupported_response_type"
    assert back["state"] == "xyz"
    assert "access_token" not in answer.headers["Location"]
