"""Forgotten passwords: POST /-/reset/ mails a link, PUT /-/reset/{token} and PUT /-/reset/ use it."""

import logging
from datetime import timedelta

from sqlalchemy import select, update

from backrest.accounts.models import AccountToken, TokenPurpose, User
from backrest.accounts.tokens import AccountTokens
from backrest.db import utcnow
from backrest.keys.models import ApiKey
from tests.client import Browser
from tests.conftest import CLIENT, PASSWORD, assert_names_the_client, error_fields

NEW_PASSWORD = "a different passphrase"


def ask(browser, email="ada@example.com", **kwargs):
    return browser.post_json("/-/reset/", {"email": email}, **kwargs)


def reset_token(browser, mailbox, email="ada@example.com"):
    ask(browser, email, status=200)
    return mailbox.last_to(email).token


def test_reset_request_answers_success(browser, signup):
    signup()
    assert ask(browser, status=200).json == {"status": "success"}


def test_reset_request_for_an_unknown_address_answers_the_same(browser, signup):
    signup()
    known = ask(browser, status=200)
    unknown = ask(browser, "nobody@example.com", status=200)
    assert (unknown.status, unknown.json) == (known.status, known.json)


def test_reset_request_for_an_unknown_address_mails_no_link(browser, signup, mailbox):
    signup()
    ask(browser, "nobody@example.com", status=200)
    [mail] = mailbox.new()
    assert mail.to == "nobody@example.com"
    assert "no account has this address" in mail.body
    assert not any("/reset/" in link for link in mail.links)


def test_reset_of_an_unconfirmed_account_confirms_it(browser, signup, mailbox):
    signup(confirm=False)
    browser.put_json(f"/-/reset/{reset_token(browser, mailbox)}", {"password": NEW_PASSWORD}, status=200)
    browser.login("ada@example.com", NEW_PASSWORD)
    assert browser.get("/-/login").json["email_verified"] is True


def test_reset_of_an_unconfirmed_account_ends_what_existed_before_it(app, browser, signup, mailbox):
    """Whoever signed up first with the owner's address loses every foothold at the owner's reset."""
    intruder = Browser(app, extra_environ=CLIENT)
    signup(confirm=False)
    intruder.login("ada@example.com", PASSWORD)
    intruder.put_json("/-/email/", {"email": "mallory@example.com", "password": PASSWORD}, status=200)
    [change_link] = [mail.token for mail in mailbox.new() if mail.to == "mallory@example.com"]
    token = reset_token(browser, mailbox)
    intruder.put_json(f"/-/reset/{token}", {"password": NEW_PASSWORD}, status=200)
    assert intruder.get("/-/login").json["authenticated"] is False
    intruder.put(f"/-/email/{change_link}", status=400)
    browser.login("ada@example.com", NEW_PASSWORD)
    assert browser.get("/-/userprofile").json["email"] == "ada@example.com"


def test_reset_of_an_unconfirmed_account_revokes_its_keys(browser, signup, mailbox, dbsession):
    signup(confirm=False)
    user_id = dbsession.scalars(select(User.id)).one()
    dbsession.add(
        ApiKey(id="k" * 22, user_id=user_id, created_by=user_id, secret_hash="0" * 64, scopes="read")
    )
    dbsession.commit()
    browser.put_json(f"/-/reset/{reset_token(browser, mailbox)}", {"password": NEW_PASSWORD}, status=200)
    dbsession.expire_all()
    assert dbsession.scalars(select(ApiKey)).all() == []


def test_a_reset_link_is_spent_once_whatever_the_order(browser, signup, mailbox, dbsession):
    """Spending is one conditional write: a request that found the token live still loses the race."""
    signup()
    token = reset_token(browser, mailbox)
    tokens = AccountTokens(dbsession)
    account_token, _ = tokens.find(token, (TokenPurpose.RESET,))
    assert tokens.use(account_token) is True
    dbsession.commit()
    assert tokens.use(account_token) is False


def test_reset_request_mails_a_link_to_the_frontend(browser, signup, mailbox):
    signup()
    ask(browser, status=200)
    [mail] = mailbox.new()
    assert mail.to == "ada@example.com"
    assert mail.links[0].startswith("https://app.example/reset#token=")


def test_reset_request_finds_the_address_whatever_its_case(browser, signup, mailbox):
    signup()
    ask(browser, "ADA@EXAMPLE.COM", status=200)
    assert [mail.to for mail in mailbox.new()] == ["ada@example.com"]


def test_reset_path_without_trailing_slash_is_accepted(browser, signup, mailbox):
    signup()
    browser.post_json("/-/reset", {"email": "ada@example.com"}, status=200)
    assert [mail.to for mail in mailbox.new()] == ["ada@example.com"]


def test_reset_with_the_token_in_the_path_sets_the_new_password(browser, signup, mailbox):
    signup()
    token = reset_token(browser, mailbox)
    response = browser.put_json(f"/-/reset/{token}", {"password": NEW_PASSWORD}, status=200)
    assert response.json == {"status": "success"}
    browser.login("ada@example.com", PASSWORD, status=400)
    browser.login("ada@example.com", NEW_PASSWORD, status=200)


