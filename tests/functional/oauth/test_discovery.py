"""The OAuth2 endpoints in the API root, in OPTIONS and in the OpenAPI document."""

from __future__ import annotations

import pytest

ENDPOINTS = {
    "oauth2_authorize": ("/oauth2/authorize", {"GET", "HEAD", "POST"}),
    "oauth2_token": ("/oauth2/token", {"POST"}),
    "oauth2_revoke": ("/oauth2/revoke", {"POST"}),
    "oauth2_introspect": ("/oauth2/introspect", {"POST"}),
    "oauth2_metadata": ("/.well-known/oauth-authorization-server", {"GET", "HEAD"}),
    "authorizations": ("/-/authorizations/", {"GET", "HEAD"}),
}


def test_the_api_root_lists_every_endpoint_at_its_absolute_url(browser):
    services = browser.get("/-/").json["services"]
    for name, (path, _methods) in ENDPOINTS.items():
        assert services[name]["url"] == f"http://localhost{path}"
        assert services[name]["description"]


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_options_answers_each_endpoint_with_its_methods(logged_in, name):
    """For a logged-in user, who may call each one (OPTIONS lists only what the caller may do)."""
    path, methods = ENDPOINTS[name]
    answer = logged_in.options(path, status=200)
    assert set(answer.headers["Allow"].split(", ")) == methods | {"OPTIONS"}
    assert answer.json["name"] == name
    assert set(answer.json["actions"]) <= methods


def test_the_openapi_document_describes_every_endpoint(browser):
    paths = browser.get("/-/openapi.json").json["paths"]
    for path, methods in ENDPOINTS.values():
        described = {method.upper() for method in paths[path]}
        assert methods - {"HEAD"} <= described
