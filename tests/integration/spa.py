"""Driving the reference single-page app in headless Chromium, as a person would.

``spa_server`` starts ``pserve`` with the app on and the mails' links
pointing at it; ``App`` finds controls by their labels and buttons by their
text (what a person sees), checks each screen with axe-core and keeps a
screenshot of it under the run's artefacts.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.integration.test_server import PASSWORD, running_server
from tests.mailbox import parse
from tests.servers import free_port, missing, nginx_server

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

    from tests.integration.test_server import Server
    from tests.mailbox import Mail

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
AXE = ROOT / "tests" / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = Path(os.environ.get("BACKREST_TEST_ARTEFACTS", ROOT / "var" / "test-artefacts")) / "frontend"
WAIT = 10
"""Seconds a screen may take to show what is expected of it."""
BLOCKING = {"serious", "critical"}


@contextlib.contextmanager
def spa_server(directory: Path, database_url: str, **settings: str) -> Iterator[Server]:
    """``pserve`` serving the app, its mails linking to the app on the same origin."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    app = {
        "backrest.frontend.enabled": "true",
        "backrest.frontend.directory": str(FRONTEND),
        "backrest.urls.frontend": origin,
        "backrest.cors.origins": origin,
        **settings,
    }
    with running_server(directory, database_url, port=port, **app) as server:
        yield server


API_ROOT = '<meta name="backrest-api-root" content="">'


@contextlib.contextmanager
def spa_elsewhere(directory: Path, database_url: str, **settings: str) -> Iterator[tuple[Server, str]]:
    """The app served by nginx from another origin of the same site (another port), the API by ``pserve``.

    The app's page names the API's origin (``backrest-api-root``), its policy
    lets it connect there, and the API lists the app's origin for CORS: the
    setup of docs/frontend.rst. Answers the server and the app's origin.
    """
    api_port, app_port = free_port(), free_port()
    api, app = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{app_port}"
    root = directory / "frontend-elsewhere"
    shutil.copytree(FRONTEND, root)
    index = root / "index.html"
    page = index.read_text()
    assert API_ROOT in page
    index.write_text(page.replace(API_ROOT, API_ROOT.replace('content=""', f'content="{api}"')))
    policy = (
        f"default-src 'self'; connect-src 'self' {api}; img-src 'self' blob:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    site = (
        f"server {{\n    listen 127.0.0.1:{app_port};\n    root {root};\n"
        f"    location / {{\n        try_files $uri /index.html;\n"
        f'        add_header Content-Security-Policy "{policy}" always;\n    }}\n}}'
    )
    elsewhere = {"backrest.urls.frontend": app, "backrest.cors.origins": app, **settings}
    with (
        nginx_server(site, app_port),
        running_server(directory, database_url, port=api_port, **elsewhere) as server,
    ):
        yield server, app


def xpath_text(text: str) -> str:
    """``text`` as an XPath string literal, whatever quotes it holds."""
    if "'" not in text:
        return f"'{text}'"
    parts = text.split("'")
    return "concat(" + ', "\'", '.join(f"'{part}'" for part in parts) + ")"


