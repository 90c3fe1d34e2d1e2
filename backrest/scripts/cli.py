"""The ``backrest`` command: operations on a deployment, named by its ini file."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from pyramid.paster import get_appsettings, setup_logging

from backrest.db import get_engine, get_session_factory
from backrest.mail.outbox import OutboxWorker
from backrest.mail.transports import transport_from_settings
from backrest.migrations import upgrade
from backrest.settings import resolve

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any


def _settings(ini: str) -> dict[str, Any]:
    setup_logging(ini)
    return resolve(get_appsettings(ini, name="main"))


def migrate(ini: str) -> None:
    """Create the schema, or bring it up to date."""
    upgrade(get_engine(_settings(ini)))
    print("database is up to date")  # noqa: T201


def send_mail(ini: str) -> None:
    """Deliver the mail that is due now (the service does this by itself)."""
    settings = _settings(ini)
    worker = OutboxWorker(
        get_session_factory(get_engine(settings)),
        transport_from_settings(settings),
        retry_delay=settings["backrest.mail.retry_delay"],
        max_attempts=settings["backrest.mail.max_attempts"],
    )
    print(f"{worker.deliver_due()} messages sent")  # noqa: T201


COMMANDS = {"migrate": migrate, "send-mail": send_mail}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="backrest", description=__doc__)
    parser.add_argument("command", choices=sorted(COMMANDS), help="what to do")
    parser.add_argument("ini", help="the deployment's ini file, e.g. production.ini")
    arguments = parser.parse_args(argv)
    COMMANDS[arguments.command](arguments.ini)
    return 0


if __name__ == "__main__":
    sys.exit(main())
