"""The documents' screens of the reference app: list, create, edit, conflicts, refresh, delete and sharing."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from tests.integration.spa import ON_POSTGRESQL, App
from tests.integration.test_server import PASSWORD

if TYPE_CHECKING:
    from tests.integration.test_server import Client

pytestmark = ON_POSTGRESQL

EMAIL = "ada@example.com"


def api_client(spa: App, email: str = EMAIL) -> Client:
    """A script's HTTP client, in a session of its own for the account ``email``."""
    client = spa.server.client()
    assert client.put("/-/login", {"login": email, "password": PASSWORD}).status == 200
    client.csrf_token = client.get("/-/login").json["csrf_token"]
    return client


def choose(spa: App, label: str, text: str) -> None:
    Select(spa.control(label)).select_by_visible_text(text)


def chosen(spa: App, label: str) -> str:
    return Select(spa.control(label)).first_selected_option.text


def value(spa: App, label: str) -> str:
    return spa.control(label).get_attribute("value")


def titles(spa: App) -> list[str]:
    """The titles in the list's table, top to bottom."""
    return [link.text for link in spa.driver.find_elements(By.CSS_SELECTOR, "main tbody td:first-child a")]


def document_id(spa: App) -> str:
    return urlsplit(spa.driver.current_url).path.rsplit("/", 1)[1]


def create_with_an_error(spa: App) -> str:
    """A document made through the form, after an error on a nested field; answers its API path."""
    spa.follow("New document")
    spa.heading("New document")
    spa.audit("document-new")
    spa.fill("Title", "Engine notes")
    spa.fill("Body", "It weaves algebraic patterns.")
    choose(spa, "Status", "Published")
    spa.fill("Tags", "engine, notes")
    spa.fill("Language", "en")
    spa.fill("Priority", "9")
    spa.press("Create")
    assert "9 is greater than maximum value 5" in spa.field_error("Priority")
    assert spa.focused() == spa.control("Priority")
    spa.audit("document-new-error")
    spa.fill("Priority", "3")
    spa.press("Create")
    spa.heading("Engine notes")
    spa.status("Document created.")
    spa.sees("Owner: you.")
    spa.sees("(version 1)")
    spa.audit("document")
    return f"/-/documents/{document_id(spa)}"


def edit_and_refresh(spa: App, api: Client, url: str) -> None:
    """An error on one item of a list (``tags.1``) shows on the list's control; then a save, and refreshes."""
    assert value(spa, "Tags") == "engine, notes"
    assert value(spa, "Priority") == "3"
    spa.fill("Title", "Engine notes, revised")
    spa.fill("Tags", "engine, " + "x" * 51)
    spa.press("Save")
    assert "Longer than maximum length 50" in spa.field_error("Tags")
    assert spa.focused() == spa.control("Tags")
    spa.fill("Tags", "engine, loom")
    # An attribute emptied in the form is removed.
    spa.control("Priority").clear()
    spa.press("Save")
    spa.status("Saved.")
    spa.heading("Engine notes, revised")
    spa.sees("(version 2)")
    assert spa.control("Tags").get_attribute("aria-invalid") is None
    stored = api.get(url).json
    assert (stored["tags"], stored["attributes"]) == (["engine", "loom"], {"language": "en"})
    assert value(spa, "Priority") == ""

    spa.press("Refresh")
    spa.status("No changes since the last load.")
    assert value(spa, "Title") == "Engine notes, revised"
    assert api.put(url, {"title": "Engine notes, third"}).status == 200
    spa.press("Refresh")
    spa.status("This document changed since the last load")
    spa.heading("Engine notes, third")
    assert value(spa, "Title") == "Engine notes, third"
    spa.sees("(version 3)")


def pages(spa: App, api: Client) -> None:
    """22 more documents: two pages, with Next and Previous."""
    for number in range(1, 23):
        status = "draft" if number % 2 else "archived"
        assert api.post("/-/documents/", {"title": f"Note {number:02}", "status": status}).status == 201
    spa.follow("Documents")
    spa.heading("Documents")
    spa.sees("23 documents")
    spa.sees("Page 1 of 2")
    assert titles(spa)[:2] == ["Note 22", "Note 21"]
    assert len(titles(spa)) == 20
    spa.audit("documents")
    spa.follow("Next page")
    spa.sees("Page 2 of 2")
    assert titles(spa) == ["Note 02", "Note 01", "Engine notes, third"]
    assert parse_qs(urlsplit(spa.driver.current_url).query) == {"page": ["2"]}
    spa.follow("Previous page")
    spa.sees("Page 1 of 2")
    assert len(titles(spa)) == 20


