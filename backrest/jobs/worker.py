"""``backrest worker``: a procrastinate worker for the application's jobs, stopping gracefully.

On SIGTERM (or SIGINT) it takes no new job, waits for those in flight and
returns; a second signal stops it at once, and the jobs it ran are run again
by another worker once its heartbeat is missed (``backrest.jobs.stalled_timeout``).
"""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING

import procrastinate
from sqlalchemy import make_url

if TYPE_CHECKING:
    from pyramid.registry import Registry

HEARTBEATS_PER_TIMEOUT = 4
"""A worker is stalled after missing this many heartbeats in a row."""


def conninfo(url: str) -> str:
    """The URL libpq reads, for SQLAlchemy's ``postgresql+psycopg://`` one."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def run_worker(registry: Registry, concurrency: int) -> None:
    """Run jobs until a signal stops the worker; ``concurrency`` jobs at once, each in a thread."""
    settings = registry.settings
    timeout = settings["backrest.jobs.stalled_timeout"]
    connector = procrastinate.PsycopgConnector(conninfo=conninfo(settings["sqlalchemy.url"]))
    # The application's app, which only defers, given a connector of its own to run jobs.
    with registry["jobs_app"].replace_connector(connector) as jobs:
        jobs.run_worker(
            name=f"{socket.gethostname()}:{os.getpid()}",
            concurrency=concurrency,
            additional_context={"registry": registry},
            update_heartbeat_interval=timeout / HEARTBEATS_PER_TIMEOUT,
            stalled_worker_timeout=timeout,
        )
