"""The reference app's account screens in Chromium: a person's whole journey, from signup to deletion."""

from __future__ import annotations

import re
import time

import pytest
from selenium.webdriver.common.by import By

from tests.integration.spa import ON_POSTGRESQL, App, spa_elsewhere, spa_server
from tests.integration.test_database_down import stopped
from tests.integration.test_server import PASSWORD
from tests.servers import postgresql_server

ADA = "ada@example.com"
NEW_PASSWORD = "analytical engine 1843"
RESET_PASSWORD = "difference engine 1822"
REAUTH_AFTER = 1
"""Seconds after which an action needs the password again, on these tests' server."""


SETTINGS = {"backrest.reauth.max_age": str(REAUTH_AFTER)}


@pytest.fixture
def journey(chromium, tmp_path, clean_database):
    with spa_server(tmp_path, clean_database, **SETTINGS) as server:
        yield App(chromium, server)


@pytest.fixture(params=["served by backrest", "from another origin"])
def journey_anywhere(request, chromium, tmp_path, clean_database):
    """The app served by backrest itself, then by nginx from another origin of the same site, under CORS."""
    if request.param == "served by backrest":
        yield request.getfixturevalue("journey")
        return
    with spa_elsewhere(tmp_path, clean_database, **SETTINGS) as (server, origin):
        yield App(chromium, server, origin)


def stale() -> None:
    """Let the session's last password check grow older than the server allows for sensitive actions."""
    time.sleep(REAUTH_AFTER + 0.2)


def reauthenticate(app: App, password: str) -> None:
    dialog = app.dialog()
    app.fill("Password", password, within=dialog)
    app.press("Confirm", within=dialog)


def sign_up_and_confirm(app: App) -> None:
    """Sign up (a refused password first), have the link sent again, confirm with the newest one."""
    app.open("/")
    app.heading("Log in")
    app.follow("Sign up")
    app.heading("Sign up")
    app.audit("signup")
    app.fill("Email", ADA)
    app.fill("Password", "ada@example.com!")
    app.press("Sign up")
    assert "password" in app.field_error("Password").lower()
    assert app.focused() == app.control("Password")
    app.audit("signup-with-errors")
    app.fill("Password", PASSWORD)
    app.fill("First name", "Ada")
    app.press("Sign up")
    app.heading("Check your mail")
    app.sees(f"We sent a link to {ADA}")

    # A second link kills the first.
    app.open("/confirm/resend")
    app.heading("Send the confirmation link again")
    app.fill("Email", ADA)
    app.press("Send the link")
    app.heading("Check your mail")
    first, second = app.mails(ADA, "Confirm your email address", count=2)
    app.open_link(first)
    app.heading("This link does not work")
    app.open_link(second)
    app.heading("Address confirmed")
    # The token left the address bar and the history at once, and no log saw it.
    assert "token" not in app.driver.current_url
    assert second.token not in app.server.log
    app.audit("confirmed")


def log_in_and_edit_the_profile(app: App) -> None:
    app.follow("Log in")
    app.heading("Log in")
    app.audit("login")
    app.fill("Email", ADA)
    app.fill("Password", "not my password")
    app.press("Log in")
    app.field_error("Email")
    app.fill("Password", PASSWORD)
    app.press("Log in")
    app.sees(f"Signed in as {ADA}")

    app.follow("Account")
    app.heading("Your account")
    app.sees("(confirmed)")
    app.audit("account")
    app.fill("First name", "Augusta Ada")
    app.press("Save")
    app.status("Your profile is saved.")
    app.open("/account")
    assert app.control("First name").get_attribute("value") == "Augusta Ada"


def change_the_password(app: App) -> None:
    app.follow("Change your password")
    app.heading("Change your password")
    app.audit("password")
    app.fill("Current password", "not my password")
    app.fill("New password", NEW_PASSWORD)
    app.press("Change the password")
    assert app.field_error("Current password") == "Wrong password."
    assert app.focused() == app.control("Current password")
    app.fill("Current password", PASSWORD)
    app.fill("New password", NEW_PASSWORD)
    app.press("Change the password")
    app.status("Your password is changed.")


def sessions_shown(app: App, count: int) -> None:
    app.open("/account/sessions")
    app.heading("Where you are logged in")
    app.until(lambda: len(app.driver.find_elements(By.CSS_SELECTOR, "tbody tr")) == count, "the sessions")


def end_the_other_sessions(app: App, phone: App) -> None:
    """Another device: listed, ended from here; then all others at once. Both after the password again."""
    phone.open("/login")
    phone.log_in(ADA, NEW_PASSWORD)
    sessions_shown(app, 2)
    app.audit("sessions")
    stale()
    app.press("End this session")
    reauthenticate(app, NEW_PASSWORD)
    app.status("The session has ended.")
    assert len(app.driver.find_elements(By.CSS_SELECTOR, "tbody tr")) == 1
    assert app.focused().tag_name == "table"
    phone.open("/account")
    phone.heading("Log in")

    phone.log_in(ADA, NEW_PASSWORD)
    sessions_shown(app, 2)
    stale()
    app.press("End all other sessions")
    app.press("End them", within=app.dialog())
    reauthenticate(app, NEW_PASSWORD)
    app.status("Every other session has ended.")
    phone.open("/account")
    phone.heading("Log in")


