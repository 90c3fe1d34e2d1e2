"""Fixtures for the content framework: the application with the toys, callers, factories.

The application here includes ``tests.testapp`` (the toy content types of
``tests/testapp/models.py``). The callers of the ACL rows:

``anonymous``  a browser that never logs in;
``logged_in``  Ada (``ada@example.com``), who owns what she creates;
``other``      Bob (``bob@example.com``), another member;
``admin``      Root (``root@example.com``), with ``is_admin`` set in the database.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event, text, update

from backrest import main
from backrest.accounts.models import User
from backrest.db import utcnow
from backrest.types.documents import Document
from tests.client import Browser
from tests.conftest import PASSWORD, make_settings, recorded_statements
from tests.testapp.models import empty_tables

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from sqlalchemy.orm import Session

TESTAPP = {"pyramid.includes": "tests.testapp"}
ADMIN_CLIENT = {"REMOTE_ADDR": "203.0.113.30", "HTTP_USER_AGENT": "admin"}
ANONYMOUS_CLIENT = {"REMOTE_ADDR": "203.0.113.40", "HTTP_USER_AGENT": "anonymous"}


@pytest.fixture(scope="session")
def settings(database_url: str, mail_directory: Path) -> dict[str, str]:
    return make_settings(database_url, mail_directory, **TESTAPP)


@pytest.fixture(scope="session")
def app(settings: dict[str, str]) -> Iterator[Any]:
    app = main({}, **settings)
    yield app
    app.registry["db_engine"].dispose()


@pytest.fixture(autouse=True)
def _empty_toys(app: Any) -> Iterator[None]:
    yield
    empty_tables(app.registry["db_engine"])


@pytest.fixture
def anonymous(app: Any) -> Browser:
    return Browser(app, extra_environ=dict(ANONYMOUS_CLIENT))


def log_in(browser: Browser, email: str) -> Browser:
    """Log ``browser`` in as ``email``; its ``user_id`` is then the account's id."""
    browser.login(email, PASSWORD, status=200)
    browser.user_id = browser.get("/-/login").json["id"]
    return browser


@pytest.fixture
def logged_in(browser: Browser, signup: Callable[..., str]) -> Browser:
    return log_in(browser, signup("ada@example.com"))


@pytest.fixture
def other(other_browser: Browser, signup: Callable[..., str]) -> Browser:
    return log_in(other_browser, signup("bob@example.com"))


@pytest.fixture
def admin(app: Any, signup: Callable[..., str], dbsession: Session) -> Browser:
    email = signup("root@example.com")
    dbsession.execute(update(User).where(User.email == email).values(is_admin=True))
    dbsession.commit()
    return log_in(Browser(app, extra_environ=dict(ADMIN_CLIENT)), email)


def document(browser: Browser, title: str = "A title", **fields: Any) -> dict[str, Any]:
    """Create a document through the API; answers its representation."""
    return browser.post_json("/-/documents/", {"title": title, **fields}, status=201).json


def url_of(representation: dict[str, Any]) -> str:
    """The path of an object, from its representation."""
    return representation["__meta__"]["url"].removeprefix("http://localhost")


@pytest.fixture
def documents(dbsession: Session) -> Callable[..., list[str]]:
    """Store ``count`` documents directly (faster than the API); answers their ids in order.

    They are created at the same instant unless ``created`` is given: the
    default order, newest first, then rests on the id tie-break alone.
    """

    def create(count: int, owner: Browser | None = None, **fields: Any) -> list[str]:
        now = utcnow()
        rows = [
            Document(
                **{
                    "title": f"Document {number:03}",
                    "owner_id": owner.user_id if owner else None,
                    "created": now,
                    "modified": now,
                    **fields,
                }
            )
            for number in range(count)
        ]
        dbsession.add_all(rows)
        dbsession.commit()
        return [row.id for row in rows]

    return create


@pytest.fixture
def statements(app: Any) -> Iterator[list[str]]:
    """The SQL statements the application runs from now on, in order."""
    with recorded_statements(app) as executed:
        yield executed


@pytest.fixture
def backdate(dbsession):
    """Move every document's ``modified`` an hour back, as if nothing had changed since."""

    def move() -> None:
        dbsession.execute(update(Document).values(modified=utcnow() - timedelta(hours=1)))
        dbsession.commit()

    return move


@contextlib.contextmanager
def another_writer_first(engine: Any, written: str, sql: str) -> Iterator[list[str]]:
    """Another connection runs and commits ``sql`` just before the first statement holding ``written``.

    Yields the statements it went before: a write that lost the race to it.
    """
    raced: list[str] = []

    def change_first(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if written in statement and not raced:
            raced.append(statement)
            with engine.connect() as other:
                other.execute(text(sql))
                other.commit()

    event.listen(engine, "before_cursor_execute", change_first)
    try:
        yield raced
    finally:
        event.remove(engine, "before_cursor_execute", change_first)
