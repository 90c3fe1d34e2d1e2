"""Throughput and CPU per request as backrest processes are added behind nginx.

One command, from the repository's root:

    .venv/bin/python benchmarks/processes.py                          # 1, 2 and 4 processes
    .venv/bin/python benchmarks/processes.py --processes 1 2 --duration 5
    .venv/bin/python benchmarks/processes.py --help                   # every option

It builds the site of docs/deployment.rst on one machine: a throwaway
PostgreSQL cluster and Redis (the rate limits, shared by the processes) from
``tests/servers.py``, one user with ``--rows`` documents
(``benchmarks/seed.py``), N ``pserve`` processes (waitress, ``--threads``
threads each) on free 127.0.0.1 ports, and nginx rendered from
``deploy/nginx.conf`` with the N processes in its upstream. ``wrk`` loads
nginx over HTTPS with an API key, for each N in ``--processes`` and each
scenario (item GET, a list page of 20 with its count): a warm-up, then
``--duration`` timed seconds.

It prints, for each N and scenario: requests per second, p50 and p99
latency, responses with another status than 200 (and socket errors), and the
CPU seconds per request of backrest's processes together, of nginx and of
PostgreSQL (from ``/proc``, over the timed run). Throughput grows with N
only while there are idle CPUs; CPU per request is what must stay flat: it
rises when processes wait on something they share (a lock, a connection
pool, Redis). The last lines give each N's backrest CPU per request over
that of one process. ``docs/performance.rst`` has the figures.

As fast as the site answers, the processes compete for the CPUs with each
other, nginx, PostgreSQL and wrk, and once they outnumber the CPUs every
request also pays for that competition. ``--rate R`` offers R requests a
second instead (each connection waits before each request, wrk's
``delay()``), below what one process answers: the CPU per request is then
the work of a request alone, which is what adding processes must not change.

Needs ``wrk``, nginx, redis-server and PostgreSQL's server binaries
(``apt-get install -y wrk nginx redis-server postgresql postgresql-contrib``).
Nothing talks to anything but 127.0.0.1, and no process is pinned: N
processes share the machine's CPUs as they would in production.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import shutil
import ssl
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/servers.py

from backrest import main  # noqa: E402
from benchmarks import run as single  # noqa: E402  (its client, wrk runner and seeding)
from tests.servers import free_port, nginx_server, nginx_site_config, pserve, pserve_ini  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

SCENARIOS = (
    # name, wrk script
    ("item GET", "item_get.lua"),
    ("list of 20", "list.lua"),
)
PROXY_SETTINGS = {
    # As production.ini behind nginx: the client's address and scheme come from nginx.
    "backrest.trusted_proxies": "127.0.0.1",
    "backrest.session.secure": "true",
}


@dataclass
class Figures:
    processes: int
    scenario: str
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    unexpected: int
    codes: str
    cpu_ms: dict[str, float] = field(default_factory=dict)
    """CPU milliseconds per request, by who spent them: backrest, nginx, PostgreSQL."""


@dataclass
class Site:
    """What the load runs against, and the processes whose CPU it counts."""

    port: int
    backrest: list[int]
    nginx_directory: Path
    postmaster: int

    def cpu_seconds(self) -> dict[str, float]:
        nginx_master = int((self.nginx_directory / "nginx.pid").read_text())
        groups = {
            "backrest": self.backrest,
            "nginx": [nginx_master, *single.children(nginx_master)],
            "PostgreSQL": [self.postmaster, *single.children(self.postmaster)],
        }
        return {name: sum(map(single.process_cpu_seconds, pids)) for name, pids in groups.items()}


def https_client(port: int) -> single.Client:
    """benchmarks/run.py's client, speaking HTTPS to nginx (whose certificate is a throwaway)."""
    client = single.Client(port)
    tls = ssl.create_default_context()
    tls.check_hostname = False
    tls.verify_mode = ssl.CERT_NONE
    client.connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=tls)
    return client


