"""The OAuth2 provider as third-party applications use it: a real backrest, a real Chromium, real clients.

- A confidential web application (Authlib's ``OAuth2Session``, PKCE S256)
  sends the user's browser to ``/oauth2/authorize``; the user logs in on the
  page and denies: the callback, a local HTTP server, receives
  ``error=access_denied``; on the application's second try the user allows,
  and the application exchanges the code, calls the API with the Bearer
  token, refreshes it, and revokes it.
- A public client, a single-page application on another origin, does the
  same in JavaScript: PKCE with WebCrypto, the token and the API fetched
  cross-origin (the origin is in ``backrest.cors.origins``).

Debian's ``chromium`` and ``chromium-driver`` drive the browser through
Selenium; without them the tests skip, except in CI (``CI=true``), where
they fail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import create_engine, update

from backrest.accounts.models import User
from tests.conftest import PASSWORD
from tests.integration.oauth_callback import local_site, spa_page
from tests.integration.test_server import Client, Server, running_server, signup, signup_and_confirm

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.integration.oauth_callback import Site

USER = "ada@example.com"
ADMIN = "root@example.com"
APPLICATION = "Notes from Elsewhere"
WAIT = 10.0
"""Seconds a page may take to show what a test waits for."""


@pytest.fixture
def insecure_transport(monkeypatch) -> None:
    """Authlib refuses http endpoints unless told: these are on the loopback interface."""
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")


# The parties.


def promote(database_url: str, email: str) -> None:
    """Make the account of ``email`` an admin, in the database (no endpoint does)."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(update(User).where(User.email == email).values(is_admin=True))
    finally:
        engine.dispose()


def make_admin(server: Server, database_url: str) -> Client:
    """root@example.com, confirmed, made an admin in the database, logged in with its CSRF token."""
    admin = server.client()
    assert signup(admin, ADMIN).status == 201
    token = server.wait_for_mail(ADMIN, "Confirm your email address").token
    assert admin.post(f"/-/confirm/{token}").status == 200
    promote(database_url, ADMIN)
    assert admin.put("/-/login", {"login": ADMIN, "password": PASSWORD}).status == 200
    admin.csrf_token = admin.get("/-/login").json["csrf_token"]
    return admin


def register(admin: Client, client_type: str, redirect_uri: str) -> dict[str, Any]:
    """A new application as the admin's answer shows it: ``client_id``, and a confidential one's secret."""
    reply = admin.post(
        "/-/applications/",
        {
            "name": APPLICATION,
            "client_type": client_type,
            "redirect_uris": [redirect_uri],
            "grant_types": ["authorization_code", "refresh_token"],
            "scopes": ["read", "write"],
        },
    )
    assert reply.status == 201, reply.body
    return reply.json


def web_application(server: Server, database_url: str, callback: Site) -> OAuth2Session:
    """A confidential client whose redirect URI is ``callback``, as its server-side code holds it."""
    made = register(make_admin(server, database_url), "confidential", f"{callback.origin}/oauth/callback")
    assert made["client_secret"]
    return OAuth2Session(
        made["client_id"],
        made["client_secret"],
        scope="read write",
        redirect_uri=f"{callback.origin}/oauth/callback",
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )


def origin_of(server: Server) -> str:
    return f"http://127.0.0.1:{server.port}"


# The browser.


def wait_until(browser: webdriver.Chrome, server: Server, what: str, condition: Callable[[Any], Any]) -> Any:
    """``condition``'s first true answer within ``WAIT`` seconds, or a failure showing the page and logs."""
    try:
        return WebDriverWait(browser, WAIT).until(condition)
    except TimeoutException:
        pytest.fail(
            f"{what}: not within {WAIT} seconds\nurl: {browser.current_url}\n"
            f"page:\n{browser.page_source}\nbrowser log:\n{browser.get_log('browser')}\n"
            f"server log:\n{server.log}"
        )


def button(label: str) -> tuple[str, str]:
    return By.XPATH, f"//button[normalize-space()='{label}']"


def log_in_on_the_page(browser: webdriver.Chrome, server: Server) -> None:
    """Fill the login form of the authorization page and press "Log in"."""
    email = wait_until(
        browser, server, "the login form", expected_conditions.presence_of_element_located((By.NAME, "email"))
    )
    assert APPLICATION in browser.find_element(By.TAG_NAME, "body").text
    email.send_keys(USER)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(*button("Log in")).click()


def wait_for_consent(browser: webdriver.Chrome, server: Server) -> None:
    """The consent page: the application and the user by name, and no password asked for."""
    wait_until(
        browser, server, "the consent page", expected_conditions.presence_of_element_located(button("Allow"))
    )
    page = browser.find_element(By.TAG_NAME, "body").text
    assert APPLICATION in page
    assert USER in page
    assert browser.title.startswith(f"Allow {APPLICATION}?")
    assert browser.find_elements(By.NAME, "email") == []
    # The password was checked a moment ago: the page does not ask for it again.
    assert browser.find_elements(By.NAME, "password") == []