def test_reset_with_the_token_in_the_body_sets_the_new_password(browser, signup, mailbox):
    signup()
    token = reset_token(browser, mailbox)
    response = browser.put_json("/-/reset/", {"token": token, "password": NEW_PASSWORD}, status=200)
    assert response.json == {"status": "success"}
    browser.login("ada@example.com", NEW_PASSWORD, status=200)


def test_reset_token_is_single_use(browser, signup, mailbox):
    signup()
    token = reset_token(browser, mailbox)
    browser.put_json(f"/-/reset/{token}", {"password": NEW_PASSWORD}, status=200)
    response = browser.put_json(f"/-/reset/{token}", {"password": "yet another passphrase"}, status=400)
    assert error_fields(response) == [("path", "token")]
    browser.login("ada@example.com", NEW_PASSWORD, status=200)


def test_reused_token_in_the_body_is_400_on_token(browser, signup, mailbox):
    signup()
    token = reset_token(browser, mailbox)
    browser.put_json("/-/reset/", {"token": token, "password": NEW_PASSWORD}, status=200)
    response = browser.put_json("/-/reset/", {"token": token, "password": NEW_PASSWORD}, status=400)
    assert error_fields(response) == [("body", "token")]


def test_a_second_reset_link_kills_the_first(browser, signup, mailbox):
    signup()
    first = reset_token(browser, mailbox)
    second = reset_token(browser, mailbox)
    browser.put_json(f"/-/reset/{first}", {"password": NEW_PASSWORD}, status=400)
    browser.put_json(f"/-/reset/{second}", {"password": NEW_PASSWORD}, status=200)


def test_expired_reset_link_is_refused(browser, signup, mailbox, dbsession):
    signup()
    token = reset_token(browser, mailbox)
    dbsession.execute(update(AccountToken).values(expires=utcnow() - timedelta(seconds=1)))
    dbsession.commit()
    browser.put_json(f"/-/reset/{token}", {"password": NEW_PASSWORD}, status=400)
    browser.login("ada@example.com", PASSWORD, status=200)


def test_reset_link_expires_after_an_hour(browser, signup, mailbox, dbsession):
    signup()
    reset_token(browser, mailbox)
    stored = dbsession.scalars(select(AccountToken).where(AccountToken.purpose == "reset")).one()
    assert abs(stored.expires - stored.created - timedelta(hours=1)) < timedelta(seconds=5)


def test_weak_new_password_is_400_on_password_and_keeps_the_link(browser, signup, mailbox):
    signup()
    token = reset_token(browser, mailbox)
    response = browser.put_json(f"/-/reset/{token}", {"password": "password1234"}, status=400)
    assert error_fields(response) == [("body", "password")]
    browser.put_json(f"/-/reset/{token}", {"password": NEW_PASSWORD}, status=200)


def test_reset_ends_every_other_session(browser, other_browser, signup, mailbox):
    signup()
    other_browser.login("ada@example.com", PASSWORD, status=200)
    token = reset_token(browser, mailbox)
    browser.put_json(f"/-/reset/{token}", {"password": NEW_PASSWORD}, status=200)
    assert other_browser.get("/-/login").json["authenticated"] is False


def test_reset_keeps_the_session_it_was_made_from(logged_in, mailbox):
    token = reset_token(logged_in, mailbox)
    logged_in.put_json(f"/-/reset/{token}", {"password": NEW_PASSWORD}, status=200)
    assert logged_in.get("/-/login").json["authenticated"] is True


def test_reset_mails_a_notice_naming_time_address_and_user_agent(browser, signup, mailbox):
    signup()
    token = reset_token(browser, mailbox)
    mailbox.new()
    browser.put_json(f"/-/reset/{token}", {"password": NEW_PASSWORD}, status=200)
    [notice] = mailbox.new()
    assert notice.to == "ada@example.com"
    assert_names_the_client(notice)


def test_token_in_the_path_is_kept_out_of_the_request_log(browser, signup, mailbox, caplog):
    signup()
    token = reset_token(browser, mailbox)
    with caplog.at_level(logging.INFO, logger="backrest.requests"):
        browser.put_json(f"/-/reset/{token}", {"password": NEW_PASSWORD}, status=200)
    assert caplog.records
    assert not [record for record in caplog.records if token in record.getMessage()]


def test_reset_requests_for_one_address_are_throttled(browser, signup):
    signup()
    for _ in range(3):
        ask(browser, status=200)
    response = ask(browser, status=429)
    assert int(response.headers["Retry-After"]) > 0


def test_reset_requests_from_one_client_are_throttled(app_with):
    throttled = Browser(app_with(**{"backrest.throttle.reset": "2/hour"}), extra_environ=dict(CLIENT))
    ask(throttled, "ada@example.com", status=200)
    ask(throttled, "bob@example.com", status=200)
    response = ask(throttled, "eve@example.com", status=429)
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["status"] == "error"
