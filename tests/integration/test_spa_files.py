"""The files screens in Chromium: uploads (with progress, cancelled, dropped, refused), the list, a file."""

from __future__ import annotations

import hashlib
import os
import time
from typing import TYPE_CHECKING, Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.integration.spa import ON_POSTGRESQL, App, spa_server
from tests.integration.test_server import PASSWORD

if TYPE_CHECKING:
    from pathlib import Path

    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

    from tests.integration.test_server import Client

pytestmark = ON_POSTGRESQL

EMAIL = "ada@example.com"
MEGABYTE = 1024 * 1024


def throttle(app: App, upload_bytes_per_second: int) -> None:
    """Chromium's own network emulation: uploads go at most this fast."""
    fast = 100 * MEGABYTE
    app.driver.set_network_conditions(
        offline=False, latency=5, download_throughput=fast, upload_throughput=upload_bytes_per_second
    )


def unthrottle(app: App) -> None:
    app.driver.delete_network_conditions()


def api_client(app: App, email: str = EMAIL) -> Client:
    """A raw HTTP client logged in as ``email``: what the server holds, whatever the screens say."""
    client = app.server.client()
    reply = client.put("/-/login", {"login": email, "password": PASSWORD})
    assert reply.status == 200
    client.csrf_token = reply.json["csrf_token"]
    return client


def stored_files(app: App) -> set[Path]:
    """Every file under the server's file store (its ``backrest.files.root``, relative to its directory)."""
    root = app.server.log_path.parent / "var" / "files"
    return {path for path in root.rglob("*") if path.is_file()}


def upload_row(app: App, name: str) -> WebElement:
    """The upload area's row of the file ``name``."""

    def find() -> WebElement | None:
        rows = app.driver.find_elements(By.CSS_SELECTOR, ".uploads li")
        return next((row for row in rows if row.text.startswith(name)), None)

    return app.until(find, f"the upload row of {name}")


def progress_of(app: App, row: WebElement) -> dict[str, Any]:
    """The row's progress bar (value, maximum, label; none once failed) and texts, read at one instant."""
    return app.driver.execute_script(
        """
        const row = arguments[0];
        const bar = row.querySelector("progress");
        const text = (element) => element?.textContent ?? null;
        return {value: bar?.value ?? null, max: bar?.max ?? null,
                label: text(document.getElementById(bar?.getAttribute("aria-labelledby"))),
                percent: text(row.querySelector(".percent")), state: text(row.querySelector(".state"))};
        """,
        row,
    )


def watch_upload(app: App, name: str) -> None:
    """Follow the upload of ``name``: its bar and its percentage move on, then reach 100%.

    The screen is audited once the bar has moved three times, so that the audit's own time (seconds on a
    busy machine) cannot swallow the samples.
    """
    row = upload_row(app, name)
    seen = []
    audited = False
    deadline = time.monotonic() + 60
    while (now := progress_of(app, row))["state"] != "Uploaded":
        assert time.monotonic() < deadline, now
        assert (now["max"], now["label"]) == (1, name)
        if 0 < now["value"] < 1:
            seen.append(now["value"])
            assert now["percent"] == f"{int(now['value'] * 100)}%"
            if len(set(seen)) == 3 and not audited:
                app.audit("files-uploading")
                audited = True
        time.sleep(0.05)
    assert len(set(seen)) >= 3, seen
    assert seen == sorted(seen)
    assert (now["value"], now["percent"]) == (1, "100%")


def test_an_upload_shows_its_progress(spa: App, tmp_path: Path) -> None:
    spa.sign_up_and_log_in(EMAIL)
    spa.follow("Files")
    spa.heading("Files")
    spa.sees("No files yet")
    spa.audit("files-empty")

    data = os.urandom(6 * MEGABYTE)
    big = tmp_path / "six megabytes.bin"
    big.write_bytes(data)
    throttle(spa, MEGABYTE)
    spa.fill("Description", "Noise, for the progress bar")
    spa.control("Choose files").send_keys(str(big))
    watch_upload(spa, big.name)
    spa.status(f"Uploaded {big.name}.")
    unthrottle(spa)

    # The list shows it; the server holds exactly the bytes sent.
    spa.until(lambda: spa.driver.find_elements(By.LINK_TEXT, big.name), "the file in the list")
    for text in ("1 file.", "6.0 MB", "application/octet-stream"):
        spa.sees(text)
    [stored] = api_client(spa).get("/-/files/").json["results"]
    assert stored["size"] == len(data)
    assert stored["sha256"] == hashlib.sha256(data).hexdigest()
    assert stored["description"] == "Noise, for the progress bar"
    spa.audit("files-uploaded")
    cancel_an_upload(spa, tmp_path, big.name)
    spa.no_errors_logged()


