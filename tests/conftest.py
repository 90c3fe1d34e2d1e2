"""Fixtures: the application on SQLite and on a throwaway PostgreSQL, a browser, a mailbox.

Every functional test runs once per database backend. Tests commit for real
(as the service does), and every table is emptied after each test.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import delete, event, update

from backrest import main
from backrest.db import Base, utcnow
from backrest.sessions.models import UserSession
from tests.client import Browser
from tests.mailbox import Mailbox
from tests.servers import postgresql_server

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from sqlalchemy.orm import Session

    from tests.mailbox import Mail

PASSWORD = "correct horse battery staple"

CLIENT = {"REMOTE_ADDR": "192.0.2.10", "HTTP_USER_AGENT": "pytest"}
OTHER_CLIENT = {"REMOTE_ADDR": "198.51.100.20", "HTTP_USER_AGENT": "other"}

FAST_HASHING = {
    # Tests hash hundreds of passwords: the cheapest argon2id parameters.
    "backrest.password.argon2.time_cost": "1",
    "backrest.password.argon2.memory_cost": "1024",
    "backrest.password.argon2.parallelism": "1",
}

UNREACHED_RATES = {
    # Every request is counted, as in production, at rates no test reaches:
    # tests of throttling set their own.
    "backrest.throttle.anon": "100000/hour",
    "backrest.throttle.user": "100000/hour",
}


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'backrest.sqlite'}"
        return
    with postgresql_server() as url:
        yield url


@pytest.fixture(scope="session")
def mail_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mail")


def make_settings(database_url: str, mail_directory: Path, **overrides: Any) -> dict[str, str]:
    # One file store per database: a blob's row and its file go together.
    files = mail_directory.parent / f"files-{hashlib.sha256(database_url.encode()).hexdigest()[:12]}"
    return {
        "sqlalchemy.url": database_url,
        "backrest.files.root": str(files),
        "backrest.db.auto_migrate": "true",
        "backrest.mail.directory": str(mail_directory),
        "backrest.mail.worker": "false",
        "backrest.urls.frontend": "https://app.example",
        **FAST_HASHING,
        **UNREACHED_RATES,
        **overrides,
    }


@pytest.fixture(scope="session")
def settings(database_url: str, mail_directory: Path) -> dict[str, str]:
    return make_settings(database_url, mail_directory)


@pytest.fixture(scope="session")
def app(settings: dict[str, str]) -> Iterator[Any]:
    app = main({}, **settings)
    yield app
    app.registry["db_engine"].dispose()


@pytest.fixture
def registry(app: Any) -> Any:
    return app.registry


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Empty every table and the file store, and forget every rate-limit counter, after each test."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.registry["db_engine"].begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))
    store = app.registry["backrest.files"]
    for directory in (store.blobs, store.tmp):
        shutil.rmtree(directory, ignore_errors=True)
    store.prepare()
    app.registry["throttle"].reset()


@pytest.fixture
def browser(app: Any) -> Browser:
    return Browser(app, extra_environ=dict(CLIENT))


@pytest.fixture
def other_browser(app: Any) -> Browser:
    return Browser(app, extra_environ=dict(OTHER_CLIENT))


@pytest.fixture
def mailbox(app: Any, mail_directory: Path) -> Iterator[Mailbox]:
    for path in mail_directory.glob("*.eml"):
        path.unlink()
    yield Mailbox(mail_directory, app.registry["mail_worker"])
    for path in mail_directory.glob("*.eml"):
        path.unlink()


@pytest.fixture
def signup(browser: Browser, mailbox: Mailbox):
    """Create a confirmed account; answers its email address."""

    def create(email: str = "ada@example.com", password: str = PASSWORD, *, confirm: bool = True) -> str:
        browser.post_json("/-/signup", {"email": email, "password": password, "firstname": "Ada"}, status=201)
        if confirm:
            token = mailbox.last_to(email).token
            browser.post_json("/-/confirm/", {"token": token}, status=200)
        mailbox.new()
        return email

    return create


@pytest.fixture
def logged_in(browser: Browser, signup) -> Browser:
    """A browser logged in as ada@example.com."""
    browser.login(signup(), PASSWORD)
    return browser


@pytest.fixture
def app_with(app: Any, settings: dict[str, str]) -> Iterator[Callable[..., Any]]:
    """Build another app with some settings changed, on the same database and mailbox as ``app``."""
    built = []

    def build(**overrides: str) -> Any:
        other = main({}, **{**settings, **overrides})
        built.append(other)
        return other

    yield build
    for other in built:
        other.registry["db_engine"].dispose()


@pytest.fixture
def dbsession(app: Any) -> Iterator[Session]:
    """A session on the app's database, to look at stored rows or change them (then commit)."""
    with app.registry["dbsession_factory"]() as dbsession:
        yield dbsession


@pytest.fixture
def backdate_sessions(dbsession: Session) -> Callable[[str, int], None]:
    """Set a timestamp column of every stored session ``seconds`` into the past."""

    def backdate(column: str, seconds: int) -> None:
        dbsession.execute(update(UserSession).values({column: utcnow() - timedelta(seconds=seconds)}))
        dbsession.commit()

    return backdate


@contextlib.contextmanager
def recorded_statements(app: Any) -> Iterator[list[str]]:
    """The SQL statements ``app`` runs in the block, in order."""
    executed: list[str] = []
    engine = app.registry["db_engine"]

    def record(_connection: Any, _cursor: Any, statement: str, *_arguments: Any) -> None:
        executed.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield executed
    finally:
        event.remove(engine, "before_cursor_execute", record)


def error_fields(response: Any) -> list[tuple[str, str | None]]:
    """The ``(location, name)`` of each error in a response of the contract's error shape."""
    assert response.json["status"] == "error"
    return [(error["location"], error["name"]) for error in response.json["errors"]]


def assert_names_the_client(notice: Mail) -> None:
    """A security notice names the time, and the address and user agent of ``CLIENT``."""
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", notice.body)
    assert CLIENT["REMOTE_ADDR"] in notice.body
    assert CLIENT["HTTP_USER_AGENT"] in notice.body
