"""An admin who registers applications, a user who allows them, and the steps of the code flow."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.client import Browser
from tests.conftest import PASSWORD
from tests.functional.test_applications import log_in_as_admin

if TYPE_CHECKING:
    from collections.abc import Callable

WEB = "https://app.example.com/oauth/callback"
NATIVE = "http://127.0.0.1/callback"


@dataclass
class Client:
    """A registered application as its developer holds it."""

    client_id: str
    secret: str | None
    redirect_uri: str


def pkce_pair() -> tuple[str, str]:
    """A PKCE verifier and its S256 challenge (RFC 7636 section 4.2)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def basic(client: Client) -> dict[str, str]:
    pair = f"{client.client_id}:{client.secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


def query_of(location: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def admin(app, signup, dbsession) -> Browser:
    return log_in_as_admin(app, signup, dbsession, "root@example.com")


@pytest.fixture
def register(admin: Browser) -> Callable[..., Client]:
    def make(client_type: str = "confidential", redirect_uri: str = WEB, **body: Any) -> Client:
        made = admin.post_json(
            "/-/applications/",
            {"name": "Notes", "client_type": client_type, "redirect_uris": [redirect_uri], **body},
            status=201,
        ).json
        return Client(made["client_id"], made.get("client_secret"), redirect_uri)

    return make


@pytest.fixture
def user(logged_in: Browser) -> Browser:
    """ada@example.com, confirmed and logged in a moment ago."""
    return logged_in


def authorize_url(client: Client, challenge: str | None, **extra: str) -> str:
    params = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": client.redirect_uri,
        "scope": "read write",
        "state": "xyz",
        **extra,
    }
    if challenge is not None:
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    return "/oauth2/authorize?" + urlencode(params)


def allow(user: Browser, url: str, **fields: str) -> dict[str, str]:
    """Press allow on the consent page; answers the redirect's query (code and state)."""
    page = user.get(url, status=200)
    form = page.forms[0]
    for name, value in fields.items():
        form[name] = value
    answer = form.submit("action", value="allow", status=302)
    return query_of(answer.headers["Location"])


@pytest.fixture
def code_for(user: Browser) -> Callable[..., tuple[str, str | None]]:
    """A code for ``client`` from ada's allow, and its PKCE verifier."""

    def get(client: Client, *, pkce: bool = True, **extra: str) -> tuple[str, str | None]:
        verifier, challenge = pkce_pair() if pkce else (None, None)
        return allow(user, authorize_url(client, challenge, **extra))["code"], verifier

    return get


@pytest.fixture
def api(app) -> Browser:
    """A client with no cookies: what calls the token endpoint and the API with a Bearer token."""
    return Browser(app, extra_environ={"REMOTE_ADDR": "198.51.100.7", "HTTP_USER_AGENT": "notes-app"})


def exchange(api: Browser, client: Client, code: str, verifier: str | None, status: int = 200) -> Any:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": client.redirect_uri}
    if verifier is not None:
        form["code_verifier"] = verifier
    headers = {}
    if client.secret is None:
        form["client_id"] = client.client_id
    else:
        headers = basic(client)
    return api.post("/oauth2/token", form, headers=headers, status=status)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


__all__ = ["NATIVE", "PASSWORD", "WEB"]


# Beyond the first flow: other users, refreshes, and a second visit to the page.


def client_auth(client: Client) -> tuple[dict[str, str], dict[str, str]]:
    """The form fields and headers by which ``client`` says who it is: Basic for a confidential one."""
    if client.secret is None:
        return {"client_id": client.client_id}, {}
    return {}, basic(client)


def call(api: Browser, path: str, client: Client, status: int = 200, **form: str) -> Any:
    """POST ``form`` to an OAuth endpoint as ``client``."""
    fields, headers = client_auth(client)
    return api.post(path, {**form, **fields}, headers=headers, status=status)


def refresh(api: Browser, client: Client, refresh_token: str, status: int = 200, **form: str) -> Any:
    return call(
        api, "/oauth2/token", client, status, grant_type="refresh_token", refresh_token=refresh_token, **form
    )


def redirected_code(user: Browser, url: str) -> str:
    """The code of an authorization the user already allowed: no page, a redirect at once."""
    answer = user.get(url, status=302)
    return query_of(answer.headers["Location"])["code"]


def is_redirect_to(response: Any, uri: str) -> bool:
    return response.headers.get("Location", "").startswith(uri)


@pytest.fixture
def tokens_for(code_for, api: Browser) -> Callable[..., dict[str, Any]]:
    """Tokens for ``client`` from ada's first allow (``scope=...`` to ask for less)."""

    def get(client: Client, **extra: str) -> dict[str, Any]:
        code, verifier = code_for(client, **extra)
        return exchange(api, client, code, verifier).json

    return get


@pytest.fixture
def bob(other_browser: Browser, signup) -> Browser:
    """bob@example.com, confirmed and logged in, from another client."""
    other_browser.login(signup("bob@example.com"), PASSWORD, status=200)
    return other_browser
