"""The consent page at /oauth2/authorize: logging in, allowing, denying, and what protects each step."""

from __future__ import annotations

import pytest

from tests.client import Browser
from tests.conftest import CLIENT, assert_names_the_client, error_fields
from tests.functional.oauth.conftest import (
    PASSWORD,
    WEB,
    allow,
    authorize_url,
    bearer,
    exchange,
    pkce_pair,
    query_of,
    redirected_code,
)

WORDS = {
    "read": "See your profile and everything you can see here",
    "write": "Make, change, share and delete what you may",
}


@pytest.fixture
def visitor(app) -> Browser:
    """A browser that has never logged in, on ada's machine."""
    return Browser(app, extra_environ=dict(CLIENT))


def url_for(client, **extra: str) -> str:
    _verifier, challenge = pkce_pair()
    return authorize_url(client, challenge, **extra)


def audited_authorizations(user: Browser) -> list[dict]:
    entries = user.get("/-/logs/", {"action": "oauth_authorized"}).json["results"]
    return [entry for entry in entries if entry["action"] == "oauth_authorized"]


# Logging in on the page.


def test_the_page_is_html_as_the_document_says(register, visitor):
    page = visitor.get(url_for(register()), status=200)
    assert page.content_type == "text/html"
    described = visitor.get("/-/openapi.json").json["paths"]["/oauth2/authorize"]
    for method in ("get", "post"):
        assert described[method]["responses"]["200"]["content"] == {
            "text/html": {"schema": {"type": "string"}}
        }


def test_an_anonymous_visitor_logs_in_on_the_page_and_comes_back_to_consent(register, signup, visitor):
    client = register(description="Takes notes for you.")
    signup()
    url = url_for(client)
    page = visitor.get(url, status=200)
    assert "Notes" in page.text
    form = page.forms[0]
    assert form["form_token"].value
    assert visitor.cookies.get("backrest_oauth_form") == form["form_token"].value
    form["email"] = "ada@example.com"
    form["password"] = PASSWORD
    logged_in = form.submit("action", value="login", status=303)
    assert logged_in.headers["Location"] == "http://localhost" + url
    consent = logged_in.follow(status=200)
    assert "<strong>Notes</strong> asks to use your account, ada@example.com" in consent.text
    assert "Takes notes for you." in consent.text
    for scope, words in WORDS.items():
        assert f"<strong>{scope}</strong>: {words}" in consent.text
    assert 'value="allow"' in consent.text
    assert 'value="deny"' in consent.text
    assert visitor.get("/-/login").json["authenticated"] is True


def test_the_page_names_only_the_scopes_asked_for(register, user):
    client = register()
    page = user.get(url_for(client, scope="read"), status=200)
    assert WORDS["read"] in page.text
    assert WORDS["write"] not in page.text


def test_the_login_form_without_its_cookie_is_refused(register, signup, visitor, app):
    client = register()
    signup()
    url = url_for(client)
    form_token = visitor.get(url).forms[0]["form_token"].value
    stranger = Browser(app, extra_environ=dict(CLIENT))
    body = {"action": "login", "email": "ada@example.com", "password": PASSWORD, "form_token": form_token}
    refused = stranger.post(url, body, status=400)
    assert "This form expired" in refused.text
    assert "Location" not in refused.headers
    assert stranger.get("/-/login").json["authenticated"] is False


def test_the_login_form_with_another_token_than_its_cookie_is_refused(register, signup, visitor):
    client = register()
    signup()
    url = url_for(client)
    visitor.get(url)
    body = {"action": "login", "email": "ada@example.com", "password": PASSWORD, "form_token": "forged"}
    refused = visitor.post(url, body, status=400)
    assert "This form expired" in refused.text
    assert visitor.get("/-/login").json["authenticated"] is False


def test_a_wrong_password_on_the_login_form_shows_the_form_again(register, signup, visitor):
    client = register()
    signup()
    url = url_for(client)
    form = visitor.get(url).forms[0]
    form["email"] = "ada@example.com"
    form["password"] = "not the password at all"
    refused = form.submit("action", value="login", status=400)
    assert 'class="error"' in refused.text
    assert 'name="form_token"' in refused.text
    assert visitor.get("/-/login").json["authenticated"] is False


# Allowing and denying.


