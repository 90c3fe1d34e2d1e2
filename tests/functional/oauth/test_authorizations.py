"""/-/authorizations: the applications a user allowed, revoking them, and what else ends them."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import PASSWORD
from tests.functional.oauth.conftest import NATIVE, bearer, refresh
from tests.functional.test_keys import make_key
from tests.functional.test_keys import token as key_header

NEW_PASSWORD = "a completely different passphrase"


def timestamp(text: str) -> datetime:
    assert text.endswith("Z")
    return datetime.fromisoformat(text)


def test_the_list_names_each_application_and_what_it_may_do(register, tokens_for, user, api):
    notes = register()
    tokens_for(notes, scope="read")
    answer = user.get("/-/authorizations/", status=200)
    assert answer.headers["Cache-Control"] == "no-store"
    [grant] = answer.json["results"]
    assert grant["id"]
    assert grant["application"] == {"client_id": notes.client_id, "name": "Notes"}
    assert grant["scopes"] == ["read"]
    timestamp(grant["created"])
    assert grant["last_used"] is None


def test_last_used_is_set_by_a_bearer_call(register, tokens_for, user, api):
    tokens = tokens_for(register())
    api.get("/-/userprofile", headers=bearer(tokens["access_token"]), status=200)
    [grant] = user.get("/-/authorizations/").json["results"]
    assert timestamp(grant["last_used"]) >= timestamp(grant["created"])


def test_the_list_shows_each_application_once(register, tokens_for, user, app):
    tokens_for(register())
    tokens_for(register(client_type="public", redirect_uri=NATIVE, name="Phone"))
    names = sorted(grant["application"]["name"] for grant in user.get("/-/authorizations/").json["results"])
    assert names == ["Notes", "Phone"]


def test_revoking_an_authorization_kills_its_access_and_refresh_tokens_at_once(
    register, tokens_for, user, api
):
    client = register()
    tokens = tokens_for(client)
    renewed = refresh(api, client, tokens["refresh_token"]).json
    [grant] = user.get("/-/authorizations/").json["results"]
    assert user.delete(f"/-/authorizations/{grant['id']}", status=204).body == b""
    refused = api.get("/-/userprofile", headers=bearer(renewed["access_token"]), status=401)
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    assert refresh(api, client, renewed["refresh_token"], status=400).json["error"] == "invalid_grant"
    assert user.get("/-/authorizations/").json["results"] == []
    user.delete(f"/-/authorizations/{grant['id']}", status=404)
    entries = user.get("/-/logs/", {"object_id": grant["id"]}).json["results"]
    assert "oauth_revoked" in {entry["action"] for entry in entries}


def test_revoking_one_application_leaves_the_others(register, tokens_for, user, api):
    notes = register()
    phone = register(client_type="public", redirect_uri=NATIVE, name="Phone")
    kept = tokens_for(notes)
    lost = tokens_for(phone)
    [grant] = [
        g for g in user.get("/-/authorizations/").json["results"] if g["application"]["name"] == "Phone"
    ]
    user.delete(f"/-/authorizations/{grant['id']}", status=204)
    api.get("/-/userprofile", headers=bearer(lost["access_token"]), status=401)
    api.get("/-/userprofile", headers=bearer(kept["access_token"]), status=200)


def test_another_users_authorization_is_404(register, tokens_for, user, bob, api):
    tokens = tokens_for(register())
    [grant] = user.get("/-/authorizations/").json["results"]
    assert bob.get("/-/authorizations/").json["results"] == []
    bob.delete(f"/-/authorizations/{grant['id']}", status=404)
    api.get("/-/userprofile", headers=bearer(tokens["access_token"]), status=200)


def test_an_unknown_authorization_is_404(user):
    user.delete("/-/authorizations/nothing-here", status=404)


def test_the_list_needs_a_session(browser):
    answer = browser.get("/-/authorizations/", status=401)
    assert answer.headers["WWW-Authenticate"]


@pytest.mark.parametrize("how", ["bearer", "key"])
def test_a_token_or_a_key_can_neither_list_nor_revoke(register, tokens_for, user, api, how):
    tokens = tokens_for(register())
    [grant] = user.get("/-/authorizations/").json["results"]
    headers = bearer(tokens["access_token"]) if how == "bearer" else key_header(make_key(user)["key"])
    listed = api.get("/-/authorizations/", headers=headers, status=403)
    assert listed.json["status"] == "error"
    api.delete(f"/-/authorizations/{grant['id']}", headers=headers, status=403)
    api.get("/-/userprofile", headers=bearer(tokens["access_token"]), status=200)
    assert len(user.get("/-/authorizations/").json["results"]) == 1


def test_deleting_an_authorization_needs_the_csrf_token(register, tokens_for, user):
    tokens_for(register())
    [grant] = user.get("/-/authorizations/").json["results"]
    user.delete(f"/-/authorizations/{grant['id']}", headers={"X-CSRF-Token": "forged"}, status=403)
    assert len(user.get("/-/authorizations/").json["results"]) == 1


# What else revokes grants.


def test_a_password_change_revokes_every_grant(register, tokens_for, user, api):
    notes = register()
    phone = register(client_type="public", redirect_uri=NATIVE, name="Phone")
    first = tokens_for(notes)
    second = tokens_for(phone)
    user.put_json("/-/password", {"current": PASSWORD, "password": NEW_PASSWORD}, status=200)
    for client, tokens in ((notes, first), (phone, second)):
        api.get("/-/userprofile", headers=bearer(tokens["access_token"]), status=401)
        assert refresh(api, client, tokens["refresh_token"], status=400).json["error"] == "invalid_grant"
    assert user.get("/-/authorizations/").json["results"] == []


def test_a_password_reset_revokes_every_grant(register, tokens_for, api, mailbox, browser):
    client = register()
    tokens = tokens_for(client)
    mailbox.new()
    browser.post_json("/-/reset/", {"email": "ada@example.com"}, status=200)
    token = mailbox.last_to("ada@example.com").token
    browser.put_json("/-/reset/", {"token": token, "password": NEW_PASSWORD}, status=200)
    api.get("/-/userprofile", headers=bearer(tokens["access_token"]), status=401)
    assert refresh(api, client, tokens["refresh_token"], status=400).json["error"] == "invalid_grant"


def test_deleting_the_account_makes_its_tokens_401(register, tokens_for, user, api):
    client = register()
    tokens = tokens_for(client)
    user.delete("/-/userprofile", status=204)
    refused = api.get("/-/userprofile", headers=bearer(tokens["access_token"]), status=401)
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    assert refresh(api, client, tokens["refresh_token"], status=400).json["error"] == "invalid_grant"


def test_a_bearer_token_cannot_delete_the_account(register, tokens_for, user, api):
    tokens = tokens_for(register())
    api.delete("/-/userprofile", headers=bearer(tokens["access_token"]), status=403)
    assert user.get("/-/login").json["authenticated"] is True
