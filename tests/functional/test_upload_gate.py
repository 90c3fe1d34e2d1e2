"""``GET /-/auth``: what nginx asks before it takes an upload's body.

The identity behind it is the security policy's, tested on both databases
elsewhere; these tests run on SQLite only.
"""

import base64

import pytest
import webtest

from tests.conftest import CLIENT, PASSWORD, error_fields

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def script(app) -> webtest.TestApp:
    """A client without cookies: curl, a cron job."""
    return webtest.TestApp(app, extra_environ=dict(CLIENT))


@pytest.fixture
def key(logged_in) -> str:
    return logged_in.post_json("/-/keys", {"name": "uploads", "scopes": ["write"]}, status=201).json["key"]


def test_an_anonymous_caller_is_asked_to_authenticate(script, signup):
    response = script.get("/-/auth", status=401)
    assert response.headers["WWW-Authenticate"]
    assert response.headers["Cache-Control"] == "no-store"
    assert error_fields(response) == [("header", "Authorization")]
    # A password is no credential here unless backrest.auth.basic_password allows it.
    credential = base64.b64encode(f"{signup()}:{PASSWORD}".encode()).decode()
    script.get("/-/auth", headers={"Authorization": f"Basic {credential}"}, status=401)


def test_a_session_is_enough(logged_in):
    response = logged_in.get("/-/auth", status=204)
    assert response.body == b""
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("scheme", ["Token", "Basic"])
def test_an_api_key_is_enough_whatever_its_scopes(script, key, scheme):
    credential = key if scheme == "Token" else base64.b64encode(f"me:{key}".encode()).decode()
    script.get("/-/auth", headers={"Authorization": f"{scheme} {credential}"}, status=204)
    # The same key with another secret is refused, with the challenge of its scheme.
    key_id = key.split(":")[0]
    response = script.get("/-/auth", headers={"Authorization": f"Token {key_id}:{'x' * 43}"}, status=401)
    assert response.headers["WWW-Authenticate"] == 'Token realm="backrest"'


def test_it_is_counted_as_any_request(app_with):
    limited = webtest.TestApp(app_with(**{"backrest.throttle.anon": "1/day"}), extra_environ=dict(CLIENT))
    limited.get("/-/auth", status=401)
    assert limited.get("/-/auth", status=429).headers["Retry-After"]


def test_it_is_listed_and_described(script):
    assert script.get("/-/").json["services"]["auth"]["url"].endswith("/-/auth")
    operation = script.get("/-/openapi.json").json["paths"]["/-/auth"]["get"]
    assert set(operation["responses"]) >= {"204", "401", "429"}
