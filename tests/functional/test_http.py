"""Section 0 of the contract for every response: ids, security headers, errors, CORS, proxies."""

from importlib.metadata import version

import pytest
from webob import Request

from tests.client import Browser
from tests.conftest import CLIENT, PASSWORD, error_fields

ORIGIN = "https://app.example"
PROXY = "192.0.2.0/24"
FORWARDED = {
    "X-Forwarded-For": "203.0.113.77",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "api.example",
    "X-Forwarded-Prefix": "/api",
}

RESPONSES = [
    pytest.param("GET", "/-/heartbeat", 200, id="200"),
    pytest.param("POST", "/-/signup", 400, id="400"),
    pytest.param("GET", "/-/userprofile", 401, id="401"),
    pytest.param("GET", "/-/nowhere", 404, id="404"),
    pytest.param("DELETE", "/-/signup", 405, id="405"),
]


def fetch(browser, method, path, status, **kwargs):
    return browser.request(path, method=method, status=status, **kwargs)


@pytest.mark.parametrize(("method", "path", "status"), RESPONSES)
def test_every_response_has_a_request_id(browser, method, path, status):
    assert fetch(browser, method, path, status).headers["X-Request-Id"]


def test_request_ids_differ_between_requests(browser):
    first = browser.get("/-/heartbeat").headers["X-Request-Id"]
    assert browser.get("/-/heartbeat").headers["X-Request-Id"] != first


def test_valid_incoming_request_id_is_echoed(browser):
    response = browser.get("/-/heartbeat", headers={"X-Request-Id": "nginx-7f3a.42:1"})
    assert response.headers["X-Request-Id"] == "nginx-7f3a.42:1"


@pytest.mark.parametrize("incoming", ["has spaces in it", "x" * 200, "<script>", ""])
def test_invalid_incoming_request_id_is_replaced(browser, incoming):
    response = browser.get("/-/heartbeat", headers={"X-Request-Id": incoming})
    assert response.headers["X-Request-Id"] not in {incoming, ""}


@pytest.mark.parametrize(("method", "path", "status"), RESPONSES)
def test_every_response_has_the_security_headers(browser, method, path, status):
    headers = fetch(browser, method, path, status).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"]
    assert headers["X-Frame-Options"] == "DENY"


def test_no_hsts_by_default(browser):
    assert "Strict-Transport-Security" not in browser.get("/-/heartbeat").headers


def test_hsts_when_configured(app_with):
    browser = Browser(app_with(**{"backrest.hsts": "true"}))
    assert browser.get("/-/heartbeat").headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("path", ["/-/nowhere", "/nowhere", "/-/sessions/a/b"])
def test_unknown_path_is_404_in_the_error_shape(browser, path):
    response = browser.get(path, status=404)
    assert response.content_type == "application/json"
    assert error_fields(response) == [("path", "path")]


def test_wrong_method_is_405_with_allow(browser):
    response = browser.delete("/-/signup", status=405)
    assert response.headers["Allow"] == "POST, OPTIONS"
    assert [location for location, _ in error_fields(response)] == ["request"]


def test_unknown_method_is_405_with_allow(app):
    # WebTest refuses to send unknown methods, so this one goes straight to the app.
    response = Request.blank("/-/login", method="FOO").get_response(app)
    assert response.status_int == 405
    assert {"GET", "PUT"} <= set(response.headers["Allow"].split(", "))
    assert response.json["status"] == "error"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        pytest.param("GET", "/-/login", 200, id="login status"),
        pytest.param("POST", "/-/reset/", 400, id="error"),
        pytest.param("GET", "/-/userprofile", 401, id="unauthenticated"),
        pytest.param("POST", "/-/confirm/resend", 400, id="token"),
    ],
)
def test_account_responses_are_never_stored(browser, method, path, status):
    assert fetch(browser, method, path, status).headers["Cache-Control"] == "no-store"


def test_logged_in_account_responses_are_never_stored(logged_in):
    assert logged_in.get("/-/userprofile").headers["Cache-Control"] == "no-store"
    assert logged_in.get("/-/sessions").headers["Cache-Control"] == "no-store"


def test_login_answer_is_never_stored(browser, signup):
    signup()
    response = browser.login("ada@example.com", PASSWORD, status=200)
    assert response.headers["Cache-Control"] == "no-store"


# CORS.


def preflight(browser, origin, path="/-/login", method="PUT", **kwargs):
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "Content-Type, X-CSRF-Token",
    }
    return browser.options(path, headers=headers, **kwargs)


@pytest.fixture
def cors(app_with):
    return Browser(app_with(**{"backrest.cors.origins": ORIGIN}))


def test_preflight_from_a_listed_origin_is_answered_with_credentials(cors):
    response = preflight(cors, ORIGIN, status=204)
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    assert "X-CSRF-Token" in response.headers["Access-Control-Allow-Headers"]