@ON_POSTGRESQL
def test_signup_confirmation_login_profile_password_and_sessions(journey_anywhere, another_chromium):
    app = journey_anywhere
    sign_up_and_confirm(app)
    log_in_and_edit_the_profile(app)
    change_the_password(app)
    end_the_other_sessions(app, App(another_chromium, app.server, app.origin))
    app.press("Log out")
    app.status("You are logged out.")
    app.sees("Not signed in")
    app.no_errors_logged()


@ON_POSTGRESQL
def test_address_change_forgotten_password_and_deletion(journey):
    app = journey
    app.sign_up_and_log_in(ADA)
    new_address = "ada@analytical.example"

    app.open("/account/email")
    app.heading("Change your email address")
    app.audit("email")
    app.fill("New email", new_address)
    app.fill("Password", PASSWORD)
    app.press("Change the address")
    app.status(f"Open the link we sent to {new_address}")
    [confirmation] = app.mails(new_address, "Confirm your new email address")
    app.open_link(confirmation)
    app.heading("New address confirmed")
    app.sees(f"Signed in as {new_address}")
    assert "token" not in app.driver.current_url

    # "This wasn't me", from the notice to the address in use.
    app.open("/account/email")
    app.fill("New email", "someone@else.example")
    app.fill("Password", PASSWORD)
    app.press("Change the address")
    app.status("Open the link we sent to someone@else.example")
    [notice] = app.mails(new_address, "Your email address is about to change")
    app.open_link(notice)
    app.heading("Stop the address change")
    app.audit("email-cancel")
    app.press("Stop the change")
    app.heading("The change is stopped")
    app.sees("Not signed in")

    app.follow("set a new one")
    app.heading("Reset your password")
    app.audit("reset-request")
    app.fill("Email", new_address)
    app.press("Send a reset link")
    app.heading("Check your mail")
    [reset] = app.mails(new_address, "Set a new password")
    app.open_link(reset)
    app.heading("Choose a new password")
    assert "token" not in app.driver.current_url
    app.audit("reset")
    app.fill("New password", "short")
    app.press("Set the password")
    assert "12 characters" in app.field_error("New password")
    app.fill("New password", RESET_PASSWORD)
    app.press("Set the password")
    app.heading("Log in")
    app.status("Your password is set.")
    app.log_in(new_address, RESET_PASSWORD)

    delete_the_account(app, new_address, RESET_PASSWORD)
    app.no_errors_logged()


def delete_the_account(app: App, address: str, password: str) -> None:
    """Deletion: confirmed, then the password again (a wrong one first); the account is gone."""
    app.open("/account/delete")
    app.heading("Delete your account")
    app.audit("delete")
    stale()
    app.press("Delete my account")
    app.press("Delete it", within=app.dialog())
    dialog = app.dialog()
    app.fill("Password", "not my password", within=dialog)
    app.press("Confirm", within=dialog)
    assert app.field_error("Password")
    app.fill("Password", password, within=dialog)
    app.press("Confirm", within=dialog)
    app.heading("Sign up")
    app.status("Your account is deleted.")
    app.mails(address, "Your account was deleted")
    reply = app.server.client().put("/-/login", {"login": address, "password": password})
    assert reply.status == 400


def test_what_went_wrong_is_said_with_what_to_do(chromium, tmp_path):
    """No answer, too many requests, the service down: each said with what a person can do about it."""
    with (
        postgresql_server() as url,
        spa_server(tmp_path, url, **{"backrest.throttle.login": "2/minute"}) as server,
    ):
        app = App(chromium, server)
        app.open("/login")
        app.heading("Log in")
        app.fill("Email", ADA)
        app.fill("Password", PASSWORD)

        app.driver.set_network_conditions(
            offline=True, latency=0, download_throughput=-1, upload_throughput=-1
        )
        app.press("Log in")
        app.sees("The server cannot be reached. Check your connection, then try again.")
        app.driver.set_network_conditions(
            offline=False, latency=0, download_throughput=-1, upload_throughput=-1
        )

        with stopped(url):
            app.press("Log in")
            app.sees("The service is not available just now. Try again in")
            [request_id] = re.findall(
                r"quote request ID (\S+)\.", app.driver.find_element(By.TAG_NAME, "form").text
            )
            assert f"[{request_id}]" in server.log
            app.audit("error-unavailable")

        for _ in range(3):
            app.press("Log in")
        app.sees("Too many requests. Try again in")
        seconds = int(
            re.search(r"Try again in (\d+) second", app.driver.find_element(By.TAG_NAME, "form").text)[1]
        )
        assert 0 < seconds <= 60
