"""POST /oauth2/token: how clients authenticate, what it accepts, how it answers, and its rate limit."""

from __future__ import annotations

import pytest

from tests.client import Browser
from tests.conftest import error_fields
from tests.functional.oauth.conftest import NATIVE, WEB, Client, basic, bearer, call, exchange, refresh


def code_form(client: Client, code: str, verifier: str, **fields: str) -> dict[str, str]:
    """The form exchanging ``code``, with ``client_id`` in it (and ``fields``)."""
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": client.redirect_uri,
        "code_verifier": verifier,
        "client_id": client.client_id,
        **fields,
    }


def test_client_secret_post_works(register, code_for, api):
    client = register()
    form = code_form(client, *code_for(client), client_secret=client.secret)
    tokens = api.post("/oauth2/token", form, status=200).json
    api.get("/-/userprofile", headers=bearer(tokens["access_token"]), status=200)


def test_client_secret_basic_works(register, code_for, api):
    client = register()
    code, verifier = code_for(client)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": client.redirect_uri}
    tokens = api.post("/oauth2/token", {**form, "code_verifier": verifier}, headers=basic(client)).json
    assert tokens["token_type"] == "Bearer"
    api.get("/-/userprofile", headers=bearer(tokens["access_token"]), status=200)


def test_a_confidential_client_without_its_secret_is_invalid_client(register, code_for, api):
    client = register()
    form = code_form(client, *code_for(client))
    answer = api.post("/oauth2/token", form, status=401)
    assert answer.json["error"] == "invalid_client"
    assert "WWW-Authenticate" in answer.headers


def test_a_json_body_is_refused_with_invalid_request(register, code_for, api):
    client = register()
    body = code_form(client, *code_for(client), client_secret=client.secret)
    answer = api.post_json("/oauth2/token", body, status=400)
    assert answer.json["error"] == "invalid_request"
    assert "application/x-www-form-urlencoded" in answer.json["error_description"]
    assert answer.json["status"] == "error"
    assert "access_token" not in answer.json


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        (
            {"grant_type": "authorization_code", "code": "nonsense", "code_verifier": "x" * 43},
            400,
            "invalid_grant",
        ),
        ({"grant_type": "refresh_token", "refresh_token": "nonsense"}, 400, "invalid_grant"),
        ({"grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
        (
            {"grant_type": "password", "username": "ada@example.com", "password": "x"},
            400,
            "unauthorized_client",
        ),
        ({"grant_type": "refresh_token"}, 400, "invalid_request"),
    ],
    ids=[
        "unknown code",
        "unknown refresh token",
        "unsupported grant",
        "grant not enabled",
        "missing parameter",
    ],
)
def test_errors_carry_both_shapes_and_are_not_stored(register, api, form, status, error):
    client = register()
    answer = api.post(
        "/oauth2/token", {**form, "redirect_uri": client.redirect_uri}, headers=basic(client), status=status
    )
    assert answer.json["error"] == error
    assert isinstance(answer.json["error_description"], str)
    assert answer.json["error_description"]
    assert answer.json["status"] == "error"
    assert error_fields(answer) == [("request", error)]
    assert answer.json["errors"][0]["description"]
    assert answer.headers["Cache-Control"] == "no-store"


def test_an_unknown_client_is_a_401_in_both_shapes(api):
    answer = api.post(
        "/oauth2/token",
        {"grant_type": "refresh_token", "refresh_token": "x"},
        headers=basic(Client("nobody", "nothing", "https://evil.example/")),
        status=401,
    )
    assert answer.json["error"] == "invalid_client"
    assert answer.json["error_description"]
    assert error_fields(answer) == [("request", "invalid_client")]


def test_tokens_are_not_stored_by_caches(register, code_for, api):
    client = register()
    code, verifier = code_for(client)
    answer = exchange(api, client, code, verifier)
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Pragma"] == "no-cache"
    renewed = refresh(api, client, answer.json["refresh_token"])
    assert renewed.headers["Cache-Control"] == "no-store"


def test_the_token_endpoint_needs_no_csrf_token_and_ignores_cookies(register, code_for, user):
    """The user's browser, with its session cookie, is no client: only the client's authentication counts."""
    client = register()
    form = code_form(client, *code_for(client))
    user.csrf_token = ""
    assert user.post("/oauth2/token", form, status=401).json["error"] == "invalid_client"


def the_applications_server_gets_through(app, client: Client, form: dict[str, str]) -> bool:
    """Whether the right secret, from the application's own address, reaches the grant's own check."""
    server = Browser(app, extra_environ={"REMOTE_ADDR": "198.51.100.7", "HTTP_USER_AGENT": "notes-app"})
    answer = server.post("/oauth2/token", form, headers=basic(client), status="*")
    return answer.status_int == 400 and answer.json["error"] == "invalid_grant"


def test_repeated_wrong_client_secrets_end_in_a_429(register, app_with):
    client = register()
    app = app_with(**{"backrest.throttle.login_failures": "3/hour"})
    attacker = Browser(app, extra_environ={"REMOTE_ADDR": "203.0.113.66", "HTTP_USER_AGENT": "guesser"})
    wrong = Client(client.client_id, "guess", client.redirect_uri)
    form = {"grant_type": "refresh_token", "refresh_token": "whatever"}
    for _ in range(3):
        assert (
            attacker.post("/oauth2/token", form, headers=basic(wrong), status=401).json["error"]
            == "invalid_client"
        )
    refused = attacker.post("/oauth2/token", form, headers=basic(wrong), status=429)
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json["status"] == "error"
    assert refused.json["errors"]
    # Now even the right secret waits, from that address...
    attacker.post("/oauth2/token", form, headers=basic(client), status=429)
    # ...but not from the application's own server, whose budget is its own.
    assert the_applications_server_gets_through(app, client, form)


