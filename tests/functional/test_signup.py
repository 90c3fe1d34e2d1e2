"""POST /-/signup: a new account, the mail it sends, and every way a signup is refused."""

import random
import string

import pytest
from sqlalchemy import func, select

from backrest.accounts.models import User
from tests.client import Browser
from tests.conftest import CLIENT, OTHER_CLIENT, PASSWORD, error_fields

NEW = {"email": "ada@example.com", "password": PASSWORD, "firstname": "Ada", "lastname": "Lovelace"}
# Fixed, so that it never happens to contain "ada".
LONGEST = "".join(random.Random(1815).choices(string.ascii_letters + string.digits, k=1024))


def count_users(dbsession):
    return dbsession.scalar(select(func.count()).select_from(User))


def test_signup_answers_201_success(browser, mailbox):
    response = browser.post_json("/-/signup", NEW, status=201)
    assert response.json == {"status": "success"}


def test_signup_mails_a_confirmation_link_to_the_frontend(browser, mailbox):
    browser.post_json("/-/signup", NEW, status=201)
    [mail] = mailbox.new()
    assert mail.to == "ada@example.com"
    assert mail.links[0].startswith("https://app.example/confirm#token=")


def test_signup_creates_an_unconfirmed_account_with_its_names(browser, mailbox):
    browser.post_json("/-/signup", NEW, status=201)
    browser.login("ada@example.com", PASSWORD, status=200)
    status = browser.get("/-/login").json
    assert (status["email_verified"], status["firstname"], status["lastname"]) == (False, "Ada", "Lovelace")


def test_signup_names_are_optional(browser, mailbox):
    browser.post_json("/-/signup", {"email": "ada@example.com", "password": PASSWORD}, status=201)
    browser.login("ada@example.com", PASSWORD, status=200)
    status = browser.get("/-/login").json
    assert (status["firstname"], status["lastname"]) == ("", "")


def test_signup_accepts_a_form_urlencoded_body(browser, mailbox):
    browser.post("/-/signup", {"email": "ada@example.com", "password": PASSWORD}, status=201)
    browser.login("ada@example.com", PASSWORD, status=200)


def test_duplicate_signup_answers_like_a_new_one(browser, mailbox):
    first = browser.post_json("/-/signup", NEW, status=201)
    second = browser.post_json("/-/signup", NEW, status=201)
    assert (second.status, second.json) == (first.status, first.json)


def test_duplicate_signup_mails_the_existing_owner_instead_of_a_confirmation(browser, signup, mailbox):
    signup()
    browser.post_json("/-/signup", {**NEW, "password": "another long passphrase"}, status=201)
    [mail] = mailbox.new()
    assert mail.to == "ada@example.com"
    assert "already has one" in mail.body
    assert not [link for link in mail.links if "/confirm/" in link]


def test_duplicate_signup_keeps_the_existing_password(browser, signup):
    signup()
    browser.post_json("/-/signup", {**NEW, "password": "another long passphrase"}, status=201)
    browser.login("ada@example.com", "another long passphrase", status=400)
    browser.login("ada@example.com", PASSWORD, status=200)


def test_addresses_are_unique_whatever_their_case(browser, signup, dbsession):
    signup()
    browser.post_json("/-/signup", {**NEW, "email": "ADA@Example.COM"}, status=201)
    assert count_users(dbsession) == 1


def test_closed_deployment_refuses_a_taken_address_with_400_on_email(app_with, signup):
    closed = Browser(app_with(**{"backrest.signup.quiet": "false"}), extra_environ=dict(CLIENT))
    signup()
    response = closed.post_json("/-/signup", {**NEW, "email": "Ada@example.com"}, status=400)
    assert error_fields(response) == [("body", "email")]


@pytest.mark.parametrize(
    ("email", "password"),
    [
        pytest.param("ada@example.com", "eleven char", id="too short"),
        pytest.param("ada@example.com", LONGEST + "x", id="too long"),
        pytest.param("lovelace@example.com", "lovelace@example.com", id="equal to the email"),
        pytest.param("lovelace@example.com", "me lovelace@example.com!", id="containing the email"),
        pytest.param("lovelace@example.com", "I am Lovelace, 1815", id="containing the local part"),
        pytest.param("ada@example.com", "password1234", id="in the common list"),
        pytest.param("ada@example.com", "qwertyuiopasdfgh", id="made of common passwords"),
    ],
)
def test_weak_password_is_400_on_password(browser, mailbox, email, password):
    response = browser.post_json("/-/signup", {"email": email, "password": password}, status=400)
    assert error_fields(response) == [("body", "password")]


def test_password_of_the_minimum_length_is_accepted(browser, mailbox):
    browser.post_json("/-/signup", {**NEW, "password": "xK9#mP2$vL5q"}, status=201)


def test_password_of_the_maximum_length_is_accepted(browser, mailbox):
    browser.post_json("/-/signup", {**NEW, "password": LONGEST}, status=201)