@contextlib.contextmanager
def backrest_processes(
    directory: Path, settings: dict[str, str], count: int, threads: int
) -> Iterator[list[tuple[int, int]]]:
    """``count`` pserve processes, yielded as (port, pid) pairs once each listens."""
    with contextlib.ExitStack() as stack:
        started = []
        for number in range(count):
            port = free_port()
            ini = directory / f"server-{number}.ini"
            ini.write_text(pserve_ini(settings, port, single.LOGGING, threads))
            process = stack.enter_context(pserve(ini, port, directory / f"server-{number}.log"))
            started.append((port, process.pid))
        yield started


@contextlib.contextmanager
def site(
    directory: Path, settings: dict[str, str], count: int, threads: int, postmaster: int
) -> Iterator[Site]:
    """``count`` backrest processes behind nginx, rendered from the production template."""
    with backrest_processes(directory, settings, count, threads) as processes:
        nginx_directory = directory / f"nginx-{count}"
        nginx_directory.mkdir()
        port = free_port()
        config, _certificate = nginx_site_config(
            nginx_directory, port, free_port(), [port for port, _pid in processes], directory / "blobs"
        )
        with nginx_server(config, port) as nginx:
            yield Site(port, [pid for _port, pid in processes], nginx.directory, postmaster)


def load(
    where: Site, script: str, seconds: float, options: argparse.Namespace, env: dict[str, str]
) -> dict[str, str]:
    """The figures of wrk running ``script`` against the site for ``seconds``."""
    return single.run_wrk(
        script,
        where.port,
        seconds,
        connections=options.connections,
        cpu=None,
        env={**env, **offered_rate(options)},
        scheme="https",
    )


def offered_rate(options: argparse.Namespace) -> dict[str, str]:
    """The variables that make wrk offer ``--rate``: how long each connection waits before each request."""
    if options.rate is None:
        return {}
    return {"BENCH_DELAY_MS": str(round(1000 * options.connections / options.rate))}


def measure(where: Site, options: argparse.Namespace, env: dict[str, str], count: int) -> list[Figures]:
    figures = []
    for name, script in SCENARIOS:
        load(where, script, options.warmup, options, env)
        before = where.cpu_seconds()
        result = load(where, script, options.duration, options, env)
        after = where.cpu_seconds()
        requests = int(result["requests"])
        figures.append(
            Figures(
                count,
                name,
                requests,
                float(result["rps"]),
                float(result["p50_ms"]),
                float(result["p99_ms"]),
                single.unexpected(result["codes"], 200) + int(result["socket_errors"]),
                result["codes"],
                {who: 1000 * (after[who] - before[who]) / max(requests, 1) for who in before},
            )
        )
        single.log(f"{count} processes, {name}: {figures[-1].rps:,.0f} req/s, statuses {result['codes']}")
    return figures


def run_all(options: argparse.Namespace) -> list[Figures]:
    figures: list[Figures] = []
    with (
        tempfile.TemporaryDirectory(prefix="backrest-processes-") as tmp,
        single.database("postgresql", Path(tmp), None) as (url, postmaster),
        single.throttling("redis", None) as throttle,
    ):
        directory = Path(tmp)
        settings = {
            **single.app_settings(url, directory, options.threads),
            **throttle,
            **PROXY_SETTINGS,
            **dict(options.set),
        }
        app = main({}, **settings)
        try:
            ids = single.seed_database(app, options.rows)
        finally:
            app.registry["db_engine"].dispose()
        single.log(f"seeded {options.rows:,} documents")
        env = {"BENCH_IDS": single.write_lines(directory / "ids", single.Samples.draw(ids).get)}
        for count in options.processes:
            with site(directory, settings, count, options.threads, postmaster) as where:
                if "BENCH_AUTHORIZATION" not in env:  # the key lives in the database, for every site
                    client = https_client(where.port)
                    client.login()
                    env.update(client.authorization(single.TOKEN))
                figures.extend(measure(where, options, env, count))
                logs = "".join(path.read_text() for path in directory.glob("server-*.log"))
                if "Traceback" in logs:
                    single.log(f"a server logged an error:\n{logs[-3000:]}")
    return figures


