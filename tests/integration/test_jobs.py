"""Background jobs on procrastinate: real PostgreSQL, ``pserve`` and ``backrest worker`` processes, SMTP.

Mail queued by a request is a job of the request's own transaction; workers
on other processes deliver it, retry it while the SMTP server is down, run it
again when the worker running it was killed, and share the work with no mail
sent twice by two of them.
"""

from __future__ import annotations

import contextlib
import signal
import time
from typing import TYPE_CHECKING, Any

import procrastinate
import pytest
from sqlalchemy import create_engine, select, text

from backrest.jobs.schema import apply_schema
from backrest.jobs.tasks import DELIVER_MAIL, PRUNE, UPKEEP_QUEUE
from backrest.jobs.worker import conninfo
from backrest.mail.models import OutboxMessage
from backrest.migrations import upgrade
from tests.conftest import FAST_HASHING, PASSWORD, UNREACHED_RATES
from tests.integration.command import backrest
from tests.integration.conftest import Collector
from tests.integration.jobs import (
    WAIT,
    SlowCollector,
    StallingCollector,
    running_worker,
    smtp_with,
    worker_ini,
)
from tests.integration.test_server import running_server, wait_for
from tests.integration.test_smtp import queue
from tests.servers import free_port

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from sqlalchemy.engine import Connection

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def jobs_database(clean_database: str) -> Iterator[str]:
    """The test's database, with procrastinate's schema as ``backrest migrate`` applies it."""
    engine = create_engine(clean_database)
    upgrade(engine, then=[apply_schema])
    yield clean_database
    engine.dispose()


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def settings(jobs_database: str, smtp_port: int, tmp_path: Path) -> dict[str, str]:
    """One deployment's settings, for its serving processes and its workers alike."""
    return {
        "sqlalchemy.url": jobs_database,
        "backrest.jobs": "procrastinate",
        "backrest.jobs.stalled_timeout": "3",
        "backrest.mail.transport": "smtp",
        "backrest.mail.smtp.host": "127.0.0.1",
        "backrest.mail.smtp.port": str(smtp_port),
        "backrest.mail.retry_delay": "1",
        "backrest.mail.max_attempts": "10",
        "backrest.files.root": str(tmp_path / "files"),
        "backrest.urls.frontend": "https://app.example",
        **FAST_HASHING,
        **UNREACHED_RATES,
    }


@pytest.fixture
def ini(settings: dict[str, str], tmp_path: Path) -> Path:
    return worker_ini(tmp_path / "worker.ini", settings)


@pytest.fixture
def mail_app(make_app: Callable[..., Any], settings: dict[str, str]) -> Any:
    """The application in this process, to queue mail as a request does."""
    return make_app(**{name: value for name, value in settings.items() if name != "sqlalchemy.url"})


@contextlib.contextmanager
def transaction(url: str) -> Iterator[Connection]:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def scalar(url: str, sql: str, **parameters: Any) -> Any:
    with transaction(url) as connection:
        return connection.scalar(text(sql), parameters)


def mail_jobs(url: str) -> int:
    return scalar(url, "SELECT count(*) FROM procrastinate_jobs WHERE task_name = :name", name=DELIVER_MAIL)


def settled(url: str) -> bool:
    """Whether every message is marked sent and every mail job has succeeded: nothing more will be sent."""
    unsent = scalar(url, "SELECT count(*) FROM mail_outbox WHERE sent IS NULL")
    unfinished = "SELECT count(*) FROM procrastinate_jobs WHERE task_name = :name AND status <> 'succeeded'"
    return unsent == 0 and scalar(url, unfinished, name=DELIVER_MAIL) == 0


