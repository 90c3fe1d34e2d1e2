"""The ``backrest`` command: operations on a deployment, named by its ini file."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from typing import TYPE_CHECKING

from pyramid.paster import bootstrap, get_appsettings, setup_logging

from backrest.db import get_engine, get_session_factory
from backrest.files.gc import collect
from backrest.files.quota import file_models
from backrest.mail.outbox import OutboxWorker
from backrest.mail.transports import transport_from_settings
from backrest.migrations import upgrade
from backrest.settings import environment_name, resolve

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any


def _settings(ini: str) -> dict[str, Any]:
    setup_logging(ini)
    return resolve(get_appsettings(ini, name="main"))


def migrate(ini: str, **_: Any) -> None:
    """Create the schema, or bring it up to date."""
    upgrade(get_engine(_settings(ini)))
    print("database is up to date")  # noqa: T201


def send_mail(ini: str, **_: Any) -> None:
    """Deliver the mail that is due now (the service does this by itself)."""
    settings = _settings(ini)
    worker = OutboxWorker(
        get_session_factory(get_engine(settings)),
        transport_from_settings(settings),
        retry_delay=settings["backrest.mail.retry_delay"],
        max_attempts=settings["backrest.mail.max_attempts"],
    )
    print(f"{worker.deliver_due()} messages sent")  # noqa: T201


def gc(ini: str, grace: int | None = None, **_: Any) -> None:
    """Remove file data nothing refers to, older than the grace period; safe while the service runs."""
    setup_logging(ini)
    # The application is loaded to learn its file types; its mail worker stays asleep.
    os.environ[environment_name("backrest.mail.worker")] = "false"
    with bootstrap(ini) as env:
        registry = env["registry"]
        seconds = registry.settings["backrest.files.gc_grace"] if grace is None else grace
        collected = collect(
            registry["db_engine"],
            registry["backrest.files"],
            file_models(registry),
            timedelta(seconds=seconds),
        )
    print(collected.report())  # noqa: T201


COMMANDS = {"migrate": migrate, "send-mail": send_mail, "gc": gc}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="backrest", description=__doc__)
    parser.add_argument("command", choices=sorted(COMMANDS), help="what to do")
    parser.add_argument("ini", help="the deployment's ini file, e.g. production.ini")
    parser.add_argument(
        "--grace",
        type=int,
        metavar="SECONDS",
        help="gc: only what is older than this (default: backrest.files.gc_grace)",
    )
    arguments = parser.parse_args(argv)
    COMMANDS[arguments.command](arguments.ini, grace=arguments.grace)
    return 0


if __name__ == "__main__":
    sys.exit(main())
