"""PUT /-/login, GET /-/login and PUT /-/logout: sessions, their cookie, and failed logins."""

import pytest
from sqlalchemy import select

from backrest.audit.models import AuditEntry
from tests.client import Browser
from tests.conftest import CLIENT, PASSWORD, error_fields

COOKIE = "backrest_session"
DEVICE = "backrest_device"


def replay(app, cookie):
    """A browser that has nothing but a copy of a session cookie."""
    stranger = Browser(app, extra_environ=dict(CLIENT))
    stranger.set_cookie(COOKIE, cookie)
    return stranger


def test_login_answers_success_with_a_session_cookie(browser, signup):
    signup()
    response = browser.login("ada@example.com", PASSWORD, status=200)
    assert response.json["status"] == "success"
    assert browser.cookies[COOKIE]


def test_login_is_case_insensitive_on_the_email(browser, signup):
    signup()
    browser.login("ADA@Example.COM", PASSWORD, status=200)
    assert browser.get("/-/login").json["email"] == "ada@example.com"


def test_unconfirmed_account_may_log_in(browser, signup):
    signup(confirm=False)
    browser.login("ada@example.com", PASSWORD, status=200)
    assert browser.get("/-/login").json["authenticated"] is True


def test_login_status_of_a_session_has_the_contract_fields(logged_in):
    status = logged_in.get("/-/login").json
    assert set(status) == {
        "authenticated",
        "firstname",
        "lastname",
        "email",
        "email_verified",
        "id",
        "csrf_token",
    }
    assert status["authenticated"] is True
    assert (status["firstname"], status["lastname"], status["email"]) == ("Ada", "", "ada@example.com")
    assert status["email_verified"] is True
    assert status["id"]
    assert status["csrf_token"]


def test_login_status_of_an_anonymous_caller_has_the_contract_fields(browser):
    status = browser.get("/-/login").json
    assert set(status) == {"authenticated", "csrf_token"}
    assert status["authenticated"] is False
    assert isinstance(status["csrf_token"], str)


def cookie_attributes(response, name):
    """The attributes of the one ``Set-Cookie`` of ``response`` that sets ``name``, in lower case."""
    [cookie] = [value for value in response.headers.getall("Set-Cookie") if value.startswith(f"{name}=")]
    return {part.strip().lower() for part in cookie.split(";")[1:]}


def test_session_cookie_is_httponly_and_samesite_lax(browser, signup):
    signup()
    response = browser.login("ada@example.com", PASSWORD, status=200)
    attributes = cookie_attributes(response, COOKIE)
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


def test_session_cookie_is_secure_when_configured(app_with, signup):
    browser = Browser(app_with(**{"backrest.session.secure": "true"}), extra_environ=dict(CLIENT))
    signup()
    response = browser.login("ada@example.com", PASSWORD, status=200)
    assert "secure" in cookie_attributes(response, COOKIE)


def test_login_gives_a_long_lived_device_cookie_for_the_account_calls(browser, signup):
    signup()
    failed = browser.login("ada@example.com", "not the password at all", status=400)
    assert not any(value.startswith(f"{DEVICE}=") for value in failed.headers.getall("Set-Cookie"))
    response = browser.login("ada@example.com", PASSWORD, status=200)
    attributes = cookie_attributes(response, DEVICE)
    assert {"httponly", "samesite=lax", "path=/-/", "max-age=31536000"} <= attributes
    assert "secure" not in attributes


def test_device_cookie_is_secure_like_the_session_cookie(app_with, signup):
    browser = Browser(app_with(**{"backrest.session.secure": "true"}), extra_environ=dict(CLIENT))
    signup()
    response = browser.login("ada@example.com", PASSWORD, status=200)
    assert "secure" in cookie_attributes(response, DEVICE)


def test_every_login_gives_a_new_device_cookie(logged_in):
    before = logged_in.cookies[DEVICE]
    logged_in.login("ada@example.com", PASSWORD, status=200)
    assert logged_in.cookies[DEVICE] != before


