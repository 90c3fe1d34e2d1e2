"""/-/sessions: listing one's sessions and ending them; session timeouts."""

import re
from datetime import timedelta

from sqlalchemy import select

from backrest.sessions.models import UserSession
from tests.client import Browser
from tests.conftest import PASSWORD, error_fields

IDLE_TIMEOUT = 7 * 24 * 3600
ABSOLUTE_TIMEOUT = 30 * 24 * 3600
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def sessions(browser):
    return browser.get("/-/sessions").json["results"]


def session_id(browser):
    [current] = [session for session in sessions(browser) if session["current"]]
    return current["id"]


def test_sessions_list_every_session_of_the_account(logged_in, other_browser):
    other_browser.login("ada@example.com", PASSWORD, status=200)
    listed = sessions(logged_in)
    assert len(listed) == 2
    for session in listed:
        assert set(session) == {"id", "created", "last_seen", "ip", "user_agent", "current"}


def test_sessions_show_truncated_addresses_and_user_agents(logged_in, other_browser):
    other_browser.login("ada@example.com", PASSWORD, status=200)
    seen = {(session["ip"], session["user_agent"]) for session in sessions(logged_in)}
    assert seen == {("192.0.2.0", "pytest"), ("198.51.100.0", "other")}


def test_sessions_mark_the_current_one(logged_in, other_browser):
    other_browser.login("ada@example.com", PASSWORD, status=200)
    current = {session["user_agent"]: session["current"] for session in sessions(logged_in)}
    assert current == {"pytest": True, "other": False}


def test_session_timestamps_are_utc_with_z(logged_in):
    [session] = sessions(logged_in)
    assert TIMESTAMP.fullmatch(session["created"])
    assert TIMESTAMP.fullmatch(session["last_seen"])


def test_sessions_of_other_accounts_are_not_listed(logged_in, other_browser, signup):
    signup("bob@example.com")
    other_browser.login("bob@example.com", PASSWORD, status=200)
    assert [session["user_agent"] for session in sessions(logged_in)] == ["pytest"]


def test_sessions_need_authentication(browser):
    response = browser.get("/-/sessions", status=401)
    assert response.headers["WWW-Authenticate"]


def test_ending_a_session_logs_it_out(logged_in, other_browser):
    other_browser.login("ada@example.com", PASSWORD, status=200)
    logged_in.delete(f"/-/sessions/{session_id(other_browser)}", status=204)
    assert other_browser.get("/-/login").json["authenticated"] is False
    assert logged_in.get("/-/login").json["authenticated"] is True


def test_ending_another_session_needs_a_recent_password_check(logged_in, other_browser, backdate_sessions):
    other_browser.login("ada@example.com", PASSWORD, status=200)
    other = session_id(other_browser)
    backdate_sessions("authenticated", 301)
    response = logged_in.delete(f"/-/sessions/{other}", status=401)
    assert error_fields(response) == [("request", "reauthentication")]
    assert other_browser.get("/-/login").json["authenticated"] is True
    logged_in.put_json("/-/reauthenticate", {"password": PASSWORD}, status=200)
    logged_in.delete(f"/-/sessions/{other}", status=204)


def test_ending_the_current_session_needs_no_password_check(logged_in, backdate_sessions):
    backdate_sessions("authenticated", 301)
    logged_in.delete(f"/-/sessions/{session_id(logged_in)}", status=204)
    assert logged_in.get("/-/login").json["authenticated"] is False


def test_a_session_in_use_outlives_an_idle_timeout_under_a_minute(app_with, signup, dbsession):
    """A request every 20 seconds keeps a session with a 30 seconds idle timeout alive."""
    browser = Browser(app_with(**{"backrest.session.idle_timeout": "30"}))
    browser.login(signup(), PASSWORD, status=200)
    for _ in range(4):
        dbsession.expire_all()
        stored = dbsession.scalars(select(UserSession)).one()
        stored.last_seen -= timedelta(seconds=20)
        dbsession.commit()
        assert browser.get("/-/login").json["authenticated"] is True


def test_ending_the_current_session_logs_out(logged_in):
    logged_in.delete(f"/-/sessions/{session_id(logged_in)}", status=204)
    assert logged_in.get("/-/login").json["authenticated"] is False


def test_ending_someone_elses_session_is_404(logged_in, other_browser, signup):
    signup("bob@example.com")
    other_browser.login("bob@example.com", PASSWORD, status=200)
    response = logged_in.delete(f"/-/sessions/{session_id(other_browser)}", status=404)
    assert error_fields(response) == [("path", "id")]
    assert other_browser.get("/-/login").json["authenticated"] is True


def test_ending_an_unknown_session_is_404(logged_in):
    logged_in.delete("/-/sessions/no-such-session", status=404)


def test_ending_every_other_session_keeps_the_current_one(logged_in, other_browser):
    other_browser.login("ada@example.com", PASSWORD, status=200)
    logged_in.delete("/-/sessions/", status=204)
    assert other_browser.get("/-/login").json["authenticated"] is False
    assert [session["current"] for session in sessions(logged_in)] == [True]


def test_ending_every_other_session_needs_a_recent_password_check(
    logged_in, other_browser, backdate_sessions
):
    other_browser.login("ada@example.com", PASSWORD, status=200)
    backdate_sessions("authenticated", 301)
    response = logged_in.delete("/-/sessions/", status=401)
    assert error_fields(response) == [("request", "reauthentication")]
    assert other_browser.get("/-/login").json["authenticated"] is True


def test_password_field_of_a_call_renews_the_password_check(logged_in, backdate_sessions):
    backdate_sessions("authenticated", 301)
    logged_in.put_json("/-/email/", {"email": "augusta@example.com", "password": PASSWORD}, status=200)
    logged_in.delete("/-/sessions/", status=204)


def test_idle_session_expires(logged_in, backdate_sessions):
    backdate_sessions("last_seen", IDLE_TIMEOUT + 60)
    assert logged_in.get("/-/login").json["authenticated"] is False


def test_old_session_expires_however_active(logged_in, backdate_sessions):
    backdate_sessions("created", ABSOLUTE_TIMEOUT + 60)
    assert logged_in.get("/-/login").json["authenticated"] is False


def test_recently_used_session_lives_on(logged_in, backdate_sessions):
    backdate_sessions("last_seen", IDLE_TIMEOUT - 60)
    assert logged_in.get("/-/login").json["authenticated"] is True
