"""Every ``>>>`` example in ``docs/**/*.rst`` runs as a test against the real application.

Sybil finds and evaluates the examples (doctest syntax, ``ELLIPSIS`` and
``NORMALIZE_WHITESPACE``). A page tells one story in order (sign up, confirm,
log in...), so each page is collected as one test: its examples share one
namespace and run in order, and pytest-xdist cannot deal them out to
different workers. The first example that fails ends the page's test and is
reported with its line.

Each page gets a fresh application on its own SQLite database and mail
directory, and these names (``docs/index.rst`` explains them to readers):

``app``          the WSGI application, built as ``tests/conftest.py`` builds it;
``browser``      a browser on ``https://api.example.com``, from ``192.0.2.10``;
``phone``        a second device, from ``2001:db8:1:2::7``;
``mailbox``      the mail delivered so far (``tests/mailbox.py``);
``browser_for``  ``browser_for({setting: value})``: a browser on another
                 application with other settings, beside the page's own;
``wait``         ``wait(minutes=10)``: time passes for every application of
                 the page (every stored timestamp moves back);
``other_browser``
                 ``other_browser()``: a new browser of somebody else on the
                 page's application, from ``198.51.100.7``, without cookies;
``make_admin``   ``make_admin(email)``: makes that account an admin, as an
                 operator does in the database;
``live_server``  ``live_server()``: the page's application served over real
                 HTTP on 127.0.0.1 (started at the first call), its URL, for
                 the Python client's examples (``docs/client.rst``).
"""

from __future__ import annotations

import contextlib
import tempfile
from datetime import timedelta
from doctest import ELLIPSIS, NORMALIZE_WHITESPACE
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select, update
from sybil import Sybil
from sybil.example import SybilFailure
from sybil.parsers.rest import DocTestParser
from webtest.http import StopableWSGIServer

from backrest import main
from backrest.accounts.models import User
from backrest.db import Base, UTCDateTime
from tests.client import Browser
from tests.conftest import make_settings
from tests.mailbox import Mailbox

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sybil import Document

SYBIL = Sybil(
    parsers=[DocTestParser(optionflags=ELLIPSIS | NORMALIZE_WHITESPACE)],
    patterns=["*.rst"],
)

FRONTEND = "https://app.example.com"
DOCS_SETTINGS = {
    # As in production: the examples show the cookie a deployment sends.
    "backrest.session.secure": "true",
    "backrest.cors.origins": FRONTEND,
    "backrest.urls.frontend": FRONTEND,
}
BROWSER = {
    "HTTP_HOST": "api.example.com",
    "wsgi.url_scheme": "https",
    "REMOTE_ADDR": "192.0.2.10",
    "HTTP_USER_AGENT": "Firefox/140.0",
}
PHONE = {**BROWSER, "REMOTE_ADDR": "2001:db8:1:2::7", "HTTP_USER_AGENT": "Safari/18.5 (iPhone)"}
SOMEBODY_ELSE = {**BROWSER, "REMOTE_ADDR": "198.51.100.7", "HTTP_USER_AGENT": "Chrome/139.0"}


def move_clock(app: Any, delta: timedelta) -> None:
    """Make ``delta`` pass for ``app``: every stored timestamp moves back by it.

    Rows change through SQL, not through their models: time passing is no
    modification, so an object's version (and its ETag) stays as it was.
    """
    with app.registry["db_engine"].begin() as connection:
        for table in Base.metadata.sorted_tables:
            times = [column for column in table.columns if isinstance(column.type, UTCDateTime)]
            if not times:
                continue
            key = list(table.primary_key.columns)
            for row in connection.execute(select(*key, *times)).mappings():
                moved = {column.name: row[column] - delta for column in times if row[column] is not None}
                if moved:
                    where = [column == row[column] for column in key]
                    connection.execute(update(table).where(*where).values(**moved))


class LiveServer:
    """``live_server()``: ``app`` over real HTTP on 127.0.0.1, started at the first call; its URL."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.server: StopableWSGIServer | None = None

    def __call__(self) -> str:
        if self.server is None:
            # Listening from here on: connections wait in the backlog until its thread serves them.
            self.server = StopableWSGIServer.create(self.app, expose_tracebacks=False)
        return self.server.application_url.rstrip("/")

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()


@contextlib.contextmanager
def page_namespace(directory: Path) -> Iterator[dict[str, Any]]:
    """The names a page's examples use, on applications that live in ``directory``."""
    apps: list[Any] = []

    def start(overrides: dict[str, str]) -> Any:
        home = directory / f"app{len(apps)}"
        home.mkdir()
        settings = make_settings(f"sqlite:///{home / 'backrest.sqlite'}", home / "mail", **DOCS_SETTINGS)
        apps.append(main({}, **{**settings, **overrides}))
        return apps[-1]

    def browser_for(overrides: dict[str, str]) -> Browser:
        return Browser(start(overrides), extra_environ=BROWSER)

    def wait(**delta: float) -> None:
        for app in apps:
            move_clock(app, timedelta(**delta))

    def other_browser() -> Browser:
        return Browser(apps[0], extra_environ=SOMEBODY_ELSE)

    def make_admin(email: str) -> None:
        with apps[0].registry["dbsession_factory"]() as dbsession:
            dbsession.execute(update(User).where(User.email == email).values(is_admin=True))
            dbsession.commit()

    app = start({})
    live_server = LiveServer(app)
    try:
        yield {
            "app": app,
            "browser": Browser(app, extra_environ=BROWSER),
            "phone": Browser(app, extra_environ=PHONE),
            "mailbox": Mailbox(directory / "app0" / "mail", app.registry["mail_worker"]),
            "browser_for": browser_for,
            "wait": wait,
            "other_browser": other_browser,
            "make_admin": make_admin,
            "live_server": live_server,
        }
    finally:
        live_server.stop()
        for started in apps:
            started.registry["db_engine"].dispose()


class PageExamples(pytest.Item):
    """All the examples of one page, run in order in one namespace."""

    def __init__(self, *, document: Document, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.document = document
        # tests/test_docs.py counts these, so a page cannot lose its examples unnoticed.
        self.examples = list(document.examples())

    def runtest(self) -> None:
        if not self.examples:
            return
        with (
            tempfile.TemporaryDirectory(prefix="backrest-docs-") as directory,
            page_namespace(Path(directory)) as names,
        ):
            self.document.namespace.update(names)
            for example in self.examples:
                example.evaluate()

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, SybilFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, None, str]:
        return self.path, None, f"{self.path.name}: {len(self.examples)} examples"


class Page(pytest.File):
    def collect(self) -> Iterator[PageExamples]:
        yield PageExamples.from_parent(self, name="examples", document=SYBIL.parse(self.path))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Page | None:
    if SYBIL.should_parse(file_path):
        return Page.from_parent(parent, path=file_path)
    return None
