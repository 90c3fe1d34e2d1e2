"""The migrations make the schema the models declare, can be undone, and run while the service serves.

Processes that migrate one database at once run one after the other, and a
migration that waits for a lock the service holds gives up instead of
holding up the service's requests.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, inspect, make_url, select, text

from backrest import migrations
from backrest.db import get_engine
from backrest.migrations import MIGRATION_LOCK, alembic_config, compared, upgrade
from backrest.tables import metadata
from tests.conftest import make_settings
from tests.integration.command import BACKREST, TIMEOUT, backrest, environment, write_ini
from tests.integration.test_check import lines
from tests.integration.test_server import wait_for

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from sqlalchemy.engine import Connection, Engine


@pytest.fixture
def empty_engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database of its own, with no tables yet."""
    if database_url.startswith("sqlite"):
        engine = get_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'migrations.sqlite'}"})
        yield engine
        engine.dispose()
        return
    name = f"migrations_{secrets.token_hex(4)}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    engine = get_engine({"sqlalchemy.url": make_url(database_url).set(database=name)})
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name}"))
    admin.dispose()


# SQLite's reflection skips the lower(email) index; PostgreSQL compares it.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index"),
    pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index"),
]


def differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": compared}
        )
        return compare_metadata(context, metadata)


def test_migrations_make_the_schema_the_models_declare(empty_engine):
    upgrade(empty_engine)
    assert differences(empty_engine) == []


def test_migrations_undo_and_redo(empty_engine):
    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    upgrade(empty_engine)
    assert differences(empty_engine) == []


def test_a_deletion_remembered_for_a_collection_is_kept_for_everyone(empty_engine):
    upgrade(empty_engine, "0003")
    with empty_engine.begin() as connection:
        connection.execute(
            text("INSERT INTO content_deletions (collection, deleted) VALUES ('documents', :deleted)"),
            {"deleted": "2026-11-30 10:00:00.000000"},
        )
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        rows = connection.execute(text("SELECT collection, principal FROM content_removals")).all()
    assert [tuple(row) for row in rows] == [("documents", "system.Everyone")]


def test_bodies_of_mail_sent_or_given_up_are_forgotten(empty_engine):
    upgrade(empty_engine, "0009")
    insert = text(
        "INSERT INTO mail_outbox (sender, recipients, subject, body, created, next_attempt, attempts,"
        " last_error, sent, failed) VALUES ('a@example.com', '[]', :subject, 'link', :now, :now, 0, '',"
        " :sent, :failed)"
    )
    now = "2026-12-01 10:00:00.000000"
    with empty_engine.begin() as connection:
        for subject, sent, failed in (("queued", None, None), ("sent", now, None), ("given up", None, now)):
            connection.execute(insert, {"subject": subject, "now": now, "sent": sent, "failed": failed})
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        rows = connection.execute(text("SELECT subject, body FROM mail_outbox ORDER BY id")).all()
    assert [tuple(row) for row in rows] == [("queued", "link"), ("sent", ""), ("given up", "")]


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command  # noqa: PLC0415

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def versions(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(text("SELECT version_num FROM alembic_version")))


def deployment_ini(engine: Engine, directory: Path, **overrides: str) -> Path:
    """An ini file on ``engine``'s database whose schema comes from ``backrest migrate``, as in production."""
    url = engine.url.render_as_string(hide_password=False)
    settings = make_settings(url, directory / "mail", **{"backrest.db.auto_migrate": "false", **overrides})
    return write_ini(directory / "deployment.ini", settings)


def start_migrate(ini: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(BACKREST), "migrate", str(ini)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
    )


def waiting_for_the_migration_lock(connection: Connection) -> int:
    """How many sessions wait for the advisory lock of migrations on ``connection``'s database."""
    return connection.scalar(
        text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND classid = :high AND objid = :low"
        ),
        {"high": MIGRATION_LOCK >> 32, "low": MIGRATION_LOCK & 0xFFFFFFFF},
    )


def has_open(pid: int, path: Path) -> bool:
    """Whether process ``pid`` has the file at ``path`` open."""
    with contextlib.suppress(FileNotFoundError):
        descriptors = Path(f"/proc/{pid}/fd")
        return any(Path(os.path.realpath(descriptor)) == path for descriptor in descriptors.iterdir())
    return False


