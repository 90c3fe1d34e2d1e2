"""Changing the address: PUT /-/email/, its confirmation, and the ways to cancel it."""

from tests.client import Browser
from tests.conftest import CLIENT, PASSWORD, assert_names_the_client, error_fields

NEW = "augusta@example.com"


def ask(browser, email=NEW, password=PASSWORD, **kwargs):
    return browser.put_json("/-/email/", {"email": email, "password": password}, **kwargs)


def confirmation_token(browser, mailbox, email=NEW):
    ask(browser, email, status=200)
    return mailbox.last_to(email).token


def cancel_token(browser, mailbox):
    ask(browser, status=200)
    return mailbox.last_to("ada@example.com").token


def current_email(browser):
    return browser.get("/-/userprofile").json["email"]


def test_email_change_answers_success(logged_in, mailbox):
    assert ask(logged_in, status=200).json == {"status": "success"}


def test_email_change_mails_a_confirmation_link_to_the_new_address(logged_in, mailbox):
    ask(logged_in, status=200)
    mail = mailbox.last_to(NEW)
    assert mail.links[0].startswith("https://app.example/email/confirm#token=")


def test_email_change_mails_a_notice_with_a_cancel_link_to_the_old_address(logged_in, mailbox):
    ask(logged_in, status=200)
    notice = mailbox.last_to("ada@example.com")
    assert NEW in notice.body
    assert notice.links[0].startswith("https://app.example/email/cancel#token=")


def test_email_change_notice_names_time_address_and_user_agent(logged_in, mailbox):
    ask(logged_in, status=200)
    notice = mailbox.last_to("ada@example.com")
    assert_names_the_client(notice)


def test_nothing_changes_before_confirmation(logged_in, mailbox):
    ask(logged_in, status=200)
    assert current_email(logged_in) == "ada@example.com"


def test_email_change_path_without_trailing_slash_is_accepted(logged_in, mailbox):
    logged_in.put_json("/-/email", {"email": NEW, "password": PASSWORD}, status=200)
    assert mailbox.last_to(NEW).links[0].startswith("https://app.example/email/confirm#token=")


def test_email_change_needs_the_password(logged_in, mailbox):
    response = ask(logged_in, password="not the password at all", status=400)
    assert error_fields(response) == [("body", "password")]
    assert mailbox.new() == []


def test_email_change_to_an_invalid_address_is_400_on_email(logged_in):
    response = ask(logged_in, email="not an address", status=400)
    assert error_fields(response) == [("body", "email")]


def test_email_change_to_the_current_address_is_400_on_email(logged_in):
    response = ask(logged_in, email="ADA@example.com", status=400)
    assert error_fields(response) == [("body", "email")]


def test_email_change_needs_a_session(browser):
    ask(browser, status=401)


def test_confirmation_changes_the_address(logged_in, mailbox):
    token = confirmation_token(logged_in, mailbox)
    assert logged_in.put(f"/-/email/{token}", status=200).json == {"status": "success"}
    assert current_email(logged_in) == NEW


def test_confirmation_needs_no_session(app, logged_in, mailbox):
    token = confirmation_token(logged_in, mailbox)
    elsewhere = Browser(app, extra_environ=dict(CLIENT))
    elsewhere.put(f"/-/email/{token}", status=200)
    elsewhere.login(NEW, PASSWORD, status=200)
    assert elsewhere.get("/-/login").json["email_verified"] is True


def test_old_address_no_longer_logs_in(app, logged_in, mailbox):
    token = confirmation_token(logged_in, mailbox)
    logged_in.put(f"/-/email/{token}", status=200)
    Browser(app).login("ada@example.com", PASSWORD, status=400)


def test_confirmation_link_is_single_use(logged_in, mailbox):
    token = confirmation_token(logged_in, mailbox)
    logged_in.put(f"/-/email/{token}", status=200)
    response = logged_in.put(f"/-/email/{token}", status=400)
    assert error_fields(response) == [("path", "token")]