class App:
    """The app in one browser (or one context of it), on one server."""

    def __init__(self, driver: WebDriver, server: Server, origin: str | None = None) -> None:
        self.driver = driver
        self.server = server
        self.origin = origin or f"http://127.0.0.1:{server.port}"

    def fail(self, what: str) -> None:
        pytest.fail(
            f"{what}\nurl: {self.driver.current_url}\n"
            f"page:\n{self.driver.find_element(By.TAG_NAME, 'body').text}\n"
            f"browser log:\n{self.driver.get_log('browser')}\nserver log (end):\n{self.server.log[-4000:]}"
        )

    def until(self, condition: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
        """Wait until ``condition()`` is truthy and answer it; fail with the page and the logs otherwise."""
        try:
            return WebDriverWait(
                self.driver, timeout, ignored_exceptions=(StaleElementReferenceException,)
            ).until(lambda _: condition())
        except TimeoutException:
            self.fail(f"waited {timeout} s for {what}")

    def open(self, path: str) -> None:
        self.driver.get(self.origin + path)

    # What the screen says.

    def heading(self, text: str) -> None:
        """Wait for the screen whose ``<h1>`` is ``text``."""
        self.until(
            lambda: any(e.text == text for e in self.driver.find_elements(By.TAG_NAME, "h1")),
            f"the heading {text!r}",
        )

    def sees(self, text: str, timeout: float = WAIT) -> None:
        """Wait until ``text`` shows anywhere in the page."""
        self.until(
            lambda: text in self.driver.find_element(By.TAG_NAME, "body").text, f"the text {text!r}", timeout
        )

    def status(self, text: str) -> None:
        """Wait until the polite live region says ``text``."""
        self.until(lambda: text in self.driver.find_element(By.ID, "status").text, f"the status {text!r}")

    def alert(self, text: str) -> None:
        """Wait until the assertive live region says ``text``."""
        self.until(lambda: text in self.driver.find_element(By.ID, "alert").text, f"the alert {text!r}")

    # Controls, found as a person finds them.

    def control(self, label: str, within: WebElement | None = None) -> WebElement:
        """The control of the visible ``<label>`` whose text is ``label``."""
        scope = within or self.driver

        def find() -> WebElement | None:
            for element in scope.find_elements(By.XPATH, f".//label[normalize-space()={xpath_text(label)}]"):
                if element.is_displayed():
                    return self.driver.find_element(By.ID, element.get_attribute("for"))
            return None

        return self.until(find, f"a control labelled {label!r}")

    def fill(self, label: str, value: str, within: WebElement | None = None) -> None:
        control = self.control(label, within)
        control.clear()
        control.send_keys(value)

    def button(self, text: str, within: WebElement | None = None) -> WebElement:
        scope = within or self.driver

        def find() -> WebElement | None:
            for element in scope.find_elements(By.XPATH, f".//button[normalize-space()={xpath_text(text)}]"):
                if element.is_displayed() and element.is_enabled():
                    return element
            return None

        return self.until(find, f"an enabled button {text!r}")

    def press(self, text: str, within: WebElement | None = None) -> None:
        self.button(text, within).click()

    def link(self, text: str) -> WebElement:
        return self.until(
            lambda: next(
                (e for e in self.driver.find_elements(By.LINK_TEXT, text) if e.is_displayed()),
                None,
            ),
            f"a link {text!r}",
        )

    def follow(self, text: str) -> None:
        self.link(text).click()

    def dialog(self) -> WebElement:
        """The open modal dialog."""
        return self.until(
            lambda: next(iter(self.driver.find_elements(By.CSS_SELECTOR, "dialog[open]")), None),
            "an open dialog",
        )

    def field_error(self, label: str) -> str:
        """The error message shown for the control labelled ``label`` (which must be marked invalid)."""
        control = self.control(label)
        self.until(lambda: control.get_attribute("aria-invalid") == "true", f"an error on {label!r}")
        ids = control.get_attribute("aria-describedby").split()
        return " ".join(self.driver.find_element(By.ID, i).text for i in ids if i.endswith("-error"))

    def focused(self) -> WebElement:
        return self.driver.switch_to.active_element

    # Mail and accounts.

    def open_link(self, mail: Mail) -> None:
        """Open the mail's first link, which must lead to this app."""
        [link, *_] = mail.links
        assert link.startswith(self.origin + "/"), link
        self.driver.get(link)

    def mails(self, to: str, subject: str, count: int = 1) -> list[Mail]:
        """The mails to ``to`` with ``subject``, oldest first, once there are at least ``count`` of them."""

        def delivered() -> list[Mail] | None:
            found = [m for m in map(parse, sorted(self.server.mail_directory.glob("*.eml"))) if m.to == to]
            found = [m for m in found if m.subject == subject]
            return found if len(found) >= count else None

        return self.until(delivered, f"{count} mail(s) {subject!r} to {to}")

    def sign_up_and_log_in(self, email: str, password: str = PASSWORD) -> None:
        """An account made through the app's screens, confirmed from its mail, and logged in."""
        self.open("/signup")
        self.heading("Sign up")
        self.fill("Email", email)
        self.fill("Password", password)
        self.press("Sign up")
        self.heading("Check your mail")
        self.open_link(self.server.wait_for_mail(email, "Confirm your email address"))
        self.heading("Address confirmed")
        self.open("/login")
        self.log_in(email, password)

    def log_in(self, email: str, password: str = PASSWORD) -> None:
        self.heading("Log in")
        self.fill("Email", email)
        self.fill("Password", password)
        self.press("Log in")
        self.until(
            lambda: f"Signed in as {email}" in self.driver.find_element(By.ID, "who").text, "the login"
        )

    # Checks of each screen.

    def audit(self, name: str) -> None:
        """Check the screen with axe-core, failing on serious or critical violations; keep its screenshot."""
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(ARTEFACTS / f"{name}.png"))
        if not AXE.is_file():
            missing("axe-core", "npm ci --prefix tests/frontend")
        self.driver.execute_script(AXE.read_text())
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            ".then((r) => done(r.violations), (e) => done(String(e)));"
        )
        assert isinstance(result, list), result
        blocking = [v for v in result if v["impact"] in BLOCKING]
        report = [
            {
                "rule": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["html"] for n in v["nodes"]],
            }
            for v in blocking
        ]
        assert blocking == [], f"{name}: {json.dumps(report, indent=1)}"

    def no_errors_logged(self) -> None:
        """Nothing refused by the page's policy, no script error, no traceback on the server."""
        severe = [
            e
            for e in self.driver.get_log("browser")
            if e["level"] == "SEVERE" and not EXPECTED_FAILURE.search(e["message"])
        ]
        assert severe == []
        assert "Traceback" not in self.server.log


EXPECTED_FAILURE = re.compile(r"the server responded with a status of (4\d\d)")
"""A 4xx the app shows to its person (a field error, a conflict) is logged by Chromium as it happens."""


ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
"""The app's journeys run on the production database only: the API under them is tested on both."""
