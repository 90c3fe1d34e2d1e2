"""Queueing mail in the request's transaction and delivering it after commit.

A message is a row written with the rest of the request, so a request that
rolls back sends nothing. Once the transaction commits, the worker is woken
and delivers; a transport that fails (an SMTP server that is down) leaves the
row for a later attempt, with a growing delay, and the committed request
never notices. Delivery is at least once: a process killed between sending
and marking may send a message again once its claim has lapsed; each message
carries the ``Message-ID`` chosen when it was queued, so a resend is
recognisably the same message. Once a message is sent or given up, its row
keeps no body: bodies hold token links.

With ``backrest.jobs = procrastinate`` the thread stays asleep: each message
is a job of ``backrest worker`` (:mod:`backrest.jobs`), which tries its row
with :meth:`OutboxWorker.attempt`.
"""

from __future__ import annotations

import enum
import logging
import threading
import uuid
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from backrest.db import utcnow
from backrest.errors import database_unavailable, unavailable_reason
from backrest.mail.models import OutboxMessage

if TYPE_CHECKING:
    from pyramid_mailer.message import Message
    from sqlalchemy.orm import Session, sessionmaker

    from backrest.mail.transports import Transport

log = logging.getLogger(__name__)

BATCH = 50
MAX_BACKOFF_EXPONENT = 8
IDLE_POLL_SECONDS = 30.0
KEEP_SENT = timedelta(days=7)
CLAIM_LEASE = timedelta(minutes=10)
"""A claimed message is left to its deliverer this long: longer than any send may take.
After it, another deliverer may try again (a process killed while sending)."""


def queue_mail(
    dbsession: Session,
    sender: str,
    recipient: str,
    subject: str,
    body: str,
) -> OutboxMessage:
    """Write a message to the outbox in ``dbsession``'s transaction."""
    message = OutboxMessage(
        sender=sender,
        recipients=[recipient],
        subject=subject,
        body=body,
        message_id=new_message_id(sender),
    )
    dbsession.add(message)
    dbsession.flush()
    return message


