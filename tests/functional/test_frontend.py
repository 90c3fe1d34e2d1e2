"""The reference single-page app, served at / by backrest when asked to."""

from __future__ import annotations

from pathlib import Path

import pytest
from webtest import TestApp

from backrest import main
from tests.conftest import error_fields

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"


@pytest.fixture
def served(app_with) -> TestApp:
    return TestApp(
        app_with(**{"backrest.frontend.enabled": "true", "backrest.frontend.directory": str(FRONTEND)})
    )


def test_the_app_is_not_served_unless_enabled(browser):
    browser.get("/", status=404)


def test_the_root_is_the_apps_page_with_its_policy(served):
    page = served.get("/")
    assert page.content_type == "text/html"
    assert page.body == (FRONTEND / "index.html").read_bytes()
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert page.headers["Cache-Control"] == "no-cache"


def test_a_screens_path_is_the_apps_page(served):
    page = served.get("/documents/abc")
    assert page.body == (FRONTEND / "index.html").read_bytes()


def test_the_apps_modules_are_served_as_javascript(served):
    module = served.get("/api.js")
    assert module.content_type == "text/javascript"
    assert module.body == (FRONTEND / "api.js").read_bytes()
    again = served.get("/api.js", headers={"If-Modified-Since": module.headers["Last-Modified"]})
    assert again.status_int == 304


def test_a_file_the_app_lacks_is_not_found(served):
    served.get("/missing.js", status=404)


@pytest.mark.parametrize("path", ["/%2E%2E/setup.cfg", "/../setup.cfg", "/..%2Fsetup.cfg"])
def test_nothing_outside_the_apps_directory_is_served(served, path):
    answer = served.get(path, expect_errors=True)
    assert answer.body != (FRONTEND.parent / "setup.cfg").read_bytes()


def test_the_apis_paths_stay_the_apis(served):
    missing = served.get("/-/nothing/here", status=404)
    assert error_fields(missing) == [("path", "path")]
    assert served.get("/-/login").json["authenticated"] is False


def test_the_app_only_answers_get(served):
    served.post("/documents", status=404)


def test_a_directory_without_the_apps_page_stops_the_start(settings, tmp_path):
    empty = {"backrest.frontend.enabled": "true", "backrest.frontend.directory": str(tmp_path)}
    with pytest.raises(ValueError, match=r"has no index\.html"):
        main({}, **settings, **empty)


def test_the_apps_files_are_not_counted_against_the_callers_rate(app_with):
    limited = TestApp(
        app_with(
            **{
                "backrest.frontend.enabled": "true",
                "backrest.frontend.directory": str(FRONTEND),
                "backrest.throttle.anon": "3/day",
            }
        ),
        extra_environ={"REMOTE_ADDR": "192.0.2.1"},
    )
    for _ in range(5):
        for name in ("api.js", "app.js", "app.css", "favicon.svg"):
            assert "X-RateLimit-Remaining" not in limited.get(f"/{name}").headers
    assert limited.get("/").headers["X-RateLimit-Remaining"] == "2"


def test_a_file_is_looked_up_at_each_request(app_with, tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>app</title>")
    served = TestApp(
        app_with(**{"backrest.frontend.enabled": "true", "backrest.frontend.directory": str(tmp_path)})
    )
    served.get("/later.js", status=404)
    (tmp_path / "later.js").write_text("export const later = true;")
    assert served.get("/later.js").text == "export const later = true;"
