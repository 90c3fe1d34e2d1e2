"""The browsable page's forms in a real headless Chromium against a real ``pserve`` process.

A person logs in from the page, creates a document (and is shown what was
wrong first), uploads a file, filters a list and calls a typed method, as
they would by hand.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.integration.test_server import running_server, signup_and_confirm

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from selenium.webdriver import Chrome

PASSWORD = "correct horse battery staple"


@contextmanager
def logged_in_page(chromium: Chrome, tmp_path, database: str) -> Iterator[tuple[object, object, Callable]]:
    """A running service with a confirmed user, logged in through the page's own login form.

    Yields the server, an API client logged in as the same user, and a wait
    that fails with the page, the browser's console and the server's log.
    """
    with running_server(tmp_path, database) as server:
        client = server.client()
        signup_and_confirm(server, client)
        origin = f"http://127.0.0.1:{server.port}"

        def wait_for(condition: Callable[[Chrome], object], what: str) -> object:
            try:
                return WebDriverWait(chromium, 10).until(condition)
            except TimeoutException:
                pytest.fail(
                    f"{what}\npage:\n{chromium.page_source}\nbrowser log:\n{chromium.get_log('browser')}\n"
                    f"server log:\n{server.log}"
                )

        chromium.get(f"{origin}/-/documents/?format=api")
        login = chromium.find_element(By.ID, "login")
        login.find_element(By.NAME, "login").send_keys("ada@example.com")
        login.find_element(By.NAME, "password").send_keys(PASSWORD)
        submit(login)
        wait_for(lambda driver: driver.find_elements(By.ID, "logout"), "the login form never logged in")
        # The same user's API client, for what the test sets up and checks.
        login = client.put("/-/login", {"login": "ada@example.com", "password": PASSWORD})
        client.csrf_token = login.json["csrf_token"]
        yield server, client, wait_for
        assert "Traceback" not in server.log


def submit(form: object) -> None:
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def text_shown(wait_for: Callable, selector: str, what: str) -> str:
    """The text of ``selector`` once it has any; ``what`` says what failed if it never does."""
    return wait_for(lambda driver: driver.find_element(By.CSS_SELECTOR, selector).text or None, what)


def test_create_shows_errors_next_to_their_fields_then_creates(chromium, tmp_path, clean_database):
    with logged_in_page(chromium, tmp_path, clean_database) as (server, client, wait_for):
        create = chromium.find_element(By.ID, "create")
        create.find_element(By.NAME, "attributes.priority").send_keys("9")
        submit(create)

        title_error = text_shown(
            wait_for, "#create--title-error", "the missing title was never shown by its field"
        )
        assert "Required" in title_error
        title = create.find_element(By.NAME, "title")
        assert title.get_attribute("aria-invalid") == "true"
        assert "create--title-error" in title.get_attribute("aria-describedby")
        assert chromium.switch_to.active_element == title
        priority = create.find_element(By.NAME, "attributes.priority")
        assert priority.get_attribute("aria-invalid") == "true"
        summary = create.find_element(By.CSS_SELECTOR, ".summary")
        assert summary.get_attribute("role") == "alert"
        assert summary.text.startswith("400 Bad Request: 2 problems.")

        title.send_keys("Made in the browser")
        priority.clear()
        priority.send_keys("2")
        tags = create.find_element(By.CSS_SELECTOR, 'fieldset[data-key="tags"]')
        tags.find_element(By.CSS_SELECTOR, "button[data-add]").click()
        tags.find_elements(By.CSS_SELECTOR, ".item input")[-1].send_keys("urgent")
        tags.find_element(By.CSS_SELECTOR, "button[data-add]").click()
        tags.find_elements(By.CSS_SELECTOR, ".item input")[-1].send_keys("later")
        create.find_element(By.CSS_SELECTOR, 'input[name="public"][type=checkbox]').click()
        submit(create)

        wait_for(
            lambda driver: "/-/documents/?" not in driver.current_url and driver.find_elements(By.ID, "edit"),
            "the new document's page never opened",
        )
        path = chromium.current_url.removeprefix(f"http://127.0.0.1:{server.port}").removesuffix(
            "?format=api"
        )
        document = client.get(path).json
        assert (document["title"], document["tags"], document["attributes"], document["public"]) == (
            "Made in the browser",
            ["urgent", "later"],
            {"priority": 2},
            True,
        )


def test_edit_sends_only_what_changed_and_lists_can_shrink(chromium, tmp_path, clean_database):
    with logged_in_page(chromium, tmp_path, clean_database) as (_server, client, wait_for):
        created = client.post(
            "/-/documents/", {"title": "Minutes", "tags": ["a", "b"], "body": "x" * 10}
        ).json
        chromium.get(created["__meta__"]["url"] + "?format=api")
        edit = chromium.find_element(By.ID, "edit")
        for remove in edit.find_elements(By.CSS_SELECTOR, 'fieldset[data-key="tags"] button[data-remove]'):
            remove.click()
        # Someone else changes the document meanwhile: the page's If-Match makes that a 412, not an overwrite.
        client.put(created["__meta__"]["url"], {"body": "changed elsewhere"})
        submit(edit)
        conflict = text_shown(wait_for, "#edit .summary", "the stale edit was never refused")
        assert conflict.startswith("412 Precondition Failed")

        chromium.refresh()
        edit = chromium.find_element(By.ID, "edit")
        for remove in edit.find_elements(By.CSS_SELECTOR, 'fieldset[data-key="tags"] button[data-remove]'):
            remove.click()
        submit(edit)
        wait_for(expected_conditions.staleness_of(edit), "the page never reloaded after the edit")
        assert not chromium.find_elements(By.CSS_SELECTOR, '#edit fieldset[data-key="tags"] .items .item')
        document = client.get(created["__meta__"]["url"]).json
        assert (document["tags"], document["body"], document["title"]) == ([], "changed elsewhere", "Minutes")


def test_upload_a_file_from_its_collection_page(chromium, tmp_path, clean_database):
    upload = tmp_path / "notes.txt"
    upload.write_bytes(b"notes from the browser\n")
    with logged_in_page(chromium, tmp_path, clean_database) as (server, _client, wait_for):
        chromium.get(f"http://127.0.0.1:{server.port}/-/files/?format=api")
        create = chromium.find_element(By.ID, "create")
        assert create.get_attribute("enctype") == "multipart/form-data"
        create.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(upload))
        create.find_element(By.NAME, "description").send_keys("Uploaded by hand")
        submit(create)
        wait_for(lambda driver: driver.find_elements(By.ID, "edit"), "the new file's page never opened")
        body = chromium.find_element(By.CSS_SELECTOR, "main > pre").text
        assert '"filename": "notes.txt"' in body
        assert '"description": "Uploaded by hand"' in body
        assert '"size": 23' in body


def test_filter_and_order_a_list(chromium, tmp_path, clean_database):
    with logged_in_page(chromium, tmp_path, clean_database) as (server, client, wait_for):
        for title, status in (("Alpha", "draft"), ("Beta", "published"), ("Gamma", "published")):
            client.post("/-/documents/", {"title": title, "status": status})
        chromium.get(f"http://127.0.0.1:{server.port}/-/documents/?format=api")
        query = chromium.find_element(By.ID, "query")
        query.find_element(By.NAME, "status").send_keys("published")
        query.find_element(By.CSS_SELECTOR, 'select[name="ordering"] option[value="-title"]').click()
        query.find_element(By.NAME, "page_size").send_keys("abc")
        submit(query)
        wait_for(lambda driver: "ordering=-title" in driver.current_url, "the query never ran")
        assert "page_size" not in chromium.current_url
        titles = [
            line
            for line in chromium.find_element(By.CSS_SELECTOR, "main > pre").text.splitlines()
            if '"title"' in line
        ]
        assert titles == ['      "title": "Gamma",', '      "title": "Beta",']

        query = chromium.find_element(By.ID, "query")
        query.find_element(By.NAME, "status__in").send_keys(",".join(map(str, range(101))))
        submit(query)
        error = text_shown(
            wait_for, "#query--status__in-error", "the refused filter was never shown by its field"
        )
        assert error == "At most 100 values."
        assert "status__in" not in chromium.current_url


def test_call_a_typed_method_from_its_page(chromium, tmp_path, clean_database):
    with logged_in_page(chromium, tmp_path, clean_database) as (server, client, wait_for):
        created = client.post("/-/documents/", {"title": "Minutes"}).json
        chromium.get(f"http://127.0.0.1:{server.port}/-/api/documents/tag?format=api")
        call = chromium.find_element(By.ID, "call")
        documents = call.find_element(By.CSS_SELECTOR, 'fieldset[data-key="documents"]')
        documents.find_element(By.CSS_SELECTOR, "button[data-add]").click()
        documents.find_element(By.CSS_SELECTOR, ".item input").send_keys(created["__meta__"]["id"])
        add = call.find_element(By.CSS_SELECTOR, 'fieldset[data-key="add"]')
        add.find_element(By.CSS_SELECTOR, "button[data-add]").click()
        add.find_element(By.CSS_SELECTOR, ".item input").send_keys("urgent")
        submit(call)
        result = text_shown(wait_for, "#call .result", "the method's result was never shown")
        assert '"urgent"' in result
        assert client.get(created["__meta__"]["url"]).json["tags"] == ["urgent"]
