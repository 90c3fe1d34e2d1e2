"""Safe requests (GET, HEAD, OPTIONS): reads without transaction round trips, their writes all or nothing."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
import webtest
from psycopg.pq import TransactionStatus
from sqlalchemy import event, select, update

from backrest.db import READ_ONLY, utcnow
from backrest.keys.models import ApiKey

if TYPE_CHECKING:
    from collections.abc import Iterator


def in_transaction(dbapi_connection: Any) -> bool:
    if isinstance(dbapi_connection, sqlite3.Connection):
        return dbapi_connection.in_transaction
    return dbapi_connection.info.transaction_status != TransactionStatus.IDLE


@contextlib.contextmanager
def watching(engine: Any) -> Iterator[list[bool]]:
    """For each statement ``engine`` runs meanwhile: whether a transaction was open before it."""
    seen: list[bool] = []

    def record(connection: Any, *_args: Any) -> None:
        seen.append(in_transaction(connection.connection.dbapi_connection))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def key(logged_in: Any) -> dict[str, str]:
    credential = logged_in.post_json("/-/keys", {"name": "script"}, status=201).json["key"]
    return {"Authorization": f"Token {credential}"}


def stale_last_used(dbsession: Any) -> None:
    dbsession.execute(update(ApiKey).values(last_used=utcnow() - timedelta(hours=1)))
    dbsession.commit()


def last_used(dbsession: Any) -> Any:
    dbsession.expire_all()
    return dbsession.scalar(select(ApiKey.last_used))


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_a_read_runs_each_statement_outside_any_transaction(app, logged_in, key, method):
    url = logged_in.post_json("/-/documents/", {"title": "Read me"}, status=201).json["__meta__"]["url"]
    script = webtest.TestApp(app)
    script.get(url, headers=key)  # the key's first use writes its last_used
    with watching(app.registry["db_engine"]) as opened:
        script.request(url, method=method, headers=key)
    assert len(opened) >= 2  # the key, then the object
    assert not any(opened)


def test_what_a_read_writes_is_stored_before_the_answer(app, key, dbsession):
    stale_last_used(dbsession)
    before = last_used(dbsession)
    webtest.TestApp(app).get("/-/documents/", headers=key, status=200)
    assert last_used(dbsession) > before


def test_a_read_that_fails_stores_nothing_it_wrote(app, key, dbsession):
    stale_last_used(dbsession)
    before = last_used(dbsession)
    webtest.TestApp(app).get("/-/documents/nosuchdocument", headers=key, status=404)
    assert last_used(dbsession) == before


def test_a_write_after_a_read_that_wrote_is_one_transaction(app_with, key, dbsession):
    one = app_with(**{"sqlalchemy.pool_size": "1", "sqlalchemy.max_overflow": "0"})
    script = webtest.TestApp(one)
    stale_last_used(dbsession)
    script.get("/-/documents/", headers=key, status=200)
    with watching(one.registry["db_engine"]) as opened:
        script.post_json("/-/documents/", {"title": "Written"}, headers=key, status=201)
    assert opened[-1]


@pytest.mark.parametrize(
    ("statement", "reads"),
    [
        ("SELECT documents.id FROM documents WHERE documents.id = %(id)s", True),
        ("\n  select count(*) from documents", True),
        ("SELECT documents.id FROM documents FOR UPDATE", False),
        ("SELECT id FROM documents WHERE id = $1 FOR NO KEY UPDATE SKIP LOCKED", False),
        ("SELECT id FROM documents FOR SHARE", False),
        ("UPDATE api_keys SET last_used = %(now)s", False),
        ("INSERT INTO documents (id) VALUES (%(id)s)", False),
        ("WITH gone AS (DELETE FROM documents RETURNING id) SELECT count(*) FROM gone", False),
        ("DELETE FROM documents", False),
    ],
)
def test_only_selects_that_lock_nothing_run_outside_a_transaction(statement, reads):
    assert bool(READ_ONLY.match(statement)) is reads
