"""``backrest check``: whether a deployment's settings hold, and every part they name answers.

What a process of the service would need at its first requests, tried one
by one: the database and its schema (procrastinate's too, with
``backrest.jobs = procrastinate``), the read replica (a standby, where
set), the file storage, Redis (the rate
limits' and the response cache's, where set) and the mail transport. Nothing
is written but a probe file (and the file storage's directories, as the
service makes them at start), and no mail is sent.
"""

from __future__ import annotations

import smtplib
from typing import TYPE_CHECKING, Any

import redis
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from backrest.db import get_engine
from backrest.files.storage import BlobStore, StoreUnavailable, blob_store
from backrest.mail.transports import transport_from_settings
from backrest.migrations import pending
from backrest.scripts import CommandError
from backrest.throttle.storage import ThrottleStorage

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from backrest.files.s3 import S3BlobStore

FAILURES = (OSError, SQLAlchemyError, smtplib.SMTPException, redis.RedisError, StoreUnavailable)
"""What a part that does not answer raises; anything else is a bug, and shows its traceback."""
WIDTH = 12
TIMEOUT = 5
"""Seconds to wait for Redis."""


def _database(settings: dict[str, Any]) -> Iterator[tuple[str, Callable[[], str | None]]]:
    engine = get_engine(settings)

    def answers() -> str | None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return None

    def migrated() -> str | None:
        return "behind this version: run backrest migrate" if pending(engine) else None

    yield "database", answers
    yield "migrations", migrated
    if settings["backrest.jobs"] == "procrastinate":
        from backrest.jobs.schema import ABSENT, schema_present  # noqa: PLC0415 - only deployments with jobs have it

        yield "jobs", lambda: None if schema_present(engine) else ABSENT


def _replica(url: str, settings: dict[str, Any]) -> Callable[[], str | None]:
    engine = get_engine({**settings, "sqlalchemy.url": url})

    def replays() -> str | None:
        with engine.connect() as connection:
            standby = connection.execute(text("SELECT pg_is_in_recovery()")).scalar_one()
        return None if standby else "is no standby: it replays no primary (backrest.db.replica_url)"

    return replays


def _files(store: BlobStore | S3BlobStore) -> str | None:
    # Its directories, as the service makes them at start.
    store.prepare()
    return None if store.works() else store.problem()


def _parts(settings: dict[str, Any]) -> Iterator[tuple[str, Callable[[], str | None]]]:
    """Each part the settings name, with its check: None when it works, else what is wrong."""
    yield from _database(settings)
    if settings["backrest.db.replica_url"]:
        yield "replica", _replica(settings["backrest.db.replica_url"], settings)
    yield "files", lambda: _files(blob_store(settings))
    if settings["backrest.redis_url"]:
        limits = ThrottleStorage(settings["backrest.redis_url"])
        yield "redis", lambda: None if limits.works() else "does not answer (backrest.redis_url)"
    if settings["backrest.cache.url"]:
        url = settings["backrest.cache.url"]
        cache = redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
        yield "cache", lambda: None if cache.ping() else "does not answer (backrest.cache.url)"
    transport = transport_from_settings(settings)
    # A transport's check answers None, or raises what a delivery would.
    yield "mail", transport.check


def check(settings: dict[str, Any]) -> None:
    """Check that every part the settings name answers; prints one line a part."""
    failed = []
    for name, run in _parts(settings):
        try:
            problem = run()
        except FAILURES as error:
            problem = str(error) or type(error).__name__
        print(f"{name:<{WIDTH}}{'ok' if problem is None else f'FAILED: {problem}'}")  # noqa: T201
        if problem is not None:
            failed.append(name)
    if failed:
        msg = f"{len(failed)} part{'s' if len(failed) > 1 else ''} failed: {', '.join(failed)}"
        raise CommandError(msg)
