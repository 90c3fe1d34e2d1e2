"""The app's credentials and teams, as people use them in Chromium.

- Ada makes an API key, which asks for her password again once the session's
  check is old; its credential shows once, works against the API, and stops
  working once she revokes it.
- Ada makes a team and invites Bob; Bob opens the mail's link before he is
  logged in, logs in from it, joins, and leaves again.
- An unconfirmed account is told why it may make neither keys nor teams;
  once confirmed, it authorizes an application through OAuth, sees it among
  its authorized applications, and revokes it.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from selenium.webdriver.common.by import By

from tests.conftest import PASSWORD
from tests.integration.spa import ON_POSTGRESQL, App, spa_server
from tests.integration.test_oauth_browser import APPLICATION, make_admin, promote, register
from tests.integration.test_server import signup

if TYPE_CHECKING:
    from pathlib import Path

    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

pytestmark = ON_POSTGRESQL

ADA = "ada@example.com"
BOB = "bob@example.com"
CREDENTIAL = re.compile(r"[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]{43}")


def row(app: App, text: str) -> WebElement:
    """The table row that shows ``text``."""
    return app.until(
        lambda: next((tr for tr in app.driver.find_elements(By.TAG_NAME, "tr") if text in tr.text), None),
        f"a row showing {text!r}",
    )


def confirm(app: App, action: str) -> None:
    """Press ``action`` in the open confirmation dialog."""
    app.press(action, within=app.dialog())


def page_text(app: App) -> str:
    return app.driver.find_element(By.TAG_NAME, "body").text


def test_api_key_asks_the_password_shows_its_credential_once_and_is_revoked(
    chromium: WebDriver, tmp_path: Path, clean_database: str
) -> None:
    with spa_server(tmp_path, clean_database, **{"backrest.reauth.max_age": "1"}) as server:
        spa = App(chromium, server)
        spa.sign_up_and_log_in(ADA)
        # The server judges the password check's age by its own clock: a second is its maximum here.
        time.sleep(1.5)
        spa.follow("API keys")
        spa.heading("API keys")
        spa.sees("You have no API key.")
        spa.audit("keys-empty")

        spa.fill("Key name", "nightly backup")
        spa.control("write: create, change and delete").click()
        in_a_year = (datetime.now(UTC) + timedelta(days=365)).date()
        # A date control's typing order follows the browser's locale: its value is set as a date picker does.
        spa.driver.execute_script("arguments[0].value = arguments[1]", spa.control("Expires"), str(in_a_year))
        spa.press("Create key")
        dialog = spa.dialog()
        assert "Confirm it is you" in dialog.text
        spa.fill("Password", PASSWORD, within=dialog)
        spa.press("Confirm", within=dialog)

        spa.sees("Your new key “nightly backup”")
        assert spa.focused().text == "Your new key “nightly backup”"
        assert "Copy it now: it will not be shown again." in page_text(spa)
        credential = spa.driver.find_element(By.CSS_SELECTOR, ".secret").text
        assert CREDENTIAL.fullmatch(credential), credential
        listed = row(spa, "nightly backup")
        assert credential.split(":")[0] in listed.text
        assert "read" in listed.text
        assert "write" not in listed.text
        assert "never" in listed.text  # not used yet
        spa.audit("keys-new-credential")

        spa.driver.execute_cdp_cmd(
            "Browser.grantPermissions",
            {"origin": spa.origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
        )
        spa.press("Copy")
        spa.status("Copied.")
        copied = spa.driver.execute_async_script(
            "const done = arguments[arguments.length - 1]; navigator.clipboard.readText().then(done, String);"
        )
        assert copied == credential

        script = server.client()
        token = {"Authorization": f"Token {credential}"}
        reply = script.get("/-/documents/", **token)
        assert reply.status == 200, reply.body
        assert script.post("/-/documents/", {"title": "Not with a read key"}, **token).status == 403

        spa.driver.refresh()
        spa.heading("API keys")
        listed = row(spa, "nightly backup")
        assert credential not in spa.driver.page_source
        assert spa.driver.find_elements(By.CSS_SELECTOR, ".secret") == []
        assert "never" not in listed.text  # last used just now; expires in a year

        spa.press("Revoke", within=listed)
        confirm(spa, "Revoke")
        spa.status("The key “nightly backup” is revoked: it no longer works.")
        spa.sees("You have no API key.")
        assert script.get("/-/documents/", **token).status == 401
        spa.no_errors_logged()


def make_team(spa: App) -> None:
    """Ada makes the team Handbook from the list of her teams, and invites Bob."""
    spa.follow("Teams")
    spa.heading("Teams")
    spa.sees("You are in no team yet.")
    spa.fill("Team name", "Handbook")
    spa.fill("Description", "Who writes the handbook")
    spa.press("Create team")
    spa.heading("Handbook")
    spa.status("The team Handbook is made.")
    spa.sees("Who writes the handbook")
    assert "(you)" in row(spa, "Manager").text
    spa.fill("Email", BOB)
    spa.press("Send invitation")
    spa.status(f"Invitation sent if {BOB} receives mail.")
    assert BOB in row(spa, BOB).text


def make_team_key(spa: App) -> None:
    """Ada makes a key for the team on its page: it lists what the team may see."""
    spa.fill("Key name", "CI pipeline")
    spa.press("Create key")
    spa.sees("Your new key “CI pipeline”")
    credential = spa.driver.find_element(By.CSS_SELECTOR, ".secret").text
    assert credential.split(":")[0] in row(spa, "CI pipeline").text
    reply = spa.server.client().get("/-/teams/", Authorization=f"Token {credential}")
    assert reply.status == 200, reply.body
    assert [team["name"] for team in reply.json["results"]] == ["Handbook"]
    spa.audit("team-managed")


def join_from_the_mail(bob: App) -> None:
    """Bob opens the invitation's link logged out, logs in from it, and joins."""
    bob.driver.delete_all_cookies()
    bob.open_link(bob.server.wait_for_mail(BOB, "An invitation to join a team"))
    bob.heading("Join a team")
    assert "token" not in bob.driver.current_url
    bob.audit("team-invitation-logged-out")
    bob.follow("Log in to accept")
    bob.log_in(BOB)
    bob.heading("Join a team")
    bob.sees(f"Join it as {BOB}?")
    bob.press("Join team")
    bob.heading("Handbook")
    bob.status("You joined the team Handbook.")


