"""/-/userprofile: reading, updating and deleting one's account; reauthentication."""

import re

import pytest
from sqlalchemy import select

from backrest.accounts.models import User
from backrest.audit.models import AuditEntry
from tests.conftest import PASSWORD, assert_names_the_client, error_fields

MAX_AGE = 300


def test_profile_shows_the_account(logged_in):
    profile = logged_in.get("/-/userprofile").json
    assert (profile["firstname"], profile["lastname"], profile["email"]) == ("Ada", "", "ada@example.com")
    assert profile["email_verified"] is True


def test_profile_id_is_opaque_and_url_safe(logged_in):
    profile_id = logged_in.get("/-/userprofile").json["id"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,}", profile_id)
    assert logged_in.get("/-/login").json["id"] == profile_id


def test_profile_timestamps_are_utc_with_z(logged_in):
    created = logged_in.get("/-/userprofile").json["created"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", created)


def test_profile_needs_authentication(browser):
    response = browser.get("/-/userprofile", status=401)
    assert response.headers["WWW-Authenticate"]
    assert response.json["status"] == "error"


def test_profile_update_answers_success(logged_in):
    assert logged_in.put_json("/-/userprofile", {"lastname": "Lovelace"}).json == {"status": "success"}


def test_profile_update_changes_only_the_keys_given(logged_in):
    logged_in.put_json("/-/userprofile", {"lastname": "Lovelace"}, status=200)
    profile = logged_in.get("/-/userprofile").json
    assert (profile["firstname"], profile["lastname"]) == ("Ada", "Lovelace")


def test_profile_update_can_clear_a_name(logged_in):
    logged_in.put_json("/-/userprofile", {"firstname": ""}, status=200)
    assert logged_in.get("/-/userprofile").json["firstname"] == ""


def test_profile_update_ignores_unknown_keys_and_meta(logged_in):
    body = {
        "firstname": "Augusta",
        "__meta__": {"id": "forged", "owner": "eve"},
        "email": "eve@example.com",
        "email_verified": False,
        "is_admin": True,
        "id": "forged",
        "colour": "blue",
    }
    logged_in.put_json("/-/userprofile", body, status=200)
    profile = logged_in.get("/-/userprofile").json
    assert profile["firstname"] == "Augusta"
    assert (profile["email"], profile["email_verified"]) == ("ada@example.com", True)
    assert profile["id"] != "forged"
    assert "colour" not in profile


def test_profile_update_cannot_make_an_admin(logged_in, dbsession):
    logged_in.put_json("/-/userprofile", {"is_admin": True}, status=200)
    assert dbsession.scalars(select(User.is_admin)).one() is False


@pytest.mark.parametrize(("field", "value"), [("firstname", "A" * 101), ("lastname", 7), ("firstname", None)])
def test_profile_update_with_a_bad_value_is_400_on_the_field(logged_in, field, value):
    response = logged_in.put_json("/-/userprofile", {field: value}, status=400)
    assert error_fields(response) == [("body", field)]
    assert logged_in.get("/-/userprofile").json["firstname"] == "Ada"


def test_anonymous_profile_update_is_401(browser):
    response = browser.put_json("/-/userprofile", {"firstname": "Eve"}, status=401)
    assert response.headers["WWW-Authenticate"]


def test_delete_answers_204(logged_in):
    response = logged_in.delete("/-/userprofile", status=204)
    assert response.body == b""


def test_deleted_account_can_no_longer_log_in(logged_in):
    logged_in.delete("/-/userprofile", status=204)
    assert logged_in.get("/-/login").json["authenticated"] is False
    logged_in.login("ada@example.com", PASSWORD, status=400)


def test_delete_ends_every_session(logged_in, other_browser):
    other_browser.login("ada@example.com", PASSWORD, status=200)
    logged_in.delete("/-/userprofile", status=204)
    assert other_browser.get("/-/login").json["authenticated"] is False


def test_delete_mails_a_notice_naming_time_address_and_user_agent(logged_in, mailbox):
    logged_in.delete("/-/userprofile", status=204)
    [notice] = mailbox.new()
    assert notice.to == "ada@example.com"
    assert_names_the_client(notice)


def test_delete_writes_the_audit_log(logged_in, dbsession):
    user_id = logged_in.get("/-/login").json["id"]
    logged_in.delete("/-/userprofile", status=204)
    entry = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "account_deleted")).one()
    assert (entry.actor_id, entry.object_id) == (user_id, user_id)


def test_delete_frees_the_address_for_a_new_signup(logged_in, mailbox):
    logged_in.delete("/-/userprofile", status=204)
    logged_in.post_json("/-/signup", {"email": "ada@example.com", "password": PASSWORD}, status=201)
    assert mailbox.last_to("ada@example.com").links[0].startswith("https://app.example/confirm#token=")


def test_delete_needs_a_recent_password_check(logged_in, backdate_sessions):
    backdate_sessions("authenticated", MAX_AGE + 1)
    response = logged_in.delete("/-/userprofile", status=401)
    assert error_fields(response) == [("request", "reauthentication")]
    assert response.headers["WWW-Authenticate"]
    assert logged_in.get("/-/userprofile").json["email"] == "ada@example.com"


def test_reauthenticate_renews_the_password_check(logged_in, backdate_sessions):
    backdate_sessions("authenticated", MAX_AGE + 1)
    response = logged_in.put_json("/-/reauthenticate", {"password": PASSWORD}, status=200)
    assert response.json == {"status": "success"}
    logged_in.delete("/-/userprofile", status=204)


def test_reauthenticate_with_a_wrong_password_is_400_on_password(logged_in, backdate_sessions):
    backdate_sessions("authenticated", MAX_AGE + 1)
    response = logged_in.put_json("/-/reauthenticate", {"password": "not the password at all"}, status=400)
    assert error_fields(response) == [("body", "password")]
    logged_in.delete("/-/userprofile", status=401)


def test_reauthenticate_needs_a_session(browser):
    browser.put_json("/-/reauthenticate", {"password": PASSWORD}, status=401)


def test_change_password_well_known_url_redirects_to_the_frontend(browser):
    response = browser.get("/.well-known/change-password", status=302)
    assert response.headers["Location"] == "https://app.example/account/password"