def use_the_tokens(
    application: OAuth2Session, base: str, callback_url: str, state: str, verifier: str
) -> list[str]:
    """What the application does with the code: tokens, a read, a write, a refresh, a revocation.

    Answers every token it was given.
    """
    token = application.fetch_token(
        f"{base}/oauth2/token",
        authorization_response=callback_url,
        state=state,  # Authlib checks the callback's state against it
        code_verifier=verifier,
    )
    assert token["token_type"] == "Bearer"
    assert token["scope"] == "read write"
    assert token["refresh_token"]
    accept_json = {"Accept": "application/json"}
    profile = application.get(f"{base}/-/userprofile", headers=accept_json)
    assert profile.status_code == 200, profile.text
    assert profile.json()["email"] == USER
    note = {"title": "Written by Notes"}
    written = application.post(f"{base}/-/documents/", json=note, headers=accept_json)
    assert written.status_code == 201, written.text
    assert written.json()["title"] == "Written by Notes"

    first = dict(token)
    refreshed = application.refresh_token(f"{base}/oauth2/token")
    assert refreshed["refresh_token"] != first["refresh_token"]
    assert refreshed["access_token"] != first["access_token"]
    listed = application.get(f"{base}/-/documents/", headers=accept_json)
    assert listed.status_code == 200, listed.text
    assert [item["title"] for item in listed.json()["results"]] == ["Written by Notes"]

    revoked = application.revoke_token(
        f"{base}/oauth2/revoke", token=refreshed["access_token"], token_type_hint="access_token"
    )
    assert revoked.status_code == 200, revoked.text
    refused = application.get(f"{base}/-/userprofile", headers=accept_json)
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    return [
        first["access_token"],
        first["refresh_token"],
        refreshed["access_token"],
        refreshed["refresh_token"],
    ]


def page_is_done(browser: webdriver.Chrome) -> str | None:
    """The single-page application's status once it signed in or failed, else ``None``."""
    status = browser.find_element(By.ID, "status").text
    return status if status == "signed in" or status.startswith("error") else None


# The tests.


def test_a_confidential_application_is_denied_then_allowed_and_uses_its_tokens(
    chromium, tmp_path, clean_database, insecure_transport
):
    with local_site() as callback, running_server(tmp_path, clean_database) as server:
        signup_and_confirm(server, server.client())
        base = origin_of(server)
        application = web_application(server, clean_database, callback)

        # The user logs in on the page, and denies: back to the application with the error and its state.
        url, state = application.create_authorization_url(
            f"{base}/oauth2/authorize", code_verifier=generate_token(64)
        )
        chromium.get(url)
        log_in_on_the_page(chromium, server)
        wait_for_consent(chromium, server)
        chromium.find_element(*button("Deny")).click()
        denied = callback.next_visit()
        assert denied.path == "/oauth/callback"
        assert denied.query["error"] == "access_denied"
        assert denied.query["state"] == state
        assert "code" not in denied.query

        # The application asks again; the user, still logged in, goes straight to the consent, and allows.
        verifier = generate_token(64)
        url, state = application.create_authorization_url(f"{base}/oauth2/authorize", code_verifier=verifier)
        assert "code_challenge_method=S256" in url
        assert verifier not in url
        chromium.get(url)
        wait_for_consent(chromium, server)
        chromium.find_element(*button("Allow")).click()
        visit = callback.next_visit()
        assert visit.path == "/oauth/callback"
        assert visit.query["state"] == state
        assert set(visit.query) == {"code", "state"}
        wait_until(chromium, server, "the callback page", expected_conditions.url_contains("code="))

        tokens = use_the_tokens(application, base, chromium.current_url, state, verifier)

        log = server.log
        assert "Traceback" not in log
        for secret in (visit.query["code"], *tokens, PASSWORD):
            assert secret not in log


def test_a_single_page_application_on_another_origin_signs_in(chromium, tmp_path, clean_database):
    with local_site() as spa:
        cors = f"https://app.example {spa.origin}"
        with running_server(tmp_path, clean_database, **{"backrest.cors.origins": cors}) as server:
            signup_and_confirm(server, server.client())
            page_url = f"{spa.origin}/notes/"
            made = register(make_admin(server, clean_database), "public", page_url)
            assert "client_secret" not in made
            spa.page = spa_page(backrest=origin_of(server), client_id=made["client_id"], scope="read")

            chromium.get(page_url)
            assert spa.next_visit().query == {}
            chromium.find_element(*button("Sign in with backrest")).click()
            log_in_on_the_page(chromium, server)
            wait_for_consent(chromium, server)
            chromium.find_element(*button("Allow")).click()
            back = spa.next_visit()
            assert back.path == "/notes/"
            assert set(back.query) == {"code", "state"}
            status = wait_until(chromium, server, "the application's page signing in", page_is_done)
            assert status == "signed in", (
                f"the page says {status!r}; browser log: {chromium.get_log('browser')}"
            )
            assert chromium.find_element(By.ID, "email").text == USER
            assert chromium.find_element(By.ID, "scope").text == "read"
            # The page took the code out of its address.
            assert chromium.current_url == page_url
            assert "Traceback" not in server.log