def test_deny_sends_the_user_back_with_access_denied_and_the_state(register, user, mailbox):
    client = register()
    page = user.get(url_for(client, state="s-123"), status=200)
    answer = page.forms[0].submit("action", value="deny", status=302)
    assert answer.headers["Location"].startswith(WEB + "?")
    back = query_of(answer.headers["Location"])
    assert back["error"] == "access_denied"
    assert back["state"] == "s-123"
    assert "code" not in back
    assert user.get("/-/authorizations/").json["results"] == []
    assert mailbox.new() == []


def test_allow_sends_the_user_back_with_a_code_and_the_state(register, user):
    client = register()
    page = user.get(url_for(client, state="s-123"), status=200)
    answer = page.forms[0].submit("action", value="allow", status=302)
    assert answer.headers["Location"].startswith(WEB + "?")
    back = query_of(answer.headers["Location"])
    assert back["code"]
    assert back["state"] == "s-123"


@pytest.mark.parametrize("csrf_token", [None, "", "forged"], ids=["missing", "empty", "wrong"])
def test_allow_without_the_sessions_csrf_token_is_refused(register, user, csrf_token):
    client = register()
    url = url_for(client)
    user.get(url, status=200)
    form = {"action": "allow"} if csrf_token is None else {"action": "allow", "csrf_token": csrf_token}
    # The Browser sends its X-CSRF-Token header: the page's form field is what counts.
    refused = user.post(url, form, status=403)
    assert "Location" not in refused.headers
    assert "code=" not in refused.text
    assert user.get("/-/authorizations/").json["results"] == []


def test_deny_without_the_csrf_token_is_refused_too(register, user):
    client = register()
    refused = user.post(url_for(client), {"action": "deny", "csrf_token": "forged"}, status=403)
    assert "Location" not in refused.headers


def test_allow_posted_by_an_anonymous_visitor_shows_the_login_form(register, visitor):
    client = register()
    answer = visitor.post(url_for(client), {"action": "allow", "csrf_token": "anything"}, status=200)
    assert "Location" not in answer.headers
    assert 'name="form_token"' in answer.text


def test_a_bearer_token_cannot_allow_another_application(register, tokens_for, api):
    tokens = tokens_for(register())
    other = register()
    headers = bearer(tokens["access_token"])
    page = api.get(url_for(other), headers=headers, status=200)
    assert 'name="form_token"' in page.text
    posted = api.post(url_for(other), {"action": "allow"}, headers=headers, status=200)
    assert "Location" not in posted.headers
    assert 'name="form_token"' in posted.text


@pytest.mark.parametrize("who", ["user", "visitor"])
def test_the_pages_cannot_be_framed_nor_cached(register, user, visitor, who):
    client = register()
    page = {"user": user, "visitor": visitor}[who].get(url_for(client), status=200)
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "script-src" not in page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"


def test_a_problem_page_cannot_be_framed_nor_cached(register, user):
    client = register()
    page = user.get(url_for(client, redirect_uri="https://evil.example/"), status=400)
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"


def test_an_unconfirmed_user_gets_a_403_page_and_no_code(register, signup, browser, mailbox):
    client = register()
    browser.login(signup(confirm=False), PASSWORD, status=200)
    url = url_for(client)
    page = browser.get(url, status=403)
    assert "Confirm ada@example.com" in page.text
    assert "Location" not in page.headers
    posted = browser.post(url, {"action": "allow", "csrf_token": browser.csrf_token}, status=403)
    assert "Location" not in posted.headers
    assert browser.get("/-/authorizations/").json["results"] == []
    assert mailbox.new() == []


# Reauthentication.


def test_a_stale_session_types_the_password_on_the_page(register, user, backdate_sessions):
    client = register()
    backdate_sessions("authenticated", 600)
    page = user.get(url_for(client), status=200)
    assert 'type="password" name="password"' in page.text
    back = allow(user, url_for(client), password=PASSWORD)
    assert back["code"]


def test_a_fresh_session_is_not_asked_for_the_password(register, user):
    page = user.get(url_for(register()), status=200)
    assert 'name="password"' not in page.text