def rows(app: Any) -> list[OutboxMessage]:
    with app.registry["dbsession_factory"]() as dbsession:
        return list(dbsession.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_the_worker_refuses_a_deployment_without_procrastinate(settings, tmp_path):
    ini = worker_ini(tmp_path / "thread.ini", {**settings, "backrest.jobs": "thread"})
    run = backrest("worker", str(ini))
    assert run.returncode == 1
    assert "backrest worker runs the jobs of backrest.jobs = procrastinate" in run.stderr


def test_the_worker_runs_at_least_one_job_at_once(ini):
    run = backrest("worker", str(ini), "--concurrency", "0")
    assert run.returncode == 2
    assert "--concurrency: must be a whole number of at least 1, not '0'" in run.stderr


def test_a_rolled_back_request_queues_nothing_and_a_committed_one_sends_exactly_one(
    mail_app, ini, jobs_database, smtp_port, tmp_path
):
    queue(mail_app, "ada@example.com", "rolled back", "Hello", commit=False)
    assert mail_jobs(jobs_database) == 0
    assert rows(mail_app) == []
    queue(mail_app, "ada@example.com", "committed", "Hello")
    assert mail_jobs(jobs_database) == 1
    with smtp_with(Collector(), smtp_port) as server, running_worker(ini, tmp_path / "worker.log"):
        wait_for(lambda: settled(jobs_database), "the mail is delivered", WAIT)
    assert [mail.subject for mail in server.received] == ["committed"]
    [row] = rows(mail_app)
    assert row.sent is not None
    assert server.received[0].message["Message-ID"] == row.message_id


def test_a_failed_request_sends_no_mail_and_a_committed_one_exactly_one(settings, ini, smtp_port, tmp_path):
    with (
        smtp_with(Collector(), smtp_port) as server,
        running_server(tmp_path, settings["sqlalchemy.url"], **settings) as site,
        running_worker(ini, tmp_path / "worker.log"),
    ):
        client = site.client()
        weak = client.post("/-/signup", {"email": "bob@example.com", "password": "bob@example.com!!"})
        assert weak.status == 400
        assert client.post("/-/signup", {"email": "ada@example.com", "password": PASSWORD}).status == 201
        wait_for(lambda: settled(settings["sqlalchemy.url"]), "the confirmation is delivered", WAIT)
    assert [(mail.rcpt_tos, mail.subject) for mail in server.received] == [
        (["ada@example.com"], "Confirm your email address")
    ]


def test_smtp_down_then_back_delivers_the_mail_and_no_request_fails(settings, ini, smtp_port, tmp_path):
    with (
        running_server(tmp_path, settings["sqlalchemy.url"], **settings) as site,
        running_worker(ini, tmp_path / "worker.log") as worker,
    ):
        # Nothing listens on smtp_port yet.
        assert (
            site.client().post("/-/signup", {"email": "ada@example.com", "password": PASSWORD}).status == 201
        )
        url = settings["sqlalchemy.url"]
        wait_for(lambda: scalar(url, "SELECT max(attempts) FROM mail_outbox") >= 2, "two attempts fail", WAIT)
        with smtp_with(Collector(), smtp_port) as server:
            wait_for(lambda: settled(url), "the mail is delivered once the server is back", WAIT)
        assert "not delivered (ConnectionRefusedError" in worker.log
    assert [mail.subject for mail in server.received] == ["Confirm your email address"]
    assert scalar(url, "SELECT count(*) FROM mail_outbox WHERE sent IS NOT NULL") == 1


def test_a_worker_killed_mid_job_has_its_job_run_again_with_the_same_message_id(
    mail_app, ini, jobs_database, smtp_port, tmp_path
):
    """At least once: the server took the mail, the worker died before it knew; the resend is the same."""
    queue(mail_app, "ada@example.com", "Reset", "Hello")
    with smtp_with(StallingCollector(), smtp_port) as server:
        with running_worker(ini, tmp_path / "first.log") as first:
            wait_for(server.stalled.is_set, "the first worker is sending", WAIT)
            first.kill()
        server.release.set()
        with running_worker(ini, tmp_path / "second.log") as second:
            wait_for(lambda: settled(jobs_database), "the job is run again", WAIT)
            assert "stalled: its worker stopped, running it again" in second.log
    [row] = rows(mail_app)
    assert [mail.message["Message-ID"] for mail in server.received] == [row.message_id] * 2


def test_sigterm_lets_the_job_in_flight_finish_and_exits_0(mail_app, ini, smtp_port, tmp_path):
    queue(mail_app, "ada@example.com", "Reset", "Hello")
    with (
        smtp_with(StallingCollector(), smtp_port) as server,
        running_worker(ini, tmp_path / "worker.log") as worker,
    ):
        wait_for(server.stalled.is_set, "the worker is sending", WAIT)
        worker.process.send_signal(signal.SIGTERM)
        time.sleep(1)
        assert worker.process.poll() is None  # still finishing its job
        server.release.set()
        assert worker.process.wait(timeout=60) == 0
    assert "worker stopped: every job in flight finished" in worker.log
    [row] = rows(mail_app)
    assert row.sent is not None
    assert len(server.received) == 1


def test_two_workers_share_the_mail_and_deliver_each_message_once(
    mail_app, ini, jobs_database, smtp_port, tmp_path
):
    count = 20
    with (
        smtp_with(SlowCollector(), smtp_port) as server,
        running_worker(ini, tmp_path / "one.log", concurrency=2) as one,
        running_worker(ini, tmp_path / "two.log", concurrency=2) as two,
    ):
        wait_for(lambda: one.started and two.started, "both workers wait for jobs", WAIT)
        for number in range(count):
            queue(mail_app, f"user{number}@example.com", f"mail {number}", "Hello")
        wait_for(lambda: settled(jobs_database), "every mail is delivered", WAIT)
    assert sorted(mail.subject for mail in server.received) == sorted(f"mail {n}" for n in range(count))
    assert one.deliveries > 0
    assert two.deliveries > 0


def test_gc_runs_on_its_schedule(settings, tmp_path):
    settings = {**settings, "backrest.jobs.gc_schedule": "* * * * * */1", "backrest.files.gc_grace": "0"}
    ini = worker_ini(tmp_path / "gc.ini", settings)
    leftover = tmp_path / "files" / "blobs" / "leftover"
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"nothing names me")
    with running_worker(ini, tmp_path / "worker.log") as worker:
        wait_for(lambda: not leftover.exists(), "gc removes what nothing refers to", WAIT)
        wait_for(lambda: "gc: removed" in worker.log, "gc reports what it removed", WAIT)


