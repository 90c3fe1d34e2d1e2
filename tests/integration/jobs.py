"""What the tests of background jobs share: ``backrest worker`` processes and an SMTP server that stalls."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import threading
from typing import TYPE_CHECKING

from aiosmtpd.controller import Controller

from backrest.jobs.tasks import DELIVER_MAIL
from tests.integration.command import BACKREST, environment, write_ini
from tests.integration.conftest import Collector
from tests.servers import pserve_logging

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from pathlib import Path

    from aiosmtpd.smtp import SMTP, Envelope, Session

LOGGING = pserve_logging("INFO", backrest="DEBUG", procrastinate="INFO")
WAIT = 60.0
"""Seconds a test waits for what a worker does: far more than it takes, on a busy machine."""


def worker_ini(path: Path, settings: Mapping[str, str]) -> Path:
    """An ini file of ``settings`` whose logging shows what the worker does."""
    write_ini(path, settings)
    with path.open("a") as ini:
        ini.write("\n" + LOGGING)
    return path


class Worker:
    """``backrest worker INI``, its output in ``log_path``, with ``variables`` in its environment."""

    def __init__(
        self, ini: Path, log_path: Path, concurrency: int = 1, variables: Mapping[str, str] | None = None
    ) -> None:
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [str(BACKREST), "worker", str(ini), "--concurrency", str(concurrency)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=environment(**(variables or {})),
            )

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    @property
    def started(self) -> bool:
        """Whether it waits for jobs."""
        return "Starting worker on all queues" in self.log

    @property
    def deliveries(self) -> int:
        """How many mail jobs it started."""
        return self.log.count(f"Starting job {DELIVER_MAIL}[")

    def terminate(self) -> int:
        """SIGTERM, as systemd stops a unit; answers the exit status."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=WAIT)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=WAIT)


@contextlib.contextmanager
def running_worker(
    ini: Path, log_path: Path, concurrency: int = 1, variables: Mapping[str, str] | None = None
) -> Iterator[Worker]:
    worker = Worker(ini, log_path, concurrency, variables)
    try:
        yield worker
    finally:
        if worker.process.poll() is None:
            worker.kill()


class SlowCollector(Collector):
    """Takes a tenth of a second over each message, as a busy server does: deliveries overlap."""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        await asyncio.sleep(0.1)
        return await super().handle_DATA(server, session, envelope)


class StallingCollector(Collector):
    """Takes the first message in, then answers nothing until :attr:`release` is set.

    A worker that sends it sits in the middle of its job, as if the server were slow.
    """

    def __init__(self) -> None:
        super().__init__()
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        answer = await super().handle_DATA(server, session, envelope)
        if not self.stalled.is_set():
            self.stalled.set()
            await asyncio.to_thread(self.release.wait)
        return answer


@contextlib.contextmanager
def smtp_with(collector: Collector, port: int) -> Iterator[Collector]:
    """A real SMTP server on 127.0.0.1:``port`` with ``collector`` as its handler."""
    controller = Controller(collector, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield collector
    finally:
        if isinstance(collector, StallingCollector):
            collector.release.set()
        controller.stop()