def test_client_secrets_posted_in_the_form_are_counted_too(register, app_with):
    client = register()
    app = app_with(**{"backrest.throttle.login_failures": "2/hour"})
    attacker = Browser(app, extra_environ={"REMOTE_ADDR": "203.0.113.66", "HTTP_USER_AGENT": "guesser"})
    form = {
        "grant_type": "refresh_token",
        "refresh_token": "whatever",
        "client_id": client.client_id,
        "client_secret": "guess",
    }
    for _ in range(2):
        attacker.post("/oauth2/token", form, status=401)
    assert "Retry-After" in attacker.post("/oauth2/token", form, status=429).headers


def test_strangers_guessing_from_many_addresses_do_not_lock_the_application_out(register, app_with):
    """A client secret is no password with an owner's devices to tell apart: no shared budget to spend."""
    client = register()
    app = app_with(
        **{"backrest.throttle.login_failures": "2/hour", "backrest.throttle.login_account": "3/hour"}
    )
    wrong = Client(client.client_id, "guess", client.redirect_uri)
    form = {"grant_type": "refresh_token", "refresh_token": "whatever"}
    for address in range(1, 6):
        stranger = Browser(app, extra_environ={"REMOTE_ADDR": f"203.0.113.{address}"})
        stranger.post("/oauth2/token", form, headers=basic(wrong), status=401)
        stranger.post("/oauth2/token", form, headers=basic(wrong), status=401)
        stranger.post("/oauth2/token", form, headers=basic(wrong), status=429)
    assert the_applications_server_gets_through(app, client, form)


def test_a_right_secret_forgets_the_addresses_failures(register, app_with):
    client = register()
    app = app_with(**{"backrest.throttle.login_failures": "2/hour"})
    server = Browser(app, extra_environ={"REMOTE_ADDR": "198.51.100.7", "HTTP_USER_AGENT": "notes-app"})
    wrong = Client(client.client_id, "guess", client.redirect_uri)
    form = {"grant_type": "refresh_token", "refresh_token": "whatever"}
    for _ in range(3):
        server.post("/oauth2/token", form, headers=basic(wrong), status=401)
        server.post("/oauth2/token", form, headers=basic(client), status=400)


def test_the_token_endpoint_only_takes_posts(api):
    answer = api.get("/oauth2/token", status=405)
    assert "POST" in answer.headers["Allow"]
    assert answer.json["status"] == "error"


# Its rates: per client address and per application, not the anonymous caller's.


def test_an_applications_server_is_not_held_to_the_anonymous_rate(register, app_with):
    client = register()
    app = app_with(**{"backrest.throttle.anon": "2/hour"})
    server = Browser(app, extra_environ={"REMOTE_ADDR": "198.51.100.7", "HTTP_USER_AGENT": "notes-app"})
    form = {"grant_type": "refresh_token", "refresh_token": "whatever"}
    for _ in range(4):
        server.post("/oauth2/token", form, headers=basic(client), status=400)
    server.get("/-/", status=200)
    server.get("/-/", status=200)
    assert server.get("/-/", status=429).json["errors"][0]["name"] == "too_many_requests"


def test_the_token_endpoint_is_limited_per_client_address(register, app_with):
    client = register()
    app = app_with(**{"backrest.throttle.oauth_token": "3/hour"})
    form = {"grant_type": "refresh_token", "refresh_token": "whatever"}
    busy = Browser(app, extra_environ={"REMOTE_ADDR": "203.0.113.66"})
    for _ in range(3):
        busy.post("/oauth2/token", form, headers=basic(client), status=400)
    refused = busy.post("/oauth2/token", form, headers=basic(client), status=429)
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json["errors"][0]["name"] == "too_many_requests"
    other = Browser(app, extra_environ={"REMOTE_ADDR": "198.51.100.7"})
    other.post("/oauth2/token", form, headers=basic(client), status=400)


@pytest.mark.parametrize("client_type", ["confidential", "public"])
def test_the_token_endpoint_is_limited_per_application_from_any_address(register, app_with, client_type):
    client = register(client_type, redirect_uri=NATIVE if client_type == "public" else WEB)
    neighbour = register(client_type, redirect_uri=NATIVE if client_type == "public" else WEB)
    app = app_with(**{"backrest.throttle.oauth_client": "3/hour"})
    form = {"grant_type": "refresh_token", "refresh_token": "whatever"}
    for address in range(1, 4):
        caller = Browser(app, extra_environ={"REMOTE_ADDR": f"203.0.113.{address}"})
        call(caller, "/oauth2/token", client, 400, **form)
    late = Browser(app, extra_environ={"REMOTE_ADDR": "198.51.100.7"})
    assert call(late, "/oauth2/token", client, 429, **form).json["errors"][0]["name"] == "too_many_requests"
    call(late, "/oauth2/token", neighbour, 400, **form)