def test_request_from_a_listed_origin_may_be_read_with_credentials(cors):
    response = cors.get("/-/login", headers={"Origin": ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Origin" in response.headers["Vary"]


def test_error_for_a_listed_origin_may_be_read(cors):
    response = cors.get("/-/userprofile", headers={"Origin": ORIGIN}, status=401)
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_preflight_from_an_unlisted_origin_gets_no_cors_headers(cors):
    response = preflight(cors, "https://evil.example", expect_errors=True)
    assert not [name for name in response.headers if name.lower().startswith("access-control-")]


def test_request_from_an_unlisted_origin_gets_no_cors_headers(cors):
    response = cors.get("/-/login", headers={"Origin": "https://evil.example"})
    assert not [name for name in response.headers if name.lower().startswith("access-control-")]


def test_no_cors_headers_by_default(browser):
    response = browser.get("/-/login", headers={"Origin": ORIGIN})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_wildcard_origin_never_comes_with_credentials(app_with):
    browser = Browser(app_with(**{"backrest.cors.origins": "*"}))
    answers = (preflight(browser, ORIGIN, status=204), browser.get("/-/login", headers={"Origin": ORIGIN}))
    for response in answers:
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response.headers


def test_listed_origin_keeps_its_credentials_beside_a_wildcard(app_with):
    browser = Browser(app_with(**{"backrest.cors.origins": f"{ORIGIN} *"}))
    listed = browser.get("/-/login", headers={"Origin": ORIGIN})
    other = browser.get("/-/login", headers={"Origin": "https://other.example"})
    assert listed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert listed.headers["Access-Control-Allow-Credentials"] == "true"
    assert other.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in other.headers


# Reverse proxies.


def session_ip(browser):
    browser.login("ada@example.com", PASSWORD, status=200, headers={"X-Forwarded-For": "203.0.113.77"})
    [session] = browser.get("/-/sessions").json["results"]
    return session["ip"]


def test_forwarded_for_from_an_untrusted_client_is_ignored(browser, signup):
    signup()
    assert session_ip(browser) == "192.0.2.0"


def test_forwarded_for_from_a_trusted_proxy_gives_the_client_address(app_with, signup):
    behind_proxy = Browser(app_with(**{"backrest.trusted_proxies": PROXY}), extra_environ=dict(CLIENT))
    signup()
    assert session_ip(behind_proxy) == "203.0.113.0"


def test_forged_hop_before_a_trusted_proxy_is_ignored(app_with, signup):
    behind_proxy = Browser(app_with(**{"backrest.trusted_proxies": PROXY}), extra_environ=dict(CLIENT))
    signup()
    headers = {"X-Forwarded-For": "6.6.6.6, 203.0.113.77"}
    behind_proxy.login("ada@example.com", PASSWORD, status=200, headers=headers)
    assert [session["ip"] for session in behind_proxy.get("/-/sessions").json["results"]] == ["203.0.113.0"]


def test_forwarded_for_cannot_escape_a_rate_limit(app_with):
    throttled = Browser(app_with(**{"backrest.throttle.reset": "1/hour"}), extra_environ=dict(CLIENT))
    throttled.post_json("/-/reset/", {"email": "ada@example.com"}, headers={"X-Forwarded-For": "6.6.6.1"})
    headers = {"X-Forwarded-For": "6.6.6.2"}
    throttled.post_json("/-/reset/", {"email": "bob@example.com"}, headers=headers, status=429)


def test_forwarded_for_from_a_proxy_not_in_the_list_is_ignored(app_with, signup):
    elsewhere = Browser(app_with(**{"backrest.trusted_proxies": "10.0.0.0/8"}), extra_environ=dict(CLIENT))
    signup()
    assert session_ip(elsewhere) == "192.0.2.0"


# Discovery and operations.


def test_root_lists_the_account_services_with_absolute_urls(browser):
    services = browser.get("/-/").json["services"]
    assert services["signup"]["url"] == "http://localhost/-/signup"
    assert services["login"]["url"] == "http://localhost/-/login"
    assert services["reset"]["url"] == "http://localhost/-/reset/"
    assert all(service["description"] for service in services.values())


def test_root_urls_follow_a_trusted_proxy(app_with):
    behind_proxy = Browser(app_with(**{"backrest.trusted_proxies": PROXY}), extra_environ=dict(CLIENT))
    services = behind_proxy.get("/-/", headers=FORWARDED).json["services"]
    assert services["signup"]["url"] == "https://api.example/api/-/signup"


def test_root_urls_ignore_forwarded_headers_from_untrusted_clients(browser):
    services = browser.get("/-/", headers=FORWARDED).json["services"]
    assert services["signup"]["url"] == "http://localhost/-/signup"


def test_heartbeat_answers_ok(browser):
    response = browser.get("/-/heartbeat", status=200)
    assert response.json["status"] == "ok"
    assert response.json["checks"]["database"] == "ok"


def test_version_answers_the_installed_version(browser):
    assert browser.get("/-/version").json == {"name": "backrest", "version": version("backrest")}


def test_path_that_is_not_utf8_is_400(browser):
    response = browser.get("/-/documents/%FF", status=400)
    assert response.json["errors"][0]["location"] == "path"