def test_an_address_change_link_does_not_confirm_on_the_signup_path(logged_in, mailbox):
    token = confirmation_token(logged_in, mailbox)
    response = logged_in.post(f"/-/confirm/{token}", status=400)
    assert error_fields(response) == [("path", "token")]
    assert current_email(logged_in) == "ada@example.com"
    logged_in.put(f"/-/email/{token}", status=200)
    assert current_email(logged_in) == NEW


def test_confirm_endpoint_also_confirms_an_email_change(logged_in, mailbox):
    token = confirmation_token(logged_in, mailbox)
    logged_in.post_json("/-/confirm/", {"token": token}, status=200)
    assert current_email(logged_in) == NEW


def test_address_change_kills_pending_reset_links(logged_in, mailbox):
    logged_in.post_json("/-/reset/", {"email": "ada@example.com"}, status=200)
    reset = mailbox.last_to("ada@example.com").token
    token = confirmation_token(logged_in, mailbox)
    logged_in.put(f"/-/email/{token}", status=200)
    logged_in.put_json(f"/-/reset/{reset}", {"password": "a different passphrase"}, status=400)


def test_taken_address_answers_the_same(logged_in, signup, mailbox):
    free = ask(logged_in, status=200)
    signup("bob@example.com")
    taken = ask(logged_in, email="bob@example.com", status=200)
    assert (taken.status, taken.json) == (free.status, free.json)


def test_taken_address_gets_an_already_in_use_mail_and_no_link(logged_in, signup, mailbox):
    signup("bob@example.com")
    ask(logged_in, email="Bob@example.com", status=200)
    [mail] = mailbox.new()
    assert mail.to.lower() == "bob@example.com"
    assert "already belongs to an account" in mail.body
    assert mail.links == []


def test_uniqueness_is_checked_again_at_confirmation(logged_in, other_browser, mailbox):
    token = confirmation_token(logged_in, mailbox)
    other_browser.post_json("/-/signup", {"email": NEW, "password": "bob's own passphrase"}, status=201)
    response = logged_in.put(f"/-/email/{token}", status=400)
    assert error_fields(response) == [("path", "token")]
    assert current_email(logged_in) == "ada@example.com"


def test_delete_cancels_a_pending_change(logged_in, mailbox):
    token = confirmation_token(logged_in, mailbox)
    assert logged_in.delete("/-/email/", status=200).json == {"status": "success"}
    logged_in.put(f"/-/email/{token}", status=400)
    assert current_email(logged_in) == "ada@example.com"


def test_cancel_link_cancels_the_change(app, logged_in, mailbox):
    cancel = cancel_token(logged_in, mailbox)
    token = mailbox.last_to(NEW).token
    response = Browser(app).post_json("/-/email/cancel", {"token": cancel}, status=200)
    assert response.json == {"status": "success"}
    Browser(app).put(f"/-/email/{token}", status=400)


def test_cancel_link_ends_every_session(app, logged_in, other_browser, mailbox):
    other_browser.login("ada@example.com", PASSWORD, status=200)
    cancel = cancel_token(logged_in, mailbox)
    Browser(app).post_json("/-/email/cancel", {"token": cancel}, status=200)
    assert logged_in.get("/-/login").json["authenticated"] is False
    assert other_browser.get("/-/login").json["authenticated"] is False


def test_cancel_link_opened_in_the_session_logs_it_out(logged_in, mailbox):
    cancel = cancel_token(logged_in, mailbox)
    logged_in.post_json("/-/email/cancel", {"token": cancel}, status=200)
    assert logged_in.get("/-/login").json["authenticated"] is False


def test_cancel_link_is_single_use(app, logged_in, mailbox):
    cancel = cancel_token(logged_in, mailbox)
    Browser(app).post_json("/-/email/cancel", {"token": cancel}, status=200)
    response = Browser(app).post_json("/-/email/cancel", {"token": cancel}, status=400)
    assert error_fields(response) == [("body", "token")]


def test_resend_mails_a_fresh_confirmation_for_a_pending_change(logged_in, mailbox):
    old = confirmation_token(logged_in, mailbox)
    logged_in.post_json("/-/confirm/resend", {"email": NEW}, status=200)
    fresh = mailbox.last_to(NEW).token
    assert fresh != old
    logged_in.put(f"/-/email/{old}", status=400)
    logged_in.put(f"/-/email/{fresh}", status=200)
