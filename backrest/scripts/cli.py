"""The ``backrest`` command: operations on a deployment (by its ini file), calls to a service (by its URL)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from pyramid.paster import get_appsettings, setup_logging

from backrest.client.cli import add_client_commands, attach_dashed_values
from backrest.db import get_engine, get_session_factory
from backrest.files.gc import collect_garbage
from backrest.mail.outbox import OutboxWorker
from backrest.mail.transports import transport_from_settings
from backrest.migrations import MigrationLockedError, schema_steps, upgrade
from backrest.scripts import CommandError, settings_error
from backrest.scripts.application import loaded
from backrest.scripts.check import WIDTH
from backrest.scripts.check import check as check_parts
from backrest.scripts.create_user import checked_email, create_account
from backrest.scripts.new_password import read_new_password
from backrest.settings import resolve

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


def _settings(ini: str) -> dict[str, Any]:
    setup_logging(ini)
    try:
        return resolve(get_appsettings(ini, name="main"))
    except ValueError as error:
        raise settings_error(error) from error


def migrate(ini: str) -> None:
    """Create the schema, or bring it up to date."""
    settings = _settings(ini)
    try:
        upgrade(
            get_engine(settings),
            lock_timeout=settings["backrest.db.migration_lock_timeout"],
            then=schema_steps(settings),
        )
    except MigrationLockedError as error:
        raise CommandError(str(error)) from error
    print("database is up to date")  # noqa: T201


def check(ini: str) -> None:
    """Check the settings, and that every part they name answers: database, files, Redis, mail."""
    settings = _settings(ini)
    print(f"{'settings':<{WIDTH}}ok")  # noqa: T201
    check_parts(settings)


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


def gc(ini: str, grace: int | None) -> None:
    """Remove file data nothing refers to, older than the grace period; safe while the service runs."""
    # The application is loaded to learn its file types.
    with loaded(ini) as env:
        collected = collect_garbage(env["registry"], grace)
    print(collected.report())  # noqa: T201


def worker(ini: str, concurrency: int) -> None:
    """Run background jobs (backrest.jobs = procrastinate) until SIGTERM; the jobs in flight finish."""
    with loaded(ini) as env:
        registry = env["registry"]
        if registry.settings["backrest.jobs"] != "procrastinate":
            msg = "backrest worker runs the jobs of backrest.jobs = procrastinate; these settings have thread"
            raise CommandError(msg)
        from backrest.jobs.schema import ABSENT, schema_present  # noqa: PLC0415 - only deployments with jobs have it
        from backrest.jobs.worker import run_worker  # noqa: PLC0415

        if not schema_present(registry["db_engine"]):
            raise CommandError(ABSENT)
        run_worker(registry, concurrency)
    print("worker stopped: every job in flight finished")  # noqa: T201


def positive(text: str) -> int:
    """A count of at least 1."""
    if not text.isdigit() or int(text) < 1:
        msg = f"must be a whole number of at least 1, not {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return int(text)


def create_user(ini: str, email: str, *, admin: bool) -> None:
    """Create a confirmed account, its password from BACKREST_PASSWORD or typed twice."""
    email = checked_email(email)
    password = read_new_password()
    with loaded(ini) as env, env["request"].tm:
        user_id = create_account(env["request"], email, password, admin=admin).id
    print(f"created {'admin ' if admin else ''}account {email} ({user_id})")  # noqa: T201


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backrest", description=__doc__)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    def command(name: str, run: Callable[..., None]) -> argparse.ArgumentParser:
        description = run.__doc__ or ""
        subparser = commands.add_parser(name, help=description, description=description)
        subparser.add_argument("ini", metavar="INI", help="the deployment's ini file, e.g. production.ini")
        subparser.set_defaults(run=run)
        return subparser

    command("migrate", migrate)
    command("check", check)
    command("send-mail", send_mail)
    command("gc", gc).add_argument(
        "--grace",
        type=int,
        metavar="SECONDS",
        help="only what is older than this (default: backrest.files.gc_grace)",
    )
    command("worker", worker).add_argument(
        "--concurrency",
        type=positive,
        default=1,
        metavar="N",
        help="jobs run at once, each in a thread (default: 1)",
    )
    create = command("create-user", create_user)
    create.add_argument("email", metavar="EMAIL", help="the account's email address")
    create.add_argument("--admin", action="store_true", help="make the account an admin")
    add_client_commands(commands.add_parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    options = vars(_parser().parse_args(attach_dashed_values(arguments)))
    run = options.pop("run")
    try:
        run(**options)
    except CommandError as error:
        print(f"backrest: {error}", file=sys.stderr)  # noqa: T201
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