def grant_as_admin(spa: App, database_url: str) -> None:
    """Ada, made an admin, grants the team a permission on its page."""
    promote(database_url, ADA)
    spa.driver.refresh()
    spa.heading("Handbook")
    spa.control("documents.view").click()
    spa.press("Save permissions")
    spa.status("The team's permissions are saved.")
    assert spa.control("documents.view").is_selected()
    spa.audit("team-as-admin")
    ada = spa.server.client()
    assert ada.put("/-/login", {"login": ADA, "password": PASSWORD}).status == 200
    team = spa.driver.current_url.rsplit("/", 1)[-1]
    assert ada.get(f"/-/teams/{team}").json["permissions"] == ["documents.view"]


def test_team_made_joined_from_the_invitation_mail_and_left(
    spa: App, another_chromium: WebDriver, clean_database: str
) -> None:
    spa.sign_up_and_log_in(ADA)
    make_team(spa)
    make_team_key(spa)
    bob = App(another_chromium, spa.server)
    bob.sign_up_and_log_in(BOB)
    join_from_the_mail(bob)
    assert "(you)" in row(bob, "Member").text
    assert "Only admins grant permissions to teams." in page_text(bob)
    assert bob.driver.find_elements(By.XPATH, "//h2[normalize-space()='Invite someone']") == []
    bob.audit("team-as-member")

    # Ada's page still shows the team as it was before Bob joined: her change is refused, not lost.
    spa.fill("Description", "Who writes and reviews the handbook")
    spa.press("Save")
    spa.sees("Someone changed this team since this page was shown.")
    spa.driver.refresh()
    spa.heading("Handbook")
    assert "Member" in row(spa, "Member").text
    spa.fill("Description", "Who writes and reviews the handbook")
    spa.press("Save")
    spa.status("The team is saved.")

    bob.press("Leave team")
    confirm(bob, "Leave")
    bob.heading("Teams")
    bob.status("You left the team Handbook.")
    bob.sees("You are in no team yet.")
    bob.no_errors_logged()

    grant_as_admin(spa, clean_database)
    spa.open("/teams")
    spa.heading("Teams")
    listed = row(spa, "Handbook")
    assert "Who writes and reviews the handbook" in listed.text
    assert "Manager" in listed.text
    spa.audit("teams-list")
    spa.no_errors_logged()


def authorize_url(client_id: str, redirect_uri: str) -> str:
    """The consent page's address, as an application with PKCE sends a user there."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "read",
        "state": "n0t3s",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"/oauth2/authorize?{urlencode(query)}"


def test_unconfirmed_account_told_then_authorized_application_revoked(spa: App, clean_database: str) -> None:
    assert signup(spa.server.client(), ADA).status == 201
    spa.open("/login")
    spa.log_in(ADA)

    spa.open("/keys")
    spa.heading("API keys")
    spa.sees("Your email address is not confirmed yet: you cannot make API keys until it is.")
    spa.press("Create key")
    spa.sees("Confirm your email address first: open the link we mailed you, or have a new one sent.")
    spa.open("/teams")
    spa.heading("Teams")
    spa.fill("Team name", "Handbook")
    spa.press("Create team")
    spa.sees("Confirm your email address first: open the link we mailed you, or have a new one sent.")

    spa.open_link(spa.server.wait_for_mail(ADA, "Confirm your email address"))
    spa.heading("Address confirmed")
    spa.open("/account/applications")
    spa.heading("Applications you authorized")
    spa.sees("You have not authorized any application.")
    spa.audit("applications-empty")

    callback = f"{spa.origin}/oauth/callback"
    application = register(make_admin(spa.server, clean_database), "confidential", callback)
    spa.open(authorize_url(application["client_id"], callback))
    spa.press("Allow")
    spa.until(lambda: spa.driver.current_url.startswith(f"{callback}?code="), "the way back to Notes")

    spa.open("/account/applications")
    spa.heading("Applications you authorized")
    listed = row(spa, APPLICATION)
    assert "read" in listed.text
    spa.audit("applications-listed")
    spa.press("Revoke", within=listed)
    confirm(spa, "Revoke")
    spa.status(f"{APPLICATION} can no longer use your account.")
    spa.driver.refresh()
    spa.sees("You have not authorized any application.")
    spa.no_errors_logged()
