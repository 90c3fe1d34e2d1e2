"""Fixtures for tests against real processes: an SMTP server, applications on real databases, Chromium.

The ``database_url`` databases are shared with the rest of the test session,
so whatever these tests write is deleted after each of them.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from aiosmtpd.controller import Controller
from selenium import webdriver
from selenium.webdriver.chrome.service import Service as DriverService
from sqlalchemy import create_engine, delete, inspect, table

from backrest import main
from tests.conftest import make_settings
from tests.servers import missing

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class ReceivedMail:
    """One message as the SMTP server received it."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    """The message as it came over the wire."""
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return self.message["Subject"]

    @property
    def body(self) -> str:
        return self.message.get_content()


class Collector:
    """An aiosmtpd handler that keeps every message; ``refuse`` makes it reject recipients."""

    def __init__(self) -> None:
        self.received: list[ReceivedMail] = []
        self.refuse = False

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        raw = envelope.original_content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), raw, message))
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_server(port: int) -> Iterator[Collector]:
    """A real SMTP server on 127.0.0.1:``port`` for the duration of the block."""
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield collector
    finally:
        controller.stop()


def empty_tables(url: str) -> None:
    """Delete every row but the schema version.

    The tables are read from the database, not from ``Base.metadata``, which
    knows only the models this process happened to import (a test of a
    server process imports none).
    """
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            ordered = inspect(connection).get_sorted_table_and_fkc_names()
            for name, _ in reversed(ordered):
                if name is not None and name != "alembic_version":
                    connection.execute(delete(table(name)))
    finally:
        engine.dispose()


@pytest.fixture
def clean_database(database_url: str) -> Iterator[str]:
    """``database_url``, emptied after the test."""
    yield database_url
    empty_tables(database_url)


@pytest.fixture
def make_app(clean_database: str, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Build the application on the test's database with extra settings; disposed of afterwards."""
    apps = []

    def make(**overrides: str) -> Any:
        app = main({}, **make_settings(clean_database, tmp_path / "mail", **overrides))
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.registry["db_engine"].dispose()


# The flags keep Chromium off the network it cannot reach here, and root-safe.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@contextlib.contextmanager
def chromium_browser(profile: Path) -> Iterator[webdriver.Chrome]:
    """A headless Chromium with its own profile (cookies, storage), logging its page's console."""
    binary = shutil.which("chromium")
    driver_binary = shutil.which("chromedriver")
    if binary is None or driver_binary is None:
        missing("Chromium", "apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1280,900")
    # The page's console, to say what went wrong when a test fails.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=DriverService(driver_binary))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    with chromium_browser(tmp_path / "profile") as driver:
        yield driver


@pytest.fixture
def another_chromium(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    """A second browser, with cookies of its own: another person, or the same one elsewhere."""
    with chromium_browser(tmp_path / "another-profile") as driver:
        yield driver


@pytest.fixture
def spa(chromium: webdriver.Chrome, tmp_path: Path, clean_database: str) -> Iterator[Any]:
    """The reference single-page app in Chromium, on a ``pserve`` of its own (see ``spa.py``)."""
    from tests.integration.spa import App, spa_server  # noqa: PLC0415 - spa needs test_server, which needs this module

    with spa_server(tmp_path, clean_database) as server:
        yield App(chromium, server)
