"""``production.ini`` as shipped, on several processes, with every part docs/deployment.rst names.

Nothing but the environment an operator writes: ``backrest migrate``
straight to the PostgreSQL primary, two ``pserve production.ini
http_port=...`` processes through PgBouncer in transaction mode, reading
content on a streaming standby, one Redis for the rate limits and the page
cache, file data in an S3-compatible store (SeaweedFS) that nginx sends,
mail over SMTP sent by a ``backrest worker`` from procrastinate's queue,
nginx rendered from ``deploy/nginx.conf`` in front; then ``backrest check``
on the same environment. A user signs up by mail, logs in, writes, uploads
and reads back, through nginx and through each process.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import PASSWORD
from tests.integration import test_nginx as nginx
from tests.integration.command import backrest
from tests.integration.conftest import smtp_server
from tests.integration.jobs import running_worker
from tests.integration.test_several_processes import AsNginx, ThroughNginx
from tests.servers import (
    S3_BUCKET,
    free_port,
    nginx_server,
    nginx_site_config,
    object_store,
    pgbouncer_server,
    postgresql_with_standby,
    pserve,
    redis_server,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.integration.conftest import Collector
    from tests.servers import ObjectStore

PRODUCTION_INI = Path(__file__).resolve().parents[2] / "production.ini"
PROCESSES = 2
FRONTEND = "https://app.example"
CONFIRM_TOKEN = re.compile(r"#token=([A-Za-z0-9_-]+)")
MAIL_WAIT = 30.0
"""Seconds a mail may take to arrive over SMTP, on a busy machine."""
EMAIL = "grace@example.com"


def operator_environment(
    directory: Path,
    *,
    database_url: str,
    replica_url: str,
    redis_url: str,
    store: ObjectStore,
    smtp_port: int,
) -> dict[str, str]:
    """What docs/deployment.rst has an operator set, for every part of a site of several processes."""
    return {
        **store.environment,
        "BACKREST_SQLALCHEMY_URL": database_url,
        "BACKREST_DB_PREPARED_STATEMENTS": "false",
        "BACKREST_DB_REPLICA_URL": replica_url,
        "BACKREST_JOBS": "procrastinate",
        "BACKREST_KEYS_PEPPER": secrets.token_urlsafe(48),
        "BACKREST_THROTTLE_DEVICE_SECRET": secrets.token_urlsafe(48),
        "BACKREST_MAIL_SMTP_HOST": "127.0.0.1",
        "BACKREST_MAIL_SMTP_PORT": str(smtp_port),
        "BACKREST_MAIL_SMTP_TLS": "false",
        "BACKREST_URLS_FRONTEND": FRONTEND,
        "BACKREST_CORS_ORIGINS": FRONTEND,
        "BACKREST_REDIS_URL": redis_url.replace("/0", "/1"),
        "BACKREST_CACHE_URL": redis_url,
        "BACKREST_FILES_ROOT": str(directory / "uploads"),
        "BACKREST_FILES_STORAGE": "s3",
        "BACKREST_FILES_S3_ENDPOINT_URL": store.endpoint_url,
        "BACKREST_FILES_S3_BUCKET": S3_BUCKET,
        "BACKREST_FILES_S3_REGION": "us-east-1",
        "BACKREST_FILES_X_ACCEL_REDIRECT": "/_store/",
    }


@dataclass
class Site:
    """nginx on ``port`` before the processes on ``ports``, as the operator's ``variables`` set them up."""

    port: int
    tls: ssl.SSLContext
    ports: list[int]
    variables: dict[str, str]
    mail: Collector
    store: ObjectStore
    uploads: Path

    def client(self) -> ThroughNginx:
        return ThroughNginx(self.port, tls=self.tls)

    def direct(self, process: int, like: ThroughNginx) -> AsNginx:
        """``like``'s session on process number ``process``, with the headers nginx adds."""
        return AsNginx(
            self.ports[process],
            session=like.session,
            csrf_token=like.csrf_token,
            site_port=self.port,
            address=like.address,
        )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("production")
    smtp_port = free_port()
    logs = [directory / f"process-{n}.log" for n in range(PROCESSES)]
    worker_log = directory / "worker.log"
    with contextlib.ExitStack() as stack:
        cluster = stack.enter_context(postgresql_with_standby())
        database_url = cluster.primary.url
        store = stack.enter_context(object_store())
        redis_url = stack.enter_context(redis_server())
        mail = stack.enter_context(smtp_server(smtp_port))
        through_pgbouncer = stack.enter_context(pgbouncer_server(database_url, pool_size=4))
        variables = operator_environment(
            directory,
            database_url=through_pgbouncer,
            replica_url=cluster.standby.url,
            redis_url=redis_url,
            store=store,
            smtp_port=smtp_port,
        )
        # Migrations go to PostgreSQL itself, not through PgBouncer.
        migrated = backrest(
            "migrate", str(PRODUCTION_INI), **{**variables, "BACKREST_SQLALCHEMY_URL": database_url}
        )
        assert migrated.returncode == 0, migrated.stderr
        ports = [free_port() for _ in range(PROCESSES)]
        for port, log in zip(ports, logs, strict=True):
            stack.enter_context(
                pserve(PRODUCTION_INI, port, log, arguments=[f"http_port={port}"], variables=variables)
            )
        worker = stack.enter_context(running_worker(PRODUCTION_INI, worker_log, variables=variables))
        site_port = free_port()
        config, certificate = nginx_site_config(directory, site_port, free_port(), ports, directory / "blobs")
        stack.enter_context(nginx_server(config, site_port))
        tls = ssl.create_default_context(cafile=str(certificate))
        yield Site(site_port, tls, ports, variables, mail, store, directory / "uploads")
        # As systemd stops it: the job under way finishes, and it exits.
        assert worker.terminate() == 0
    for log in [*logs, worker_log]:
        assert "Traceback" not in log.read_text()


