"""The reference single-page app in a real headless Chromium, served by a real ``pserve``."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.integration.test_server import COOKIE, PASSWORD, running_server, signup_and_confirm

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"


def shown(chromium, server, text: str) -> None:
    try:
        caller = expected_conditions.text_to_be_present_in_element((By.ID, "who"), text)
        WebDriverWait(chromium, 10).until(caller)
    except TimeoutException:
        pytest.fail(
            f"the app never said {text!r}\npage:\n{chromium.page_source}\n"
            f"browser log:\n{chromium.get_log('browser')}\nserver log:\n{server.log}"
        )


def test_the_app_says_who_is_signed_in_under_its_policy(chromium, tmp_path, clean_database):
    app = {"backrest.frontend.enabled": "true", "backrest.frontend.directory": str(FRONTEND)}
    with running_server(tmp_path, clean_database, **app) as server:
        origin = f"http://127.0.0.1:{server.port}"
        chromium.get(f"{origin}/documents")
        shown(chromium, server, "Not signed in")

        client = server.client()
        signup_and_confirm(server, client)
        client.put("/-/login", {"login": "ada@example.com", "password": PASSWORD})
        chromium.add_cookie({"name": COOKIE, "value": client.session, "path": "/"})
        chromium.refresh()
        shown(chromium, server, "Signed in as ada@example.com")
        # The page's Content-Security-Policy refused nothing the app does.
        assert [entry for entry in chromium.get_log("browser") if entry["level"] == "SEVERE"] == []
        assert "Traceback" not in server.log