@contextlib.contextmanager
def migrating_already(engine: Engine) -> Iterator[Callable[[Sequence[subprocess.Popen[str]]], bool]]:
    """Hold what a migrating process holds until the block ends; yields whether ``processes`` wait for it."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_lock(MIGRATION_LOCK)))
            try:
                yield lambda processes: waiting_for_the_migration_lock(connection) == len(processes)
            finally:
                connection.execute(select(func.pg_advisory_unlock(MIGRATION_LOCK)))
                connection.commit()
            return
        # SQLite's write lock; a process that has opened the file next takes it, or waits for it.
        database = Path(engine.url.database).resolve()
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield lambda processes: all(has_open(process.pid, database) for process in processes)
        finally:
            connection.rollback()


def test_migrations_started_at_once_run_one_after_the_other(empty_engine, tmp_path):
    ini = deployment_ini(empty_engine, tmp_path)
    with migrating_already(empty_engine) as waiting:
        processes = [start_migrate(ini) for _ in range(2)]
        wait_for(lambda: waiting(processes), "both processes wait for the one migrating", TIMEOUT)
    outputs = [process.communicate(timeout=TIMEOUT) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    assert [stdout for stdout, _ in outputs] == ["database is up to date\n"] * 2
    assert versions(empty_engine) == [head()]
    assert differences(empty_engine) == []


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_migrate_applies_the_jobs_schema_once_and_check_reports_it(empty_engine, tmp_path):
    ini = deployment_ini(empty_engine, tmp_path, **{"backrest.jobs": "procrastinate"})
    before = backrest("check", str(ini))
    assert lines(before.stdout)["jobs"] == "FAILED: no procrastinate schema: run backrest migrate"
    worker = backrest("worker", str(ini))
    assert (worker.returncode, worker.stderr) == (
        1,
        "backrest: no procrastinate schema: run backrest migrate\n",
    )
    processes = [start_migrate(ini) for _ in range(2)]
    outputs = [process.communicate(timeout=TIMEOUT) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    again = backrest("migrate", str(ini))
    assert (again.returncode, again.stdout) == (0, "database is up to date\n"), again.stderr
    after = backrest("check", str(ini))
    assert after.returncode == 0, after.stdout + after.stderr
    assert lines(after.stdout)["jobs"] == "ok"
    assert differences(empty_engine) == []


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_migration_blocked_by_a_long_transaction_gives_up_and_lets_requests_through(empty_engine, tmp_path):
    upgrade(empty_engine, "0011")
    ini = deployment_ini(empty_engine, tmp_path, **{"backrest.db.migration_lock_timeout": "2"})
    request_took: list[float] = []

    def write_users(connection: Connection) -> None:
        started = time.monotonic()
        connection.execute(text("UPDATE users SET modified = modified WHERE id = 'nobody'"))
        connection.commit()
        request_took.append(time.monotonic() - started)

    with empty_engine.connect() as long_transaction, empty_engine.connect() as request:
        # What a request that wrote to users holds until it ends: 0012's foreign keys to users wait for it.
        long_transaction.execute(text("LOCK TABLE users IN ROW EXCLUSIVE MODE"))
        process = start_migrate(ini)
        # Another request's write to users, which queues behind the migration's wait.
        writer = threading.Thread(target=write_users, args=(request,))
        try:
            wait_for(lambda: waiting_on(long_transaction, "users"), "the migration waits for users", TIMEOUT)
            waiting_since = time.monotonic()
            writer.start()
            _, stderr = process.communicate(timeout=TIMEOUT)
            gave_up_after = time.monotonic() - waiting_since
            writer.join(timeout=TIMEOUT)
        finally:
            process.kill()
            long_transaction.rollback()
            if writer.is_alive():
                writer.join()
    assert process.returncode == 1
    assert stderr == (
        "backrest: a migration waited 2 s for a lock on users that another transaction holds, and gave up;"
        " the schema stays at revision 0011: retry later, or when that transaction has ended\n"
    )
    assert gave_up_after < 30
    assert request_took
    assert request_took[0] < 30
    assert versions(empty_engine) == ["0011"]
    assert "oauth_grants" not in inspect(empty_engine).get_table_names()


def waiting_on(connection: Connection, table: str) -> bool:
    """Whether a session waits for a lock on ``table``."""
    return (
        connection.scalar(
            text("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = CAST(:table AS regclass)"),
            {"table": table},
        )
        > 0
    )


CONCURRENT_INDEX = """
import sqlalchemy as sa
from alembic import op

