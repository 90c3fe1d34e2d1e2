"""The mail queue's depth, counted in the database when a scraper asks.

Every process shares the outbox: the database knows its depth, whichever
process queued or delivered the messages. A gauge of each process would be
summed over them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from backrest.errors import database_unavailable, unavailable_reason
from backrest.mail.models import OutboxMessage

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

NAME = "backrest_mail_queue_depth"
HELP = "Messages in the outbox neither delivered nor given up."
UNDELIVERED = (
    select(func.count())
    .select_from(OutboxMessage)
    .where(OutboxMessage.sent.is_(None), OutboxMessage.failed.is_(None))
)


class MailQueueCollector(Collector):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def describe(self) -> list[GaugeMetricFamily]:
        """The metric's name, without a query: registering asks for it."""
        return [GaugeMetricFamily(NAME, HELP)]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The depth; nothing while the database does not answer, so that the other metrics still do."""
        try:
            with self.engine.connect() as connection:
                depth = connection.execute(UNDELIVERED).scalar_one()
        except DBAPIError as error:
            if not database_unavailable(error):
                raise
            # A scraper asks every few seconds: one line each time, as the mail worker says it.
            reason = unavailable_reason(error)
            log.warning(
                "metrics: the mail queue's depth is left out: the database does not answer: %s",
                reason,
            )
            return
        yield GaugeMetricFamily(NAME, HELP, value=depth)
