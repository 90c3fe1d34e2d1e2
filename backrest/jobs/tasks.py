"""The jobs of backrest and their schedules, on a procrastinate app built from the settings.

Each process builds its app once, with the application: the serving
processes defer with it, on the request's connection
(:mod:`backrest.jobs.defer`), and ``backrest worker`` runs the jobs with it
(:mod:`backrest.jobs.worker`).
A job finds the application's registry in its context, as
``additional_context["registry"]``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import procrastinate
from procrastinate.exceptions import ConnectorException
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from sqlalchemy.exc import DBAPIError

from backrest.db import utcnow
from backrest.errors import database_unavailable, unavailable_reason
from backrest.files.gc import collect_garbage
from backrest.mail.outbox import MAX_BACKOFF_EXPONENT, Outcome, purge_sent

if TYPE_CHECKING:
    from procrastinate.job_context import JobContext
    from procrastinate.jobs import Job
    from pyramid.registry import Registry

log = logging.getLogger(__name__)

DELIVER_MAIL = "backrest.deliver_mail"
COLLECT_GARBAGE = "backrest.collect_garbage"
PRUNE = "backrest.prune"
RECOVER_STALLED = "backrest.recover_stalled"
MAIL_QUEUE = "mail"
UPKEEP_QUEUE = "upkeep"
PRUNE_SCHEDULE = "41 * * * *"
"""Hourly: finished jobs and sent mail are kept for days, an hour more does not matter."""


class DeliveryDeferredError(Exception):
    """Not delivered yet: the job is run again after a delay that doubles each time.

    The transport or the database failed, or another worker holds the message.
    """


class DeliveryAbandonedError(Exception):
    """The message failed ``backrest.mail.max_attempts`` times: its row says so, and so does the job."""


class Backoff(BaseRetryStrategy):
    """``backrest.mail.retry_delay`` seconds, doubled at each attempt, as the outbox's thread waits."""

    def __init__(self, delay: int) -> None:
        self.delay = delay

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if not isinstance(exception, DeliveryDeferredError):
            return None
        return RetryDecision(retry_in={"seconds": self.delay * 2 ** min(job.attempts, MAX_BACKOFF_EXPONENT)})


def _registry(context: JobContext) -> Registry:
    return context.additional_context["registry"]


def deliver_mail(context: JobContext, outbox_id: int) -> None:
    """Send outbox row ``outbox_id``; raise to be retried when the transport or the database fails."""
    try:
        outcome = _registry(context)["mail_worker"].attempt(outbox_id)
    except DBAPIError as error:
        if not database_unavailable(error):
            raise
        msg = f"mail {outbox_id} waits: the database does not answer: {unavailable_reason(error)}"
        raise DeliveryDeferredError(msg) from error
    if outcome is Outcome.RETRY:
        msg = f"mail {outbox_id} not delivered: tried again later"
        raise DeliveryDeferredError(msg)
    if outcome is Outcome.BUSY:
        # Another job sends it, perhaps from a worker cut off that will never commit: looked at again later.
        msg = f"mail {outbox_id} is being sent by another worker: looked at again later"
        raise DeliveryDeferredError(msg)
    if outcome is Outcome.GAVE_UP:
        msg = f"mail {outbox_id} failed for good"
        raise DeliveryAbandonedError(msg)


def collect_garbage_job(context: JobContext, timestamp: int) -> None:
    """``backrest gc``, on ``backrest.jobs.gc_schedule``."""
    log.info("gc: %s", collect_garbage(_registry(context)).report().replace("\n", "; "))


async def prune(context: JobContext, timestamp: int) -> None:
    """Delete jobs finished more than ``backrest.jobs.keep_finished`` hours ago, and old sent mail."""
    registry = _registry(context)
    await context.app.job_manager.delete_old_jobs(
        nb_hours=registry.settings["backrest.jobs.keep_finished"],
        include_failed=True,
        include_cancelled=True,
        include_aborted=True,
    )
    await asyncio.to_thread(purge_sent, registry["dbsession_factory"], utcnow())


async def recover_stalled(context: JobContext, timestamp: int) -> None:
    """Run again the jobs of workers that stopped sending heartbeats: killed, or cut off.

    A job that was sending mail when its worker died may have sent it: the
    resend carries the same ``Message-ID``.
    """
    manager = context.app.job_manager
    timeout = _registry(context).settings["backrest.jobs.stalled_timeout"]
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=timeout):
        log.warning("job %s (%s) stalled: its worker stopped, running it again", job.id, job.task_name)
        try:
            await manager.retry_job(job)
        except ConnectorException:
            # Finished, or retried by another worker, since it was found.
            log.info("job %s was no longer stalled", job.id)


def recovery_schedule(stalled_timeout: int) -> str:
    """Every third of the timeout (in a cron expression's sixth field, seconds), at most once a minute."""
    return f"* * * * * */{max(1, min(stalled_timeout // 3, 59))}"


def jobs_app(settings: dict[str, Any]) -> procrastinate.App:
    """The app with backrest's tasks, on a connector that only defers on given connections.

    ``backrest worker`` gives it a connector of its own (:mod:`backrest.jobs.worker`).
    """
    app = procrastinate.App(connector=procrastinate.SyncPsycopgConnector())
    app.task(
        name=DELIVER_MAIL,
        queue=MAIL_QUEUE,
        pass_context=True,
        retry=Backoff(settings["backrest.mail.retry_delay"]),
    )(deliver_mail)
    periodic = (
        (COLLECT_GARBAGE, collect_garbage_job, settings["backrest.jobs.gc_schedule"]),
        (PRUNE, prune, PRUNE_SCHEDULE),
        (RECOVER_STALLED, recover_stalled, recovery_schedule(settings["backrest.jobs.stalled_timeout"])),
    )
    for name, function, cron in periodic:
        task = app.task(name=name, queue=UPKEEP_QUEUE, pass_context=True)(function)
        app.periodic(cron=cron, periodic_id=name)(task)
    return app