def test_pruning_removes_finished_jobs_older_than_kept(mail_app, ini, jobs_database, tmp_path):
    for number in range(2):
        queue(mail_app, f"user{number}@example.com", f"mail {number}", "Hello")
    with transaction(jobs_database) as connection:
        old, recent = connection.scalars(text("SELECT id FROM procrastinate_jobs ORDER BY id")).all()
        connection.execute(
            text("UPDATE procrastinate_jobs SET status = 'succeeded' WHERE id = ANY(:ids)"),
            {"ids": [old, recent]},
        )
        # Finished 8 days ago, and just now: a week is kept.
        connection.execute(
            text("UPDATE procrastinate_events SET at = now() - interval '8 days' WHERE job_id = :id"),
            {"id": old},
        )
    # The hourly prune, deferred now rather than waited for.
    jobs = procrastinate.App(connector=procrastinate.SyncPsycopgConnector(conninfo=conninfo(jobs_database)))
    with jobs.open():
        jobs.configure_task(PRUNE, queue=UPKEEP_QUEUE).defer(timestamp=0)
    remaining = "SELECT count(*) FROM procrastinate_jobs WHERE id = ANY(:ids)"
    with running_worker(ini, tmp_path / "worker.log"):
        wait_for(
            lambda: scalar(jobs_database, remaining, ids=[old, recent]) == 1, "the old job is pruned", WAIT
        )
    assert (
        scalar(jobs_database, "SELECT id FROM procrastinate_jobs WHERE id = ANY(:ids)", ids=[old, recent])
        == recent
    )