def search_filter_order_and_refresh(spa: App, api: Client) -> None:
    """The view's controls go into the address, and come back from it after a reload."""
    spa.fill("Search", "Note 1")
    choose(spa, "Status", "Draft")
    choose(spa, "Order", "Title, Z to A")
    spa.press("Apply")
    spa.sees("5 documents")
    assert titles(spa) == ["Note 19", "Note 17", "Note 15", "Note 13", "Note 11"]
    assert parse_qs(urlsplit(spa.driver.current_url).query) == {
        "search": ["Note 1"],
        "status": ["draft"],
        "ordering": ["-title"],
        "page": ["1"],
    }
    spa.driver.refresh()
    spa.heading("Documents")
    spa.sees("5 documents")
    assert "Page 1" not in spa.driver.find_element(By.TAG_NAME, "main").text
    assert titles(spa) == ["Note 19", "Note 17", "Note 15", "Note 13", "Note 11"]
    assert value(spa, "Search") == "Note 1"
    assert chosen(spa, "Status") == "Draft"
    assert chosen(spa, "Order") == "Title, Z to A"

    spa.press("Refresh")
    spa.status("No changes since the last load.")
    assert api.post("/-/documents/", {"title": "Note 1x", "status": "draft"}).status == 201
    spa.press("Refresh")
    spa.status("The list was updated.")
    assert titles(spa)[:2] == ["Note 1x", "Note 19"]
    spa.sees("6 documents")

    # The browser's Back and Forward go through the views.
    spa.driver.back()
    spa.sees("24 documents")
    assert value(spa, "Search") == ""
    spa.driver.forward()
    spa.sees("6 documents")


def delete_after_confirming(spa: App, api: Client, title: str) -> None:
    spa.follow(title)
    spa.heading(title)
    url = f"/-/documents/{document_id(spa)}"
    spa.press("Delete")
    dialog = spa.dialog()
    assert f"Delete “{title}”?" in dialog.text
    spa.press("Cancel", within=dialog)
    spa.heading(title)
    assert api.get(url).status == 200
    spa.press("Delete")
    spa.press("Delete", within=spa.dialog())
    spa.heading("Documents")
    spa.status(f"Deleted “{title}”.")
    assert api.get(url).status == 404


def test_documents_create_edit_list_refresh_and_delete(spa):
    spa.sign_up_and_log_in(EMAIL)
    spa.open("/documents")
    spa.heading("Documents")
    spa.sees("No documents yet.")
    url = create_with_an_error(spa)
    api = api_client(spa)
    stored = api.get(url).json
    assert (stored["title"], stored["body"], stored["status"], stored["tags"], stored["attributes"]) == (
        "Engine notes",
        "It weaves algebraic patterns.",
        "published",
        ["engine", "notes"],
        {"language": "en", "priority": 3},
    )
    edit_and_refresh(spa, api, url)
    pages(spa, api)
    search_filter_order_and_refresh(spa, api)
    delete_after_confirming(spa, api, "Note 1x")
    spa.sees("23 documents")
    spa.open("/documents?ordering=body")
    spa.heading("Documents")
    spa.alert("Cannot order by 'body'.")
    spa.sees("This view cannot be shown.")
    assert chosen(spa, "Order") == "body"
    spa.no_errors_logged()


