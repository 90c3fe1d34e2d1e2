"""How a mail job of ``backrest worker`` ends: done, run again after a doubling delay, or failed for good."""

from __future__ import annotations

import types
from datetime import UTC, datetime
from typing import Any

import pytest
from procrastinate.jobs import Job
from sqlalchemy.exc import OperationalError, ProgrammingError

from backrest.jobs.tasks import (
    DELIVER_MAIL,
    MAIL_QUEUE,
    Backoff,
    DeliveryAbandonedError,
    DeliveryDeferredError,
    deliver_mail,
)
from backrest.mail.outbox import Outcome

RETRY_DELAY = 30


class Deliverer:
    """The outbox's deliverer, answering ``outcome`` (or raising it) for any message."""

    def __init__(self, outcome: Outcome | Exception) -> None:
        self.outcome = outcome

    def attempt(self, outbox_id: int) -> Outcome:
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


def run(outcome: Outcome | Exception) -> None:
    context: Any = types.SimpleNamespace(additional_context={"registry": {"mail_worker": Deliverer(outcome)}})
    deliver_mail(context, outbox_id=7)


def retried_in(error: BaseException, attempts: int) -> int | None:
    """Seconds until the job runs again, after it failed ``attempts + 1`` times; None: never."""
    job = Job(queue=MAIL_QUEUE, lock=None, queueing_lock=None, task_name=DELIVER_MAIL, attempts=attempts)
    decision = Backoff(RETRY_DELAY).get_retry_decision(exception=error, job=job)
    if decision is None:
        return None
    return round((decision.retry_at - datetime.now(UTC)).total_seconds())


@pytest.mark.parametrize("outcome", [Outcome.SENT, Outcome.SETTLED])
def test_a_message_sent_now_or_before_ends_its_job(outcome):
    run(outcome)


def test_a_transport_that_fails_has_the_job_run_again_after_a_doubling_delay():
    with pytest.raises(DeliveryDeferredError, match="mail 7 not delivered") as raised:
        run(Outcome.RETRY)
    assert [retried_in(raised.value, attempts) for attempts in range(3)] == [30, 60, 120]


def test_a_message_another_worker_is_sending_is_looked_at_again_later():
    with pytest.raises(DeliveryDeferredError, match="mail 7 is being sent by another worker") as raised:
        run(Outcome.BUSY)
    assert retried_in(raised.value, 0) == RETRY_DELAY


def test_a_message_given_up_fails_its_job_for_good():
    with pytest.raises(DeliveryAbandonedError, match="mail 7 failed for good") as raised:
        run(Outcome.GAVE_UP)
    assert retried_in(raised.value, 0) is None


def test_a_database_that_does_not_answer_has_the_job_run_again():
    down = OperationalError(
        "SELECT", {}, ConnectionRefusedError("connection refused"), connection_invalidated=True
    )
    with pytest.raises(DeliveryDeferredError, match="mail 7 waits: the database does not answer") as raised:
        run(down)
    assert retried_in(raised.value, 0) == RETRY_DELAY


def test_a_statement_that_fails_is_a_bug_and_not_run_again():
    broken = ProgrammingError("SELECT", {}, Exception("syntax error"))
    with pytest.raises(ProgrammingError) as raised:
        run(broken)
    assert retried_in(raised.value, 0) is None