def cancel_an_upload(app: App, directory: Path, kept_name: str) -> None:
    """Cancel an upload halfway: the row says so, and neither the list nor the server keep anything of it."""
    kept = stored_files(app)
    assert kept, "the first upload's blob"
    cancelled = directory / "cancelled.bin"
    cancelled.write_bytes(os.urandom(6 * MEGABYTE))
    throttle(app, MEGABYTE)
    app.control("Choose files").send_keys(str(cancelled))
    row = upload_row(app, cancelled.name)
    app.until(lambda: progress_of(app, row)["value"] > 0.1, "some progress")
    assert progress_of(app, row)["value"] < 0.9
    app.press("Cancel", within=row)
    app.until(lambda: progress_of(app, row)["state"] == "Cancelled.", "the upload cancelled")
    gone = {"value": None, "max": None, "label": None, "percent": None}
    assert progress_of(app, row) == {**gone, "state": "Cancelled."}
    assert app.focused() == app.button("Dismiss", within=row)
    unthrottle(app)
    time.sleep(1)
    uploads = [line["status"] for line in app.server.request_lines() if line["path"] == "/-/files/"]
    assert uploads.count("201") == 1, uploads
    assert [f["filename"] for f in api_client(app).get("/-/files/").json["results"]] == [kept_name]
    assert stored_files(app) == kept
    app.press("Dismiss", within=row)
    assert len(app.driver.find_elements(By.CSS_SELECTOR, ".uploads li")) == 1
    assert app.focused() == app.control("Choose files")
    app.open("/files")
    app.heading("Files")
    app.sees("1 file.")
    assert not app.driver.find_elements(By.LINK_TEXT, cancelled.name)


DROP_FILES = """
const done = arguments[arguments.length - 1];
const canvas = document.createElement("canvas");
canvas.width = 3;
canvas.height = 2;
const context = canvas.getContext("2d");
context.fillStyle = "#c00";
context.fillRect(0, 0, 3, 2);
canvas.toBlob((png) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([png], "red dot.png", {type: "image/png"}));
  const svg = '<svg xmlns="http://www.w3.org/2000/svg"/>';
  transfer.items.add(new File([svg], "drawing.svg", {type: "image/svg+xml"}));
  transfer.items.add(new File(["plain words"], "notes.txt", {type: "text/plain"}));
  window.droppedFiles = transfer;
  done();
}, "image/png");
"""
"""Three files as a person's desktop would drag them, built in the page: a PNG, an SVG and a text."""

DRAG = """
const [type] = arguments;
const event = new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: window.droppedFiles});
document.querySelector(".dropzone").dispatchEvent(event);
return event.defaultPrevented;
"""


def drag(app: App, event: str) -> str:
    """Fire ``event`` with the files of ``DROP_FILES`` at the drop zone; answer the zone's classes then."""
    assert app.driver.execute_script(DRAG, event) is True
    return app.driver.find_element(By.CSS_SELECTOR, ".dropzone").get_attribute("class")


def uploaded(app: App, *names: str) -> None:
    """Wait until the upload of each of ``names`` succeeded."""
    for name in names:
        row = upload_row(app, name)
        app.until(lambda row=row: progress_of(app, row)["state"] == "Uploaded", f"{name} uploaded")


def listed(app: App) -> list[str]:
    """The names in the list's table, in order."""
    return [cell.text for cell in app.driver.find_elements(By.CSS_SELECTOR, "table tbody td:first-child")]