def test_documents_conflict_between_two_windows(spa, another_chromium):
    spa.sign_up_and_log_in(EMAIL)
    api = api_client(spa)
    made = api.post("/-/documents/", {"title": "Plan", "body": "First draft."}).json
    url = made["__meta__"]["url"]
    other = App(another_chromium, spa.server)
    other.open("/login")
    other.log_in(EMAIL)
    for app in (spa, other):
        app.open(f"/documents/{made['__meta__']['id']}")
        app.heading("Plan")

    other.fill("Body", "Their words.")
    other.press("Save")
    other.status("Saved.")
    spa.fill("Body", "My words.")
    spa.press("Save")
    dialog = spa.dialog()
    assert "saved elsewhere since you opened it" in dialog.text
    spa.audit("document-conflict")

    # Cancel: nothing is saved, the form keeps what was typed.
    spa.press("Cancel", within=dialog)
    spa.status("Not saved: the form keeps your changes.")
    assert value(spa, "Body") == "My words."
    assert api.get(url).json["body"] == "Their words."

    # Reload: the other version is shown.
    spa.press("Save")
    spa.press("Reload their version", within=spa.dialog())
    spa.status("The form now shows the version saved elsewhere")
    assert value(spa, "Body") == "Their words."
    spa.sees("(version 2)")

    # Overwrite: mine wins, whatever was saved meanwhile.
    spa.fill("Body", "My words, again.")
    other.fill("Body", "Their words, again.")
    other.press("Save")
    other.sees("(version 3)")
    spa.press("Save")
    spa.press("Overwrite with mine", within=spa.dialog())
    spa.status("Saved: your version replaced the one saved elsewhere.")
    spa.sees("(version 4)")
    stored = api.get(url).json
    assert (stored["body"], stored["__meta__"]["version"]) == ("My words, again.", 4)
    other.press("Refresh")
    other.status("This document changed since the last load")
    assert value(other, "Body") == "My words, again."
    spa.no_errors_logged()
    other.no_errors_logged()


def reads_only(bob: App, path: str) -> None:
    """Someone else may read the public document, not change or share it."""
    bob.sign_up_and_log_in("bob@example.com")
    bob.open(path)
    bob.heading("Plan")
    bob.sees("You may read this document, not change it.")
    bob.sees("Owner: another account.")
    assert not bob.control("Body").is_enabled()
    assert "Sharing" not in bob.driver.find_element(By.TAG_NAME, "main").text
    buttons = [button.text for button in bob.driver.find_elements(By.CSS_SELECTOR, "main button")]
    assert buttons == ["Refresh"]
    bob.audit("document-read-only")


def test_documents_sharing(spa, another_chromium):
    spa.sign_up_and_log_in(EMAIL)
    api = api_client(spa)
    crew = api.post("/-/teams/", {"name": "Crew"})
    assert crew.status == 201
    crew_id = crew.json["__meta__"]["id"]
    made = api.post("/-/documents/", {"title": "Plan"}).json
    url = made["__meta__"]["url"]
    path = f"/documents/{made['__meta__']['id']}"
    spa.open(path)
    spa.heading("Plan")
    spa.sees("Not shared with any team.")
    assert not spa.control("Public").is_selected()

    spa.control("Public").click()
    spa.status("This document is public: anybody may read it.")
    assert spa.control("Public").is_selected()
    assert spa.server.client().get(url).status == 200

    assert chosen(spa, "Team") == "Crew"
    spa.press("Share")
    spa.status("Shared with Crew: its members may read this document.")
    spa.sees("It is shared with every team you are in.")
    row = spa.driver.find_element(By.XPATH, "//table[caption='Shared with']//tbody/tr")
    assert row.text.startswith("Crew")
    assert [share["team_id"] for share in api.get(f"{url}/shares/").json["results"]] == [crew_id]
    spa.audit("document-sharing")

    # Each change of sharing made a new version, which the page follows: saving is no conflict.
    spa.fill("Body", "Who does what.")
    spa.press("Save")
    spa.status("Saved.")
    assert api.get(url).json["body"] == "Who does what."

    bob = App(another_chromium, spa.server)
    reads_only(bob, path)

    spa.press("Stop sharing", within=row)
    spa.status("No longer shared with Crew.")
    assert spa.focused().text == "Teams"
    spa.sees("Not shared with any team.")
    assert api.get(f"{url}/shares/").json["results"] == []
    spa.control("Public").click()
    spa.status("This document is no longer public.")
    assert spa.server.client().get(url).status == 404
    bob.press("Refresh")
    bob.alert("There is nothing at this URL.")
    bob.driver.refresh()
    bob.heading("Not found")
    spa.no_errors_logged()
    bob.no_errors_logged()
