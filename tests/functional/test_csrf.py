"""Cookie-authenticated unsafe requests need the session's X-CSRF-Token."""

import pytest

from tests.conftest import PASSWORD

UNSAFE = [
    pytest.param("PUT", "/-/userprofile", {"firstname": "Eve"}, id="PUT"),
    pytest.param("POST", "/-/reset/", {"email": "ada@example.com"}, id="POST"),
    pytest.param("DELETE", "/-/userprofile", None, id="DELETE"),
]


def send(browser, method, path, body, **kwargs):
    if body is None:
        return browser.request(path, method=method, **kwargs)
    return getattr(browser, f"{method.lower()}_json")(path, body, **kwargs)


@pytest.fixture
def without_token(logged_in):
    """The logged-in browser, no longer sending its CSRF token by itself."""
    logged_in.csrf_token = ""
    return logged_in


@pytest.mark.parametrize(("method", "path", "body"), UNSAFE)
def test_unsafe_request_without_the_token_is_403_on_the_header(without_token, method, path, body):
    response = send(without_token, method, path, body, status=403)
    assert response.json["status"] == "error"
    assert response.json["errors"][0]["location"] == "header"
    assert response.json["errors"][0]["name"] == "X-CSRF-Token"


@pytest.mark.parametrize(("method", "path", "body"), UNSAFE)
def test_unsafe_request_with_a_wrong_token_is_403(without_token, method, path, body):
    headers = {"X-CSRF-Token": "not-the-token"}
    response = send(without_token, method, path, body, headers=headers, status=403)
    assert response.json["errors"][0]["name"] == "X-CSRF-Token"


def test_token_of_another_session_is_refused(without_token, other_browser):
    other_browser.login("ada@example.com", PASSWORD, status=200)
    headers = {"X-CSRF-Token": other_browser.csrf_token}
    without_token.put_json("/-/userprofile", {"firstname": "Eve"}, headers=headers, status=403)


def test_refused_request_changes_nothing(without_token, mailbox):
    without_token.put_json("/-/userprofile", {"firstname": "Eve"}, status=403)
    without_token.delete("/-/userprofile", status=403)
    without_token.post_json("/-/reset/", {"email": "ada@example.com"}, status=403)
    assert without_token.get("/-/userprofile").json["firstname"] == "Ada"
    assert mailbox.new() == []


def test_request_with_the_session_token_is_accepted(logged_in):
    headers = {"X-CSRF-Token": logged_in.get("/-/login").json["csrf_token"]}
    logged_in.put_json("/-/userprofile", {"firstname": "Augusta"}, headers=headers, status=200)


def test_login_answer_carries_the_session_token(browser, signup):
    signup()
    response = browser.put_json("/-/login", {"login": "ada@example.com", "password": PASSWORD})
    assert response.json["csrf_token"] == browser.get("/-/login").json["csrf_token"]


def test_safe_methods_need_no_token(without_token):
    without_token.get("/-/userprofile", status=200)
    without_token.get("/-/sessions", status=200)
    without_token.head("/-/userprofile", status=200)


def test_anonymous_unsafe_requests_need_no_token(browser, signup):
    signup()
    browser.post_json("/-/reset/", {"email": "ada@example.com"}, status=200)
    browser.put_json("/-/login", {"login": "ada@example.com", "password": PASSWORD}, status=200)


def test_dead_session_cookie_needs_no_token(logged_in):
    cookie = logged_in.cookies["backrest_session"]
    logged_in.logout()
    logged_in.set_cookie("backrest_session", cookie)
    logged_in.post_json("/-/reset/", {"email": "ada@example.com"}, status=200)