def drop_files(app: App) -> None:
    """Drop three files: the zone is highlighted while they are over it, then each is uploaded."""
    app.driver.execute_async_script(DROP_FILES)
    assert "over" in drag(app, "dragenter").split()
    assert "over" in drag(app, "dragover").split()
    assert "over" not in drag(app, "drop").split()
    uploaded(app, "red dot.png", "drawing.svg", "notes.txt")
    app.until(lambda: len(listed(app)) == 3, "three files in the list")
    assert {f["filename"]: f["content_type"] for f in api_client(app).get("/-/files/").json["results"]} == {
        "red dot.png": "image/png",
        "drawing.svg": "image/svg+xml",
        "notes.txt": "text/plain",
    }


def page_search_and_order(app: App, directory: Path) -> None:
    """Many files chosen at once; the list pages, searches and orders from its URL."""
    notes = {f"note {number:02}.txt": f"note number {number}".encode() for number in range(1, 21)}
    choose(app, directory, notes)
    uploaded(app, *notes)
    app.press("Clear finished uploads")
    assert app.driver.find_elements(By.CSS_SELECTOR, ".uploads li") == []
    assert app.focused() == app.control("Choose files")
    app.sees("23 files.")
    app.sees("Page 1 of 2")
    assert len(listed(app)) == 20
    app.audit("files-list")
    app.follow("Next page")
    app.sees("Page 2 of 2")
    assert app.driver.current_url.endswith("/files?page=2")
    app.driver.refresh()
    app.heading("Files")
    app.sees("Page 2 of 2")
    assert len(listed(app)) == 3
    assert app.driver.find_elements(By.LINK_TEXT, "Previous page")
    assert not app.driver.find_elements(By.LINK_TEXT, "Next page")

    app.fill("Search", "notes")
    app.press("Search")
    app.sees("1 file matches “notes”.")
    assert app.driver.current_url.endswith("/files?search=notes")
    assert listed(app) == ["notes.txt"]
    app.driver.back()
    app.sees("Page 2 of 2")
    app.driver.forward()
    app.sees("1 file matches “notes”.")
    app.follow("Clear search")
    app.sees("23 files.")
    Select(app.control("Order")).select_by_visible_text("Name")
    app.press("Search")
    app.until(lambda: listed(app)[:3] == ["drawing.svg", "note 01.txt", "note 02.txt"], "the list by name")
    assert app.driver.current_url.endswith("/files?ordering=filename")
    app.follow("Next page")
    app.sees("Page 2 of 2")
    assert app.driver.current_url.endswith("/files?ordering=filename&page=2")
    assert listed(app) == ["note 20.txt", "notes.txt", "red dot.png"]


def preview_of(app: App) -> WebElement:
    """The file's preview, once it is shown."""
    found = lambda: app.driver.find_elements(By.CLASS_NAME, "preview")  # noqa: E731
    return app.until(lambda: next(iter(found()), None), "the preview")


def image_screen(app: App, image: dict[str, Any]) -> None:
    """An image: its facts, its download link and its preview, from a blob: URL the page's policy allows."""
    app.follow("red dot.png")
    app.heading("red dot.png")
    for fact in ("image/png", image["sha256"], "You", "Only those it is shared with"):
        app.sees(fact)
    download = app.link("Download")
    assert download.get_attribute("href") == image["download"]
    assert download.get_attribute("download") == "red dot.png"
    preview = preview_of(app)
    assert preview.get_attribute("alt") == "Preview of red dot.png"
    assert preview.get_attribute("src").startswith("blob:")
    natural_width = "return arguments[0].naturalWidth"
    app.until(lambda: app.driver.execute_script(natural_width, preview) == 3, "the image")
    app.audit("file-image")


def edit(app: App, client: Client, path: str) -> None:
    """Its fields, saved with If-Match: a change made meanwhile is not overwritten unasked."""
    app.fill("Description", "A red dot")
    app.fill("Name", "red.png")
    app.control("Public: anybody may see and download it").click()
    app.press("Save")
    app.status("Saved.")
    app.heading("red.png")
    app.sees("A red dot")
    app.sees("Everybody")
    saved = client.get(path).json
    assert (saved["filename"], saved["description"], saved["public"]) == ("red.png", "A red dot", True)
    assert client.put(path, {"description": "Changed elsewhere"}).status == 200
    app.fill("Description", "Mine")
    app.press("Save")
    assert "This file changed meanwhile" in app.dialog().text
    app.press("Show the new version", within=app.dialog())
    app.heading("red.png")
    shown = lambda: app.control("Description").get_property("value")  # noqa: E731
    app.until(lambda: shown() == "Changed elsewhere", "the new version")
    assert client.get(path).json["description"] == "Changed elsewhere"


