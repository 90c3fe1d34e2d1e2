"""Metrics and logs of real ``pserve`` processes: three that one scrape sums, and JSON log lines.

The processes share ``PROMETHEUS_MULTIPROC_DIR``, as the processes of one
site do: each writes its own values there, and a scrape of any of them
answers the sum over all.
"""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import PASSWORD
from tests.integration.test_server import Client, running_server
from tests.servers import free_port, pserve, pserve_ini

if TYPE_CHECKING:
    from pathlib import Path

    from tests.integration.test_server import Server

PROCESSES = 3
METRICS = {"backrest.metrics.enabled": "true", "backrest.mail.worker": "false"}
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
"""A scrape's values, by sample name and labels."""


def scrape(server: Server) -> Samples:
    reply = server.client().get("/-/metrics", Accept="text/plain")
    assert reply.status == 200, reply.body
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(reply.body.decode())
        for sample in family.samples
    }


def version_gets(scraped: Samples, name: str, **labels: str) -> float:
    """The sample ``name`` of ``GET /-/version``, with ``labels`` besides its route and method."""
    labels = {"route": "discovery.version", "method": "GET", **labels}
    return scraped.get((name, frozenset(labels.items())), 0.0)


def test_a_scrape_of_any_process_sums_every_process(clean_database, tmp_path, monkeypatch):
    shared = tmp_path / "prometheus"
    shared.mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(shared))
    with contextlib.ExitStack() as stack:
        servers = []
        for n in range(PROCESSES):
            directory = tmp_path / f"process-{n}"
            directory.mkdir()
            servers.append(stack.enter_context(running_server(directory, clean_database, **METRICS)))
        for n, server in enumerate(servers):
            for _ in range(n + 1):
                assert server.client().get("/-/version").status == 200
        signup = {"email": "ada@example.com", "password": PASSWORD}
        assert servers[0].client().post("/-/signup", signup).status == 201

        scrapes = [scrape(server) for server in servers]
        pids = {server.process.pid for server in servers}

    for scraped in scrapes:
        assert version_gets(scraped, "backrest_http_requests_total", status="200") == 1 + 2 + 3
        assert version_gets(scraped, "backrest_http_request_duration_seconds_count") == 1 + 2 + 3
    # Each process wrote its own file.
    assert {int(path.stem.rpartition("_")[2]) for path in shared.glob("counter_*.db")} == pids
    # The queue is the database's, whichever process is asked: one message, not one per process.
    assert [scraped[("backrest_mail_queue_depth", frozenset())] for scraped in scrapes] == [1] * PROCESSES


JSON_LOGGING = """[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = json

[logger_root]
level = INFO
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = json

[formatter_json]
class = backrest.observability.logs.JsonFormatter
format = %(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s
"""


def test_json_log_lines_carry_the_request_id(tmp_path: Path):
    port = free_port()
    settings = {
        "sqlalchemy.url": f"sqlite:///{tmp_path / 'backrest.sqlite'}",
        "backrest.db.auto_migrate": "true",
        "backrest.mail.directory": str(tmp_path / "mail"),
        "backrest.files.root": str(tmp_path / "files"),
    }
    ini = tmp_path / "server.ini"
    ini.write_text(pserve_ini(settings, port, JSON_LOGGING))
    log_path = tmp_path / "server.log"
    with pserve(ini, port, log_path, stdout_path=tmp_path / "stdout.log") as process:
        reply = Client(port).get("/-/heartbeat", **{"X-Request-Id": "abc-123"})
        assert reply.status == 200
    written = log_path.read_text().splitlines()
    # pserve's own line at start is no log record (pserve -q leaves it out).
    plain = [line for line in written if not line.startswith("{")]
    assert plain == [f"Starting server in PID {process.pid}."]
    lines = [json.loads(line) for line in written if line.startswith("{")]
    [answered] = [line for line in lines if line["request_id"] == "abc-123"]
    assert answered["name"] == "backrest.requests"
    assert answered["levelname"] == "INFO"
    assert answered["message"].startswith("GET /-/heartbeat 200 ")
    # Lines outside any request (waitress's start) have the dash.
    assert {line["request_id"] for line in lines} == {"abc-123", "-"}
