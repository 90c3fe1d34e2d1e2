"""PUT /-/password: changing the password of one's own account."""

from tests.client import Browser
from tests.conftest import PASSWORD, assert_names_the_client, error_fields

NEW_PASSWORD = "a different passphrase"


def change(browser, current=PASSWORD, password=NEW_PASSWORD, **kwargs):
    return browser.put_json("/-/password", {"current": current, "password": password}, **kwargs)


def test_password_change_answers_success_and_the_new_password_works(logged_in):
    assert change(logged_in, status=200).json["status"] == "success"
    logged_in.logout()
    logged_in.login("ada@example.com", PASSWORD, status=400)
    logged_in.login("ada@example.com", NEW_PASSWORD, status=200)


def test_wrong_current_password_is_400_on_current(logged_in):
    response = change(logged_in, current="not the password at all", status=400)
    assert error_fields(response) == [("body", "current")]


def test_wrong_current_password_changes_nothing(logged_in):
    change(logged_in, current="not the password at all", status=400)
    logged_in.logout()
    logged_in.login("ada@example.com", PASSWORD, status=200)


def test_repeated_wrong_current_passwords_are_throttled(logged_in):
    for _ in range(5):
        change(logged_in, current="not the password at all", status=400)
    response = change(logged_in, status=429)
    assert int(response.headers["Retry-After"]) > 0


def test_too_short_new_password_is_400_on_password(logged_in):
    response = change(logged_in, password="short", status=400)
    assert error_fields(response) == [("body", "password")]


def test_new_password_containing_the_email_is_400_on_password(logged_in):
    response = change(logged_in, password="ada@example.com rules", status=400)
    assert error_fields(response) == [("body", "password")]


def test_common_new_password_is_400_on_password(logged_in):
    response = change(logged_in, password="password1234", status=400)
    assert error_fields(response) == [("body", "password")]


def test_missing_fields_are_400_on_each(logged_in):
    response = logged_in.put_json("/-/password", {}, status=400)
    assert sorted(error_fields(response)) == [("body", "current"), ("body", "password")]


def test_password_change_ends_other_sessions_but_keeps_the_current_one(logged_in, other_browser):
    other_browser.login("ada@example.com", PASSWORD, status=200)
    change(logged_in, status=200)
    assert other_browser.get("/-/login").json["authenticated"] is False
    assert logged_in.get("/-/login").json["authenticated"] is True


def test_password_change_gives_the_session_a_new_cookie_and_csrf_token(app, logged_in):
    old_cookie, old_csrf = logged_in.cookies["backrest_session"], logged_in.csrf_token
    answer = change(logged_in, status=200).json
    assert answer == {"status": "success", "csrf_token": logged_in.csrf_token}
    assert (logged_in.cookies["backrest_session"], logged_in.csrf_token) != (old_cookie, old_csrf)
    assert logged_in.get("/-/login").json["authenticated"] is True
    stale = Browser(app)
    stale.set_cookie("backrest_session", old_cookie)
    assert stale.get("/-/login").json["authenticated"] is False


def test_password_change_mails_a_notice_naming_time_address_and_user_agent(logged_in, mailbox):
    change(logged_in, status=200)
    [notice] = mailbox.new()
    assert notice.to == "ada@example.com"
    assert_names_the_client(notice)


def test_password_change_kills_pending_reset_links(logged_in, mailbox):
    logged_in.post_json("/-/reset/", {"email": "ada@example.com"}, status=200)
    token = mailbox.last_to("ada@example.com").token
    change(logged_in, status=200)
    logged_in.put_json(f"/-/reset/{token}", {"password": "yet another passphrase"}, status=400)


def test_password_change_needs_a_session(browser):
    response = change(browser, status=401)
    assert response.headers["WWW-Authenticate"]