@pytest.mark.parametrize("password", ["", "not the password at all"], ids=["missing", "wrong"])
def test_a_stale_session_with_a_wrong_password_gets_an_error_and_no_code(
    register, user, backdate_sessions, mailbox, password
):
    client = register()
    backdate_sessions("authenticated", 600)
    form = user.get(url_for(client), status=200).forms[0]
    form["password"] = password
    refused = form.submit("action", value="allow", status=400)
    assert "Location" not in refused.headers
    assert 'class="error"' in refused.text
    assert 'name="password"' in refused.text
    assert user.get("/-/authorizations/").json["results"] == []
    assert mailbox.new() == []


# A second visit.


@pytest.mark.parametrize("again", ["read write", "read", "write"])
def test_a_second_authorization_within_the_grant_skips_the_page(register, user, api, again):
    client = register()
    allow(user, url_for(client))
    verifier, challenge = pkce_pair()
    answer = user.get(authorize_url(client, challenge, scope=again, state="second"), status=302)
    assert answer.headers["Location"].startswith(WEB + "?")
    back = query_of(answer.headers["Location"])
    assert back["state"] == "second"
    tokens = exchange(api, client, back["code"], verifier).json
    assert tokens["scope"] == again


def test_a_wider_authorization_asks_again_and_widens_the_grant(register, user, mailbox):
    client = register()
    allow(user, url_for(client, scope="read"))
    [grant] = user.get("/-/authorizations/").json["results"]
    assert grant["scopes"] == ["read"]
    mailbox.new()
    page = user.get(url_for(client, scope="read write"), status=200)
    assert WORDS["write"] in page.text
    page.forms[0].submit("action", value="allow", status=302)
    [widened] = user.get("/-/authorizations/").json["results"]
    assert widened["id"] == grant["id"]
    assert widened["scopes"] == ["read", "write"]
    [notice] = mailbox.new()
    assert WORDS["write"] in notice.body
    assert len(audited_authorizations(user)) == 2
    assert redirected_code(user, url_for(client, scope="write"))


def test_each_new_authorization_is_audited_and_mailed(register, user, mailbox):
    client = register()
    allow(user, url_for(client))
    [entry] = audited_authorizations(user)
    assert entry["changes"]["application"] == client.client_id
    assert entry["changes"]["scopes"] == ["read", "write"]
    assert entry["ip"] == CLIENT["REMOTE_ADDR"]
    [notice] = mailbox.new()
    assert notice.to == "ada@example.com"
    assert "Notes" in notice.subject
    assert WORDS["read"] in notice.body
    assert_names_the_client(notice)
    # A visit within the grant is no new authorization.
    redirected_code(user, url_for(client))
    assert mailbox.new() == []
    assert len(audited_authorizations(user)) == 1


def test_a_revoked_grant_is_asked_for_again(register, user):
    client = register()
    allow(user, url_for(client))
    [grant] = user.get("/-/authorizations/").json["results"]
    user.delete(f"/-/authorizations/{grant['id']}", status=204)
    user.get(url_for(client), status=200)


# Requests that cannot be trusted.


def test_an_unknown_client_id_answers_a_json_client_in_the_contracts_shape(user):
    url = "/oauth2/authorize?response_type=code&client_id=nobody&redirect_uri=https%3A%2F%2Fevil.example%2F"
    answer = user.get(url, headers={"Accept": "application/json"}, status=400)
    assert answer.content_type == "application/json"
    assert "Location" not in answer.headers
    assert answer.json["status"] == "error"
    assert error_fields(answer) == [("request", answer.json["error"])]
    assert answer.json["error"] == "invalid_request"
    assert "client_id" in answer.json["error_description"]
    assert answer.headers["Cache-Control"] == "no-store"


def test_an_unknown_client_id_answers_a_browser_with_a_page(user):
    url = "/oauth2/authorize?response_type=code&client_id=nobody&redirect_uri=https%3A%2F%2Fevil.example%2F"
    answer = user.get(url, status=400)
    assert answer.content_type == "text/html"
    assert "Location" not in answer.headers


def test_a_missing_redirect_uri_with_several_registered_is_not_guessed(register, user):
    client = register(redirect_uris=[WEB, "https://app.example.com/other"])
    _verifier, challenge = pkce_pair()
    url = authorize_url(client, challenge).replace("redirect_uri=", "ignored=")
    answer = user.get(url, status=400)
    assert "Location" not in answer.headers