from backrest.migrations import MIGRATION_LOCK, autocommit_block

revision = "concurrently"
down_revision = {down_revision!r}


def lock_timeout():
    if op.get_bind().dialect.name != "postgresql":
        return None
    return op.get_bind().scalar(sa.select(sa.func.current_setting("lock_timeout")))


def upgrade():
    before = lock_timeout()
    with autocommit_block():
        op.create_index("ix_users_created_concurrently", "users", ["created"], postgresql_concurrently=True)
        if op.get_bind().dialect.name == "postgresql":
            held = op.get_bind().scalar(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND pid = pg_backend_pid() AND classid = :high AND objid = :low"
                ),
                {{"high": MIGRATION_LOCK >> 32, "low": MIGRATION_LOCK & 0xFFFFFFFF}},
            )
            if held != 1 or lock_timeout() != "0":
                raise RuntimeError(f"in the block: lock held {{held}}, lock_timeout {{lock_timeout()}}")
    if lock_timeout() != before:
        raise RuntimeError(f"after the block: lock_timeout {{lock_timeout()}}, not {{before}}")


def downgrade():
    op.drop_index("ix_users_created_concurrently", "users")
"""


@pytest.fixture
def index_built_concurrently(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A migration after the last one that builds an index concurrently."""
    (tmp_path / "concurrently.py").write_text(CONCURRENT_INDEX.format(down_revision=head()))
    config = alembic_config()
    config.set_main_option("path_separator", "newline")
    config.set_main_option("version_locations", f"backrest:alembic/versions\n{tmp_path}")
    monkeypatch.setattr(migrations, "alembic_config", lambda: config)


def index_is_valid(engine: Engine) -> bool:
    if engine.dialect.name != "postgresql":
        return "ix_users_created_concurrently" in {
            index["name"] for index in inspect(engine).get_indexes("users")
        }
    with engine.connect() as connection:
        return connection.scalar(
            text("SELECT indisvalid FROM pg_index WHERE indexrelid = CAST(:name AS regclass)"),
            {"name": "ix_users_created_concurrently"},
        )


@pytest.mark.usefixtures("index_built_concurrently")
def test_a_migration_builds_an_index_concurrently_outside_its_transaction(empty_engine):
    upgrade(empty_engine)
    assert versions(empty_engine) == ["concurrently"]
    assert index_is_valid(empty_engine)


@pytest.mark.usefixtures("index_built_concurrently")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_index_built_concurrently_waits_for_writes_under_way_and_holds_up_no_request(empty_engine):
    upgrade(empty_engine, "0012")
    failed: list[Exception] = []

    def migrate() -> None:
        try:
            upgrade(empty_engine, lock_timeout=1)
        except Exception as error:  # noqa: BLE001 - reported by the test's thread
            failed.append(error)

    migration = threading.Thread(target=migrate)
    with empty_engine.connect() as long_transaction, empty_engine.connect() as request:
        long_transaction.execute(text("LOCK TABLE users IN ROW EXCLUSIVE MODE"))
        migration.start()
        try:
            wait_for(
                lambda: waiting_for_transactions(long_transaction), "the build waits for the writer", TIMEOUT
            )
            # Well past the lock timeout, the build still waits.
            time.sleep(3)
            assert migration.is_alive()
            started = time.monotonic()
            request.execute(text("UPDATE users SET modified = modified WHERE id = 'nobody'"))
            request.commit()
            assert time.monotonic() - started < 30
        finally:
            long_transaction.rollback()
            migration.join(timeout=TIMEOUT)
    assert failed == []
    assert versions(empty_engine) == ["concurrently"]
    assert index_is_valid(empty_engine)


def waiting_for_transactions(connection: Connection) -> bool:
    """Whether a session waits for other transactions to end (as CREATE INDEX CONCURRENTLY does)."""
    return (
        connection.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'virtualxid' AND NOT granted"))
        > 0
    )
