"""Background work in PostgreSQL with procrastinate (``backrest.jobs = procrastinate``).

Jobs are rows of procrastinate's tables in the application's own database,
written in the transaction of the request that wants them done
(:mod:`backrest.jobs.defer`), and run by ``backrest worker`` processes on any
machine (:mod:`backrest.jobs.worker`): mail deliveries, fed by the outbox, and
the periodic upkeep (:mod:`backrest.jobs.tasks`). docs/decisions/0004 says why.
"""