def new_message_id(sender: str) -> str:
    """A ``Message-ID`` of the sender's domain, unique without asking the machine its name."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def as_message(row: OutboxMessage) -> Message:
    # Imported by the process that delivers: those that only queue mail never need it.
    from pyramid_mailer.message import Message  # noqa: PLC0415

    headers = {"Message-ID": row.message_id} if row.message_id else {}
    return Message(
        subject=row.subject,
        sender=row.sender,
        recipients=row.recipients,
        body=row.body,
        extra_headers=headers,
    )


def purge_sent(session_factory: sessionmaker, now: datetime) -> int:
    """Delete the rows of messages sent more than ``KEEP_SENT`` ago; answers how many."""
    with session_factory() as dbsession:
        result = dbsession.execute(delete(OutboxMessage).where(OutboxMessage.sent < now - KEEP_SENT))
        dbsession.commit()
    return result.rowcount


class Outcome(enum.Enum):
    """What one attempt at one message came to."""

    SENT = "sent"
    RETRY = "retry"
    """The transport failed: the message waits for another attempt."""
    GAVE_UP = "gave up"
    SETTLED = "settled"
    """Sent or given up before, or gone: nothing was tried."""
    BUSY = "busy"
    """Another deliverer is sending it: whether it succeeds is not known yet."""


class OutboxWorker:
    """Delivers due outbox messages, in a thread of the serving process."""

    def __init__(
        self,
        session_factory: sessionmaker,
        transport: Transport,
        retry_delay: int,
        max_attempts: int,
    ) -> None:
        self.session_factory = session_factory
        self.transport = transport
        self.retry_delay = retry_delay
        self.max_attempts = max_attempts
        self._wakeup = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def deliver_due(self, now: datetime | None = None) -> int:
        """Try every due message once; answer how many were sent.

        Several deliverers may share one outbox (the thread of each serving
        process, ``backrest send-mail``): each message is claimed in a short
        transaction before it is sent, so only one of them sends it, and no
        lock is held while a slow mail server answers.
        """
        now = now or utcnow()
        sent = 0
        after = 0
        while True:
            due = self._due(now, after)
            for message_id, next_attempt in due:
                if self._claim(message_id, next_attempt, now):
                    sent += self._deliver(message_id, now)
            if len(due) < BATCH:
                break
            after = due[-1][0]
        purge_sent(self.session_factory, now)
        return sent

    def attempt(self, message_id: int) -> Outcome:
        """Try to send one message now, whether due or not: what a job of ``backrest worker`` does.

        The row stays locked while it is sent: a second deliverer finds it
        busy rather than send it too, and the lock goes with the connection of
        a process killed meanwhile, so the next attempt need not wait for a
        claim to lapse.
        """
        pending = (
            OutboxMessage.id == message_id,
            OutboxMessage.sent.is_(None),
            OutboxMessage.failed.is_(None),
        )
        with self.session_factory() as dbsession:
            row = dbsession.scalars(
                select(OutboxMessage).where(*pending).with_for_update(skip_locked=True)
            ).first()
            if row is None:
                # Settled, or locked: a read waits for no lock, and sees the row as it was before it.
                locked = dbsession.scalar(select(OutboxMessage.id).where(*pending))
                return Outcome.SETTLED if locked is None else Outcome.BUSY
            if self._attempt(row, utcnow()):
                outcome = Outcome.SENT
            else:
                outcome = Outcome.GAVE_UP if row.failed is not None else Outcome.RETRY
            dbsession.commit()
        return outcome

    def _due(self, now: datetime, after: int) -> list[tuple[int, datetime]]:
        """The next batch of due messages, by id: each is tried at most once per round."""
        with self.session_factory() as dbsession:
            rows = dbsession.execute(
                select(OutboxMessage.id, OutboxMessage.next_attempt)
                .where(
                    OutboxMessage.sent.is_(None),
                    OutboxMessage.failed.is_(None),
                    OutboxMessage.next_attempt <= now,
                    OutboxMessage.id > after,
                )
                .order_by(OutboxMessage.id)
                .limit(BATCH)
            )
            return [(row.id, row.next_attempt) for row in rows]

    def _claim(self, message_id: int, next_attempt: datetime, now: datetime) -> bool:
        """Take the message for ``CLAIM_LEASE``, unless another deliverer took it first."""
        with self.session_factory() as dbsession:
            result = dbsession.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message_id,
                    OutboxMessage.next_attempt == next_attempt,
                    OutboxMessage.sent.is_(None),
                )
                # From the time of the claim: a long round may have started long ago.
                .values(next_attempt=max(now, utcnow()) + CLAIM_LEASE)
            )
            dbsession.commit()
        return result.rowcount == 1

    def _deliver(self, message_id: int, now: datetime) -> int:
        with self.session_factory() as dbsession:
            row = dbsession.get(OutboxMessage, message_id)
            if row is None:
                return 0
            sent = self._attempt(row, now)
            dbsession.commit()
        return sent

    def _attempt(self, row: OutboxMessage, now: datetime) -> int:
        try:
            self.transport.send(as_message(row))
        except Exception as error:  # noqa: BLE001 - any failure means "try again later"
            row.attempts += 1
            row.last_error = f"{type(error).__name__}: {error}"[:1000]
            exponent = min(row.attempts - 1, MAX_BACKOFF_EXPONENT)
            row.next_attempt = now + timedelta(seconds=self.retry_delay * 2**exponent)
            if row.attempts >= self.max_attempts:
                row.failed = now
                row.forget_body()
                log.error("mail %s to %s failed for good: %s", row.id, row.recipients, row.last_error)  # noqa: TRY400 - the traceback says nothing more
            else:
                log.warning("mail %s not delivered (%s), retrying", row.id, row.last_error)
            return 0
        row.sent = now
        row.forget_body()
        return 1

    def wake(self) -> None:
        self._wakeup.set()

    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="backrest-mail", daemon=True)
                self._thread.start()
        self.wake()

    def _run(self) -> None:
        while True:
            self._wakeup.wait(IDLE_POLL_SECONDS)
            self._wakeup.clear()
            self.deliver_round()

    def deliver_round(self) -> None:
        """Deliver what is due; a failure is logged, and what was not sent waits for the next round."""
        try:
            self.deliver_due()
        except Exception as error:
            if isinstance(error, DBAPIError) and database_unavailable(error):
                log.warning("mail waits: the database does not answer: %s", unavailable_reason(error))
            else:
                log.exception("mail delivery failed")