def leave_the_preview(app: App) -> None:
    """Leaving the screen revokes the preview's object URL."""
    url = preview_of(app).get_attribute("src")
    app.driver.execute_script(
        "window.revoked = []; const revoke = URL.revokeObjectURL;"
        "URL.revokeObjectURL = (url) => { window.revoked.push(url); revoke.call(URL, url); };"
    )
    app.follow("All files")
    app.heading("Files")
    app.until(lambda: app.driver.execute_script("return window.revoked") == [url], "the object URL revoked")


def test_dropped_files_the_list_and_each_file(spa: App, tmp_path: Path) -> None:
    spa.sign_up_and_log_in(EMAIL)
    spa.open("/files")
    spa.heading("Files")
    drop_files(spa)
    page_search_and_order(spa, tmp_path)
    client = api_client(spa)
    [image] = client.get("/-/files/?filename=red%20dot.png").json["results"]
    path = f"/-/files/{image['__meta__']['id']}"
    image_screen(spa, image)
    edit(spa, client, path)
    leave_the_preview(spa)

    # Neither an SVG nor a text file is previewed.
    for name in ("drawing.svg", "notes.txt"):
        [other] = client.get(f"/-/files/?filename={name}").json["results"]
        spa.open(f"/files/{other['__meta__']['id']}")
        spa.heading(name)
        spa.sees("No preview: only PNG, JPEG, GIF and WebP images are shown here.")
        assert spa.driver.find_elements(By.TAG_NAME, "img") == []
        assert spa.link("Download").get_attribute("href") == other["download"]

    # Deleting asks first.
    spa.open(f"/files/{image['__meta__']['id']}")
    spa.heading("red.png")
    spa.press("Delete")
    assert "Delete red.png?" in spa.dialog().text
    spa.audit("file-delete")
    spa.press("Delete", within=spa.dialog())
    spa.heading("Files")
    spa.status("Deleted red.png.")
    spa.sees("22 files.")
    assert client.get(path).status == 404
    spa.no_errors_logged()


def choose(app: App, directory: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` (name: data) to ``directory``, and choose them all at once in the upload area."""
    for name, data in files.items():
        (directory / name).write_bytes(data)
    app.control("Choose files").send_keys("\n".join(str(directory / name) for name in files))


def refused(app: App, name: str, said: str) -> None:
    """Wait until the row of ``name`` says why the upload was refused, as an error."""
    row = upload_row(app, name)
    app.until(lambda: progress_of(app, row)["state"] == said, f"why {name} was refused")
    assert "field-error" in row.find_element(By.CLASS_NAME, "state").get_attribute("class").split()


def test_refused_uploads_say_why_on_their_row(chromium: WebDriver, tmp_path: Path, clean_database: str):
    limits = {
        "backrest.files.max_size": "3000",
        "backrest.files.quota": "5000",
        "backrest.files.content_types": "text/plain",
    }
    with spa_server(tmp_path, clean_database, **limits) as server:
        app = App(chromium, server)
        app.sign_up_and_log_in(EMAIL)
        app.open("/files")
        app.heading("Files")
        choose(app, tmp_path, {"too large.txt": b"b" * 3001, "picture.png": b"\x89PNG\r\n\x1a\n"})
        refused(app, "too large.txt", "The file is larger than 3000 bytes.")
        refused(app, "picture.png", "Files of type image/png are not accepted here; accepted: text/plain.")
        choose(app, tmp_path, {"first.txt": b"a" * 2500})
        uploaded(app, "first.txt")
        choose(app, tmp_path, {"over quota.txt": b"c" * 2600})
        said = "This file would take your storage past its quota of 5000 bytes (2500 bytes already used)."
        refused(app, "over quota.txt", said)
        app.audit("files-refused")
        assert [f["filename"] for f in api_client(app).get("/-/files/").json["results"]] == ["first.txt"]
        app.no_errors_logged()