def test_long_password_is_never_truncated(browser, mailbox):
    browser.post_json("/-/signup", {**NEW, "password": LONGEST}, status=201)
    browser.login("ada@example.com", LONGEST[:-1], status=400)
    browser.login("ada@example.com", LONGEST, status=200)


def test_password_is_never_trimmed(browser, mailbox):
    browser.post_json("/-/signup", {**NEW, "password": f"  {PASSWORD}  "}, status=201)
    browser.login("ada@example.com", PASSWORD, status=400)
    browser.login("ada@example.com", f"  {PASSWORD}  ", status=200)


def test_refused_signup_creates_no_account_and_sends_no_mail(browser, mailbox, dbsession):
    browser.post_json("/-/signup", {**NEW, "password": "password1234"}, status=400)
    assert count_users(dbsession) == 0
    assert mailbox.new() == []


@pytest.mark.parametrize("email", ["not an address", "ada@", "@example.com", "ada@example..com", ""])
def test_invalid_email_is_400_on_email(browser, email):
    response = browser.post_json("/-/signup", {**NEW, "email": email}, status=400)
    assert error_fields(response) == [("body", "email")]


def test_missing_fields_are_all_reported(browser):
    response = browser.post_json("/-/signup", {"firstname": "Ada"}, status=400)
    assert sorted(error_fields(response)) == [("body", "email"), ("body", "password")]


def test_every_bad_field_is_reported_at_once(browser):
    body = {"email": "not an address", "password": 1234567890123, "firstname": "A" * 101, "lastname": []}
    response = browser.post_json("/-/signup", body, status=400)
    assert sorted(error_fields(response)) == [
        ("body", "email"),
        ("body", "firstname"),
        ("body", "lastname"),
        ("body", "password"),
    ]


@pytest.mark.parametrize("value", [42, 4.2, True, None, ["ada@example.com"], {"address": "ada@example.com"}])
def test_wrong_json_type_is_400_on_the_field(browser, value):
    response = browser.post_json("/-/signup", {**NEW, "email": value}, status=400)
    assert error_fields(response) == [("body", "email")]


def test_nul_character_is_400_on_the_field(browser):
    response = browser.post_json("/-/signup", {**NEW, "firstname": "Ada\x00"}, status=400)
    assert error_fields(response) == [("body", "firstname")]


@pytest.mark.parametrize("field", ["password", "firstname"])
def test_lone_surrogate_is_400_on_the_field(browser, dbsession, field):
    body = {"email": "ada@example.com", "password": PASSWORD, field: "half a pair: \ud800"}
    response = browser.post_json("/-/signup", body, status=400)
    assert error_fields(response) == [("body", field)]
    assert count_users(dbsession) == 0


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"email": "ada@example.com", "password": NaN}', id="NaN"),
        pytest.param(b'{"email": "ada@example.com", "password": Infinity}', id="Infinity"),
        pytest.param(b'["ada@example.com", "correct horse battery staple"]', id="top-level array"),
        pytest.param(b'"ada@example.com"', id="top-level string"),
        pytest.param(b'{"email": "ada@example.com", "password": ', id="broken JSON"),
        pytest.param(b'{"email": "ada\xff@example.com"}', id="invalid UTF-8"),
        pytest.param(b"[" * 40 + b"]" * 40, id="nested too deep"),
    ],
)
def test_unreadable_body_is_400_on_the_body(browser, dbsession, body):
    response = browser.post("/-/signup", body, content_type="application/json", status=400)
    assert [location for location, _ in error_fields(response)] == ["body"]
    assert count_users(dbsession) == 0


def test_unsupported_content_type_is_415(browser):
    body = "email=ada@example.com"
    response = browser.post("/-/signup", body, content_type="text/plain", status=415)
    assert error_fields(response) == [("header", "Content-Type")]


def test_signups_from_one_client_are_throttled(app_with, mailbox):
    throttled = Browser(app_with(**{"backrest.throttle.signup": "2/hour"}), extra_environ=dict(CLIENT))
    for email in ("ada@example.com", "bob@example.com"):
        throttled.post_json("/-/signup", {**NEW, "email": email}, status=201)
    response = throttled.post_json("/-/signup", {**NEW, "email": "eve@example.com"}, status=429)
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["status"] == "error"


def test_signup_throttle_of_one_client_spares_the_others(app_with, mailbox):
    app = app_with(**{"backrest.throttle.signup": "1/hour"})
    Browser(app, extra_environ=dict(CLIENT)).post_json("/-/signup", NEW, status=201)
    other = Browser(app, extra_environ=dict(OTHER_CLIENT))
    other.post_json("/-/signup", {**NEW, "email": "bob@example.com"}, status=201)


def test_signups_for_one_address_are_throttled(browser, mailbox):
    for _ in range(3):
        browser.post_json("/-/signup", NEW, status=201)
    response = browser.post_json("/-/signup", NEW, status=429)
    assert int(response.headers["Retry-After"]) > 0
