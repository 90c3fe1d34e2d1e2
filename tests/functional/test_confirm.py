"""Confirming the signup address: POST /-/confirm/{token}, POST /-/confirm/ and the resend."""

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from backrest.accounts.models import AccountToken
from backrest.db import Base, utcnow
from tests.conftest import PASSWORD, error_fields


@pytest.fixture
def token(signup, mailbox):
    """The token of the confirmation link mailed to a new, unconfirmed ada@example.com."""
    signup(confirm=False)
    return mailbox.last_to("ada@example.com").token


def email_verified(browser):
    browser.login("ada@example.com", PASSWORD, status=200)
    return browser.get("/-/login").json["email_verified"]


def test_confirm_with_the_token_in_the_path_verifies_the_address(browser, token):
    response = browser.post(f"/-/confirm/{token}", status=200)
    assert response.json == {"status": "success"}
    assert email_verified(browser) is True


def test_confirm_with_the_token_in_the_body_verifies_the_address(browser, token):
    response = browser.post_json("/-/confirm/", {"token": token}, status=200)
    assert response.json == {"status": "success"}
    assert email_verified(browser) is True


def test_unconfirmed_address_stays_unverified(browser, token):
    assert email_verified(browser) is False


def test_confirmation_token_is_single_use(browser, token):
    browser.post(f"/-/confirm/{token}", status=200)
    response = browser.post(f"/-/confirm/{token}", status=400)
    assert error_fields(response) == [("path", "token")]


def test_unknown_token_in_the_body_is_400_on_token(browser, token):
    response = browser.post_json("/-/confirm/", {"token": token[:-2]}, status=400)
    assert error_fields(response) == [("body", "token")]


def test_missing_token_in_the_body_is_400_on_token(browser):
    response = browser.post_json("/-/confirm/", {}, status=400)
    assert error_fields(response) == [("body", "token")]


def test_expired_confirmation_token_is_refused(browser, token, dbsession):
    dbsession.execute(update(AccountToken).values(expires=utcnow() - timedelta(seconds=1)))
    dbsession.commit()
    browser.post_json("/-/confirm/", {"token": token}, status=400)
    assert email_verified(browser) is False


def test_confirmation_token_expires_after_48_hours(token, dbsession):
    stored = dbsession.scalars(select(AccountToken)).one()
    assert abs(stored.expires - stored.created - timedelta(hours=48)) < timedelta(seconds=5)


def test_token_is_long_and_url_safe(token):
    # 128 random bits need at least 22 characters of base64url.
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", token)


def test_tokens_are_stored_only_as_hashes(token, dbsession):
    for table in Base.metadata.sorted_tables:
        for row in dbsession.execute(select(table)):
            assert token not in repr(tuple(row)), table.name


def test_token_in_the_path_is_kept_out_of_the_request_log(browser, token, caplog):
    with caplog.at_level(logging.INFO, logger="backrest.requests"):
        browser.post(f"/-/confirm/{token}", status=200)
    messages = [record.getMessage() for record in caplog.records]
    assert any("/-/confirm/[redacted]" in message for message in messages)
    assert not any(token in message for message in messages)


def test_resend_mails_a_fresh_link_and_kills_the_older_ones(browser, token, mailbox):
    browser.post_json("/-/confirm/resend", {"email": "ada@example.com"}, status=200)
    fresh = mailbox.last_to("ada@example.com").token
    assert fresh != token
    browser.post_json("/-/confirm/", {"token": token}, status=400)
    browser.post_json("/-/confirm/", {"token": fresh}, status=200)


def test_resend_finds_the_address_whatever_its_case(browser, token, mailbox):
    browser.post_json("/-/confirm/resend", {"email": "ADA@Example.com"}, status=200)
    assert [mail.to for mail in mailbox.new()] == ["ada@example.com"]


def test_resend_for_an_unknown_address_answers_the_same_and_mails_no_link(browser, token, mailbox):
    known = browser.post_json("/-/confirm/resend", {"email": "ada@example.com"}, status=200)
    mailbox.new()
    unknown = browser.post_json("/-/confirm/resend", {"email": "nobody@example.com"}, status=200)
    assert unknown.json == known.json == {"status": "success"}
    [mail] = mailbox.new()
    assert (mail.to, mail.links) == ("nobody@example.com", [])
    assert "nothing waits for its confirmation" in mail.body


def test_resend_for_a_confirmed_account_mails_no_link(browser, signup, mailbox):
    signup()
    browser.post_json("/-/confirm/resend", {"email": "ada@example.com"}, status=200)
    [mail] = mailbox.new()
    assert (mail.to, mail.links) == ("ada@example.com", [])


def test_a_signup_link_does_not_confirm_on_the_address_change_path(browser, token):
    response = browser.put(f"/-/email/{token}", status=400)
    assert error_fields(response) == [("path", "token")]
    assert email_verified(browser) is False
    browser.post(f"/-/confirm/{token}", status=200)


def test_resend_with_an_invalid_address_is_400_on_email(browser):
    response = browser.post_json("/-/confirm/resend", {"email": "not an address"}, status=400)
    assert error_fields(response) == [("body", "email")]


def test_resends_for_one_address_are_throttled(browser, token):
    for _ in range(3):
        browser.post_json("/-/confirm/resend", {"email": "ada@example.com"}, status=200)
    response = browser.post_json("/-/confirm/resend", {"email": "ada@example.com"}, status=429)
    assert int(response.headers["Retry-After"]) > 0