def mailed_token(mail: Collector, recipient: str) -> str:
    """The token of the last mail to ``recipient``, once it came over SMTP."""
    deadline = time.monotonic() + MAIL_WAIT
    while time.monotonic() < deadline:
        for received in reversed(mail.received):
            if recipient in received.rcpt_tos:
                return CONFIRM_TOKEN.search(received.body)[1]
        time.sleep(0.1)
    pytest.fail(f"no mail to {recipient} in {MAIL_WAIT} seconds")


@pytest.fixture(scope="module")
def grace(site: Site) -> ThroughNginx:
    """Grace, signed up by mail and logged in through nginx, as a frontend does."""
    client = site.client()
    signed_up = client.request(
        "POST", "/-/signup", {"email": EMAIL, "password": PASSWORD, "firstname": "Grace"}
    )
    assert signed_up.status == 201, signed_up.body
    confirmed = client.request("POST", f"/-/confirm/{mailed_token(site.mail, EMAIL)}")
    assert confirmed.status == 200, confirmed.body
    logged_in = client.request("PUT", "/-/login", {"login": EMAIL, "password": PASSWORD})
    assert logged_in.status == 200, logged_in.body
    client.csrf_token = logged_in.json["csrf_token"]
    return client


def test_every_process_reads_what_another_wrote(site, grace):
    created = grace.post("/-/documents/", {"title": "Draft"})
    assert created.status == 201, created.body
    path = f"/-/documents/{created.json['__meta__']['id']}"
    etag = created.headers["ETag"]
    for writer in range(PROCESSES):
        title = f"Written through process {writer}"
        written = site.direct(writer, grace).put(path, {"title": title}, **{"If-Match": etag})
        assert written.status == 200, written.body
        etag = written.headers["ETag"]
        for reader in range(PROCESSES):
            read = site.direct(reader, grace).get(path)
            assert (read.status, read.headers["ETag"], read.json["title"]) == (200, etag, title)
            page = site.direct(reader, grace).get("/-/documents/?ordering=-modified")
            assert page.json["results"][0]["title"] == title


def test_file_data_is_in_the_store_and_nginx_sends_it(site, grace):
    data = os.urandom(300 * 1024 + 7)
    body, form_type = nginx.multipart({"description": "report"}, "report.pdf", "application/pdf", data)
    uploaded = grace.request("POST", "/-/files/", body, **{"Content-Type": form_type})
    assert uploaded.status == 201, uploaded.body
    sha256 = hashlib.sha256(data).hexdigest()
    stored = site.store.client().get_object(
        Bucket=S3_BUCKET, Key=f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"
    )
    assert stored["Body"].read() == data
    # The processes' own disk keeps uploads in flight only.
    assert [path for path in site.uploads.rglob("*") if path.is_file()] == []
    downloaded = grace.get(nginx.path_of(uploaded.json["download"]))
    assert (downloaded.status, downloaded.body) == (200, data)


def test_the_heartbeat_and_the_check_find_every_part(site):
    heartbeat = site.client().request("GET", "/-/heartbeat")
    assert heartbeat.status == 200, heartbeat.body
    assert set(heartbeat.json["checks"].values()) == {"ok"}
    checked = backrest("check", str(PRODUCTION_INI), **site.variables)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    parts = dict(line.split(None, 1) for line in checked.stdout.splitlines() if line.strip())
    assert parts == dict.fromkeys(
        ("settings", "database", "migrations", "jobs", "replica", "files", "redis", "cache", "mail"), "ok"
    )
