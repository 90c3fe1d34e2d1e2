"""The outbox on real databases: rounds, purging, and several deliverers sharing one outbox."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select, update

from backrest.db import get_engine, get_session_factory, utcnow
from backrest.mail.models import OutboxMessage
from backrest.mail.outbox import BATCH, CLAIM_LEASE, KEEP_SENT, OutboxWorker, Outcome, queue_mail
from backrest.mail.transports import FileTransport, SMTPTransport
from backrest.settings import resolve
from tests.integration.conftest import smtp_server
from tests.servers import free_port

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path


@pytest.fixture
def outbox_app(make_app: Callable[..., Any]) -> Any:
    return make_app()


@pytest.fixture
def session_factory(outbox_app: Any) -> Any:
    return outbox_app.registry["dbsession_factory"]


@pytest.fixture
def separate_engines(clean_database: str) -> Iterator[Callable[[], Any]]:
    """Session factories on engines of their own, as other processes would have."""
    engines = []

    def make() -> Any:
        engine = get_engine({"sqlalchemy.url": clean_database})
        engines.append(engine)
        return get_session_factory(engine)

    yield make
    for engine in engines:
        engine.dispose()


def queue(session_factory: Any, count: int) -> None:
    with session_factory() as dbsession:
        for number in range(count):
            queue_mail(dbsession, "noreply@localhost", f"user{number}@example.com", f"mail {number}", "Hi")
        dbsession.commit()


def file_worker(session_factory: Any, directory: Path) -> OutboxWorker:
    return OutboxWorker(session_factory, FileTransport(str(directory)), retry_delay=30, max_attempts=5)


def rows(session_factory: Any) -> list[OutboxMessage]:
    with session_factory() as dbsession:
        return list(dbsession.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_more_than_a_batch_goes_out_in_one_round(session_factory, tmp_path):
    queue(session_factory, BATCH * 2 + 7)
    assert file_worker(session_factory, tmp_path / "out").deliver_due() == BATCH * 2 + 7
    assert len(list((tmp_path / "out").glob("*.eml"))) == BATCH * 2 + 7
    assert all(row.sent is not None and row.body == "" for row in rows(session_factory))


def test_messages_go_out_in_queue_order(session_factory, tmp_path):
    queue(session_factory, 5)
    file_worker(session_factory, tmp_path / "out").deliver_due()
    subjects = [
        path.read_text().split("Subject: ")[1].splitlines()[0]
        for path in sorted((tmp_path / "out").glob("*.eml"))
    ]
    assert subjects == [f"mail {number}" for number in range(5)]


def test_failing_message_does_not_stop_the_round(session_factory, tmp_path):
    queue(session_factory, 3)
    with session_factory() as dbsession:
        # A message without recipients is one no transport can send.
        dbsession.execute(
            update(OutboxMessage).where(OutboxMessage.subject == "mail 1").values(recipients=[])
        )
        dbsession.commit()
    assert file_worker(session_factory, tmp_path / "out").deliver_due() == 2
    assert [(row.subject, row.sent is not None, row.attempts) for row in rows(session_factory)] == [
        ("mail 0", True, 0),
        ("mail 1", False, 1),
        ("mail 2", True, 0),
    ]


def test_sent_messages_are_kept_a_week(session_factory, tmp_path):
    queue(session_factory, 3)
    worker = file_worker(session_factory, tmp_path / "out")
    worker.deliver_due()
    now = utcnow()
    with session_factory() as dbsession:
        dbsession.execute(
            update(OutboxMessage)
            .where(OutboxMessage.subject == "mail 0")
            .values(sent=now - KEEP_SENT - timedelta(hours=1))
        )
        dbsession.execute(
            update(OutboxMessage)
            .where(OutboxMessage.subject == "mail 1")
            .values(sent=now - KEEP_SENT + timedelta(hours=1))
        )
        dbsession.commit()
    worker.deliver_due()
    assert [row.subject for row in rows(session_factory)] == ["mail 1", "mail 2"]


def test_message_given_up_keeps_no_body(session_factory, tmp_path):
    with session_factory() as dbsession:
        queue_mail(dbsession, "noreply@localhost", "ada@example.com", "Reset", "https://app/reset/SECRET")
        # A message without recipients is one no transport can send.
        dbsession.execute(update(OutboxMessage).values(recipients=[]))
        dbsession.commit()
    worker = OutboxWorker(
        session_factory, FileTransport(str(tmp_path / "out")), retry_delay=30, max_attempts=1
    )
    assert worker.deliver_due() == 0
    [row] = rows(session_factory)
    assert row.failed is not None
    assert row.body == ""


def test_failed_for_good_is_never_tried_again(session_factory, tmp_path):
    queue(session_factory, 1)
    with session_factory() as dbsession:
        dbsession.execute(update(OutboxMessage).values(failed=utcnow(), attempts=5))
        dbsession.commit()
    assert file_worker(session_factory, tmp_path / "out").deliver_due(utcnow() + timedelta(days=1)) == 0
    assert not (tmp_path / "out").exists()


def test_claimed_message_waits_for_its_lease(session_factory, tmp_path):
    """A deliverer killed after claiming a message: another one sends it once the claim lapses."""
    queue(session_factory, 1)
    worker = file_worker(session_factory, tmp_path / "out")
    [(message_id, next_attempt)] = worker._due(utcnow(), 0)
    assert worker._claim(message_id, next_attempt, utcnow())
    assert not worker._claim(message_id, next_attempt, utcnow())  # taken
    assert worker.deliver_due() == 0
    assert worker.deliver_due(utcnow() + CLAIM_LEASE + timedelta(seconds=1)) == 1


def test_concurrent_deliverers_send_each_message_once(session_factory, separate_engines):
    """Two processes' workers (or the service and ``backrest send-mail``) share one outbox."""
    count = BATCH + 30
    queue(session_factory, count)
    port = free_port()
    settings = resolve(
        {
            "sqlalchemy.url": "unused",
            "backrest.mail.smtp.host": "127.0.0.1",
            "backrest.mail.smtp.port": str(port),
        },
        {},
    )
    workers = [
        OutboxWorker(separate_engines(), SMTPTransport(settings), retry_delay=30, max_attempts=5)
        for _ in range(3)
    ]
    results: list[int] = []
    barrier = threading.Barrier(len(workers))

    def run(worker: OutboxWorker) -> None:
        barrier.wait(timeout=30)
        results.append(worker.deliver_due())

    with smtp_server(port) as server:
        threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert sorted(mail.subject for mail in server.received) == sorted(f"mail {n}" for n in range(count))
    assert sum(results) == count
    with session_factory() as dbsession:
        assert dbsession.scalar(select(func.count()).where(OutboxMessage.sent.is_(None))) == 0


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_message_another_deliverer_holds_is_busy_until_it_commits_or_dies(
    session_factory, separate_engines, tmp_path
):
    """What a job of ``backrest worker`` finds of a message another job is sending."""
    queue(session_factory, 1)
    [row] = rows(session_factory)
    worker = file_worker(session_factory, tmp_path / "out")
    held = select(OutboxMessage).where(OutboxMessage.id == row.id).with_for_update()
    with separate_engines()() as other:
        other.scalars(held).one()
        assert worker.attempt(row.id) is Outcome.BUSY
        other.rollback()  # its process died before it marked the message sent
    assert worker.attempt(row.id) is Outcome.SENT
    with separate_engines()() as other:
        other.scalars(held).one()
        assert worker.attempt(row.id) is Outcome.SETTLED
    assert len(list((tmp_path / "out").iterdir())) == 1
