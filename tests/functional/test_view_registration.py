"""The views each service gets, and the records Pyramid keeps of them only when asked to."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest


def views_by_route(app: Any) -> dict[str, Counter[str]]:
    """For each route, how many views answer each method (``*`` for a view of any method)."""
    found: dict[str, Counter[str]] = {}
    for record in app.registry.introspector.get_category("views"):
        view = record["introspectable"]
        if view["route_name"] is not None:
            methods = view["request_methods"] or "*"
            found.setdefault(view["route_name"], Counter()).update(
                [methods] if isinstance(methods, str) else methods
            )
    return found


@pytest.fixture
def introspected(app_with):
    return app_with(**{"backrest.introspection": "true"})


def test_pyramid_keeps_no_records_by_default(app):
    assert app.registry.introspector.categories() == []


def test_each_method_has_one_view_and_each_route_one_for_the_others(introspected):
    services = {service.name: service for service in introspected.registry["backrest.services"]}
    found = views_by_route(introspected)
    assert set(services) <= set(found)
    for name, service in services.items():
        expected = Counter(method for method in service.defined_methods if method not in {"HEAD", "OPTIONS"})
        expected["*"] = 1
        assert found[name] == expected, name


def test_head_is_answered_by_the_get_view(browser):
    got = browser.get("/-/login")
    head = browser.head("/-/login")
    assert head.status_int == 200
    assert head.body == b""
    assert head.headers["Content-Type"] == got.headers["Content-Type"]


def test_options_and_a_method_the_service_lacks_share_one_view(browser):
    options = browser.options("/-/signup")
    assert options.json["name"] == "signup"
    assert options.headers["Allow"] == "POST, OPTIONS"
    refused = browser.put_json("/-/signup", {}, status=405)
    assert refused.headers["Allow"] == "POST, OPTIONS"
