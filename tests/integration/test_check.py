"""``backrest check``: a line for each part the settings name, and exit 1 when one does not answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.command import backrest, write_ini
from tests.integration.conftest import smtp_server
from tests.servers import free_port, postgresql_with_standby, redis_server


def settings_in(directory: Path, **overrides: str) -> dict[str, str]:
    return {
        "sqlalchemy.url": f"sqlite:///{directory / 'backrest.sqlite'}",
        "backrest.files.root": str(directory / "files"),
        "backrest.mail.transport": "file",
        "backrest.mail.directory": str(directory / "mail"),
        **overrides,
    }


def lines(output: str) -> dict[str, str]:
    """The command's report: what it said of each part."""
    return dict(line.split(None, 1) for line in output.splitlines() if line.strip())


def test_every_part_answers(tmp_path):
    with redis_server() as redis_url:
        port = free_port()
        ini = write_ini(
            tmp_path / "site.ini",
            settings_in(
                tmp_path,
                **{
                    "backrest.redis_url": redis_url,
                    "backrest.cache.url": redis_url,
                    "backrest.mail.transport": "smtp",
                    "backrest.mail.smtp.host": "127.0.0.1",
                    "backrest.mail.smtp.port": str(port),
                },
            ),
        )
        assert backrest("migrate", str(ini)).returncode == 0
        with smtp_server(port) as collector:
            run = backrest("check", str(ini))
    assert run.returncode == 0, run.stderr
    assert lines(run.stdout) == dict.fromkeys(
        ("settings", "database", "migrations", "files", "redis", "cache", "mail"), "ok"
    )
    assert collector.received == []


def test_each_part_that_does_not_answer_is_named(tmp_path):
    closed = free_port()
    (tmp_path / "files").write_text("a file where the storage's directory should be")
    ini = write_ini(
        tmp_path / "site.ini",
        settings_in(
            tmp_path,
            **{
                "backrest.redis_url": f"redis://127.0.0.1:{closed}/0",
                "backrest.cache.url": f"redis://127.0.0.1:{closed}/1",
                "backrest.mail.transport": "smtp",
                "backrest.mail.smtp.host": "127.0.0.1",
                "backrest.mail.smtp.port": str(closed),
            },
        ),
    )
    run = backrest("check", str(ini))
    assert run.returncode == 1
    said = lines(run.stdout)
    assert said["settings"] == said["database"] == "ok"
    assert said["migrations"] == "FAILED: behind this version: run backrest migrate"
    for part in ("files", "redis", "cache", "mail"):
        assert said[part].startswith("FAILED: "), part
    assert "backrest: 5 parts failed: migrations, files, redis, cache, mail" in run.stderr
    assert "Traceback" not in run.stderr


def test_settings_that_do_not_hold_are_said_first(tmp_path):
    ini = write_ini(tmp_path / "site.ini", settings_in(tmp_path, **{"backrest.mail.transport": "pigeon"}))
    run = backrest("check", str(ini))
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr.startswith("backrest: the settings: ")
    assert "backrest.mail.transport" in run.stderr


@pytest.mark.parametrize("command", ["migrate", "send-mail", "gc", "worker"])
def test_every_operator_command_refuses_settings_that_do_not_hold_without_a_traceback(tmp_path, command):
    ini = write_ini(tmp_path / "site.ini", settings_in(tmp_path, **{"backrest.cache.ttl": "a minute"}))
    run = backrest(command, str(ini))
    assert run.returncode == 1
    assert run.stderr.startswith("backrest: the settings: setting backrest.cache.ttl: "), run.stderr
    assert "Traceback" not in run.stderr


def test_a_read_replica_must_be_a_standby(tmp_path):
    with postgresql_with_standby() as cluster:
        primary = cluster.primary.url
        settings = settings_in(tmp_path, **{"sqlalchemy.url": primary})
        assert backrest("migrate", str(write_ini(tmp_path / "migrate.ini", settings))).returncode == 0
        standby = write_ini(
            tmp_path / "standby.ini", {**settings, "backrest.db.replica_url": cluster.standby.url}
        )
        run = backrest("check", str(standby))
        assert run.returncode == 0, run.stdout + run.stderr
        assert lines(run.stdout)["replica"] == "ok"
        # The primary named as its own replica: reads there would be right, but no load would move.
        itself = write_ini(tmp_path / "itself.ini", {**settings, "backrest.db.replica_url": primary})
        run = backrest("check", str(itself))
    assert run.returncode == 1
    assert (
        lines(run.stdout)["replica"]
        == "FAILED: is no standby: it replays no primary (backrest.db.replica_url)"
    )
