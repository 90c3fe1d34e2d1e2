"""The browsable page in a real headless Chromium: open an item, submit its form, see the change.

Debian's ``chromium`` and ``chromium-driver`` drive it through Selenium; the
service is a real ``pserve`` process.
"""

from __future__ import annotations

import pytest
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.integration.test_server import COOKIE, running_server, signup_and_confirm

PASSWORD = "correct horse battery staple"


def test_a_browser_edits_a_document_through_its_page(chromium, tmp_path, clean_database):
    with running_server(tmp_path, clean_database) as server:
        client = server.client()
        signup_and_confirm(server, client)
        login = client.put("/-/login", {"login": "ada@example.com", "password": PASSWORD})
        client.csrf_token = login.json["csrf_token"]
        created = client.post("/-/documents/", {"title": "Draft title", "tags": ["a"]})
        url = created.json["__meta__"]["url"]
        path = url.removeprefix(f"http://127.0.0.1:{server.port}")

        origin = f"http://127.0.0.1:{server.port}"
        chromium.get(f"{origin}/-/version?format=api")
        chromium.add_cookie({"name": COOKIE, "value": client.session, "path": "/"})
        chromium.get(f"{url}?format=api")
        form = chromium.find_element(By.ID, "edit")
        title = form.find_element(By.NAME, "title")
        title.clear()
        title.send_keys("Title set in the browser")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        try:
            # The submit replaces the page: reading the old body while it goes
            # may fail ("does not belong to the document"); it is read again.
            WebDriverWait(chromium, 10, ignored_exceptions=(WebDriverException,)).until(
                expected_conditions.text_to_be_present_in_element(
                    (By.TAG_NAME, "body"), "Title set in the browser"
                )
            )
        except TimeoutException:
            pytest.fail(
                "the page never showed the new title\n"
                f"page:\n{chromium.page_source}\nbrowser log:\n{chromium.get_log('browser')}\n"
                f"server log:\n{server.log}"
            )

        document = client.get(path).json
        assert document["title"] == "Title set in the browser"
        assert document["tags"] == ["a"]
        assert document["__meta__"]["version"] == created.json["__meta__"]["version"] + 1
        assert "Traceback" not in server.log