def test_logout_keeps_the_device_cookie(logged_in):
    logged_in.logout()
    assert logged_in.cookies[DEVICE]


def test_login_rotates_the_session_id(app, logged_in):
    before = logged_in.cookies[COOKIE]
    logged_in.login("ada@example.com", PASSWORD, status=200)
    assert logged_in.cookies[COOKIE] != before
    assert replay(app, before).get("/-/login").json["authenticated"] is False


def test_logout_ends_the_session_server_side(app, logged_in):
    cookie = logged_in.cookies[COOKIE]
    assert logged_in.logout().json == {"status": "success"}
    assert replay(app, cookie).get("/-/login").json["authenticated"] is False
    replay(app, cookie).get("/-/userprofile", status=401)


def test_logout_clears_the_cookie(logged_in):
    logged_in.logout()
    assert COOKIE not in logged_in.cookies
    assert logged_in.get("/-/login").json["authenticated"] is False


def test_anonymous_logout_answers_success(browser):
    assert browser.put_json("/-/logout", {}, status=200).json == {"status": "success"}


def test_wrong_password_is_400_on_login(browser, signup):
    signup()
    response = browser.login("ada@example.com", "not the password at all", status=400)
    assert error_fields(response) == [("body", "login")]
    assert browser.get("/-/login").json["authenticated"] is False


def test_wrong_password_and_unknown_email_answer_identically(browser, signup):
    signup()
    wrong = browser.login("ada@example.com", "not the password at all", status=400)
    unknown = browser.login("nobody@example.com", "not the password at all", status=400)
    assert (wrong.status, wrong.json) == (unknown.status, unknown.json)


def test_failed_login_shows_no_password(browser, signup):
    signup()
    response = browser.login("ada@example.com", "my secret guess", status=400)
    assert "my secret guess" not in response.text


def test_missing_fields_are_400_on_each(browser):
    response = browser.put_json("/-/login", {}, status=400)
    assert sorted(error_fields(response)) == [("body", "login"), ("body", "password")]


def test_failed_login_is_in_the_audit_log(browser, signup, dbsession):
    signup()
    browser.login("ada@example.com", "not the password at all", status=400)
    actions = dbsession.scalars(select(AuditEntry.action)).all()
    assert "login_failed" in actions


def test_successful_login_is_in_the_audit_log(browser, signup, dbsession):
    signup()
    browser.login("ada@example.com", PASSWORD, status=200)
    assert "login" in dbsession.scalars(select(AuditEntry.action)).all()


def test_audit_log_holds_no_password(browser, signup, dbsession):
    signup()
    browser.login("ada@example.com", "my secret guess", status=400)
    browser.login("ada@example.com", PASSWORD, status=200)
    for entry in dbsession.scalars(select(AuditEntry)):
        assert "my secret guess" not in repr(entry.changes)
        assert PASSWORD not in repr(entry.changes)


def test_repeated_failures_from_one_client_are_throttled(browser, signup):
    signup()
    for _ in range(5):
        browser.login("ada@example.com", "not the password at all", status=400)
    response = browser.login("ada@example.com", PASSWORD, status=429)
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["status"] == "error"


@pytest.fixture
def attacked(app_with, signup):
    """An app whose per-account budget of 3 failures is spent by two attacking clients."""
    app = app_with(
        **{"backrest.throttle.login_failures": "2/hour", "backrest.throttle.login_account": "3/hour"}
    )
    signup()
    for address, attempts in (("203.0.113.1", 2), ("203.0.113.2", 1)):
        attacker = Browser(app, extra_environ={"REMOTE_ADDR": address})
        for _ in range(attempts):
            attacker.login("ada@example.com", "a wrong guess here", status=400)
    return app


def test_exhausted_account_cap_refuses_a_client_that_has_failed(attacked):
    attacker = Browser(attacked, extra_environ={"REMOTE_ADDR": "203.0.113.2"})
    response = attacker.login("ada@example.com", PASSWORD, status=429)
    assert int(response.headers["Retry-After"]) > 0