def table(figures: Sequence[Figures]) -> str:
    head = (
        "processes",
        "scenario",
        "req/s",
        "p50 ms",
        "p99 ms",
        "unexpected",
        "backrest CPU ms/req",
        "nginx CPU ms/req",
        "PostgreSQL CPU ms/req",
    )
    rows = [head]
    rows.extend(
        (
            str(f.processes),
            f.scenario,
            f"{f.rps:,.0f}",
            f"{f.p50_ms:.2f}",
            f"{f.p99_ms:.2f}",
            str(f.unexpected) if not f.unexpected else f"{f.unexpected} ({f.codes})",
            f"{f.cpu_ms['backrest']:.2f}",
            f"{f.cpu_ms['nginx']:.2f}",
            f"{f.cpu_ms['PostgreSQL']:.2f}",
        )
        for f in figures
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def flatness(figures: Sequence[Figures]) -> str:
    """Each scenario's backrest CPU per request with N processes over that with the fewest."""
    lines = []
    for name, _script in SCENARIOS:
        mine = sorted((f for f in figures if f.scenario == name), key=lambda f: f.processes)
        if len(mine) < 2 or not mine[0].cpu_ms["backrest"]:  # noqa: PLR2004
            continue
        base = mine[0]
        ratios = ", ".join(
            f"{f.processes}: {f.cpu_ms['backrest'] / base.cpu_ms['backrest']:.2f}" for f in mine[1:]
        )
        lines.append(f"{name}: backrest CPU per request over that of {base.processes}: {ratios}")
    return "\n".join(lines)


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--processes", type=int, nargs="+", default=[1, 2, 4], help="backrest processes (default: 1 2 4)"
    )
    parser.add_argument("--rows", type=int, default=10_000, help="documents (default: 10000)")
    parser.add_argument("--duration", type=float, default=10, help="timed seconds per scenario (default: 10)")
    parser.add_argument("--warmup", type=float, default=3, help="warm-up seconds per scenario (default: 3)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default: 32)")
    parser.add_argument("--threads", type=int, default=4, help="waitress threads per process (default: 4)")
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="requests a second offered, about, instead of as many as answered (default: as many)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        type=lambda item: tuple(item.split("=", 1)),
        metavar="NAME=VALUE",
        help="an application setting for every process, e.g. --set backrest.cache.url=redis://...",
    )
    options = parser.parse_args(argv)
    if min(options.processes) < 1:
        parser.error("--processes must be at least 1")
    if options.rate is not None and options.rate <= 0:
        parser.error("--rate must be above 0")
    if options.rows < single.GET_SAMPLE:
        parser.error(f"--rows must be at least {single.GET_SAMPLE}")
    return options


def main_(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    for binary, package in (("wrk", "wrk"), ("nginx", "nginx"), ("redis-server", "redis-server")):
        if shutil.which(binary) is None:
            sys.exit(f"{binary} is not installed: apt-get install -y {package}")
    if single.postgres_bin_dir() is None:
        sys.exit("PostgreSQL is not installed: apt-get install -y postgresql postgresql-contrib")
    about = single.environment()
    single.log(f"{os.cpu_count()} CPUs; " + "; ".join(f"{name} {value}" for name, value in about.items()))
    if os.getloadavg()[0] > 0.5:  # noqa: PLR2004
        single.log(
            f"WARNING: the machine is busy (load average {os.getloadavg()[0]:.1f}): expect noisier figures"
        )
    started = time.monotonic()
    figures = run_all(options)
    print("\n" + table(figures) + "\n\n" + flatness(figures), flush=True)
    single.log(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
