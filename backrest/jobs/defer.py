"""Deferring a job in the request's own transaction: a request that rolls back queues nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zope.sqlalchemy import mark_changed

from backrest.jobs.tasks import DELIVER_MAIL

if TYPE_CHECKING:
    import procrastinate
    from sqlalchemy.orm import Session


def defer_delivery(app: procrastinate.App, dbsession: Session, outbox_id: int) -> int:
    """Queue the delivery of outbox row ``outbox_id`` with the rest of ``dbsession``'s transaction.

    The job is written on the session's own connection, the driver's under
    SQLAlchemy's: procrastinate only needs a psycopg connection. The session
    is marked changed, since zope.sqlalchemy would otherwise roll back a
    transaction whose only write it did not see. Answers the job's id.
    """
    connection = dbsession.connection().connection.driver_connection
    job_id = app.tasks[DELIVER_MAIL].configure(connection=connection).defer(outbox_id=outbox_id)
    mark_changed(dbsession)
    return job_id
