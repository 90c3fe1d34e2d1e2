"""Transactional mail: ``request.mail.send(...)`` queues, the outbox worker delivers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyramid.events import ApplicationCreated

from backrest.mail.outbox import OutboxWorker, queue_mail
from backrest.mail.transports import transport_from_settings

if TYPE_CHECKING:
    from pyramid.config import Configurator
    from pyramid.request import Request


class MailService:
    """Mail for one request: queued with its transaction, woken after its commit.

    With ``backrest.jobs = procrastinate`` each message is also a job, deferred
    in the same transaction, for ``backrest worker``; no thread is woken.
    """

    def __init__(self, request: Request) -> None:
        self.request = request
        self._hooked = False

    def send(self, recipient: str, subject: str, body: str) -> None:
        registry = self.request.registry
        settings = registry.settings
        dbsession = self.request.dbsession
        message = queue_mail(dbsession, settings["backrest.mail.sender"], recipient, subject, body)
        if "jobs_app" in registry:
            from backrest.jobs.defer import defer_delivery  # noqa: PLC0415 - only deployments with jobs have it

            defer_delivery(registry["jobs_app"], dbsession, message.id)
            return
        if not self._hooked:
            worker = self.request.registry["mail_worker"]
            self.request.tm.get().addAfterCommitHook(lambda committed: committed and worker.wake())
            self._hooked = True


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    worker = OutboxWorker(
        config.registry["dbsession_factory"],
        transport_from_settings(settings),
        retry_delay=settings["backrest.mail.retry_delay"],
        max_attempts=settings["backrest.mail.max_attempts"],
    )
    config.registry["mail_worker"] = worker
    config.add_request_method(MailService, "mail", reify=True)
    if settings["backrest.jobs"] == "procrastinate":
        from backrest.jobs.tasks import jobs_app  # noqa: PLC0415 - only deployments with jobs have it

        config.registry["jobs_app"] = jobs_app(settings)
        return
    if settings["backrest.mail.worker"]:
        config.add_subscriber(lambda _event: worker.start(), ApplicationCreated)
