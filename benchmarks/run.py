"""How fast backrest answers over real HTTP, and whether it stays as fast as a collection grows.

One command, from the repository's root:

    .venv/bin/python benchmarks/run.py                        # 10 000 documents, SQLite and PostgreSQL
    .venv/bin/python benchmarks/run.py --rows 10000 1000000   # and a million (seeding: about 35 s each)
    .venv/bin/python benchmarks/run.py --backend sqlite --rows 10000 --duration 5
    .venv/bin/python benchmarks/run.py --help                 # every option

For each backend and size it makes a fresh database (a temporary SQLite file,
or a throwaway PostgreSQL cluster from ``tests/servers.py``), creates the
schema with the application's migrations, seeds one user and N documents
they own (``benchmarks/seed.py``), starts the service as a real ``pserve``
process (waitress, one process, 8 threads, logging at WARNING) on a free
127.0.0.1 port, logs in over HTTP, and loads it with ``wrk`` (one Lua script
per scenario, in ``benchmarks/wrk/``), each scenario for a warm-up and then
``--duration`` seconds: item GET (authenticated by the session cookie, by
an API key as ``Authorization: Token`` and as HTTP Basic, and by an OAuth
access token as ``Authorization: Bearer``), item GET answered
304, a list page of 20 with its count, a filtered and ordered list page, PUT
with If-Match, POST. Every request is counted against the caller's rate, at
rates the load never reaches, in the server's memory (``--throttle
memory``, the default, as production runs one process), in a throwaway Redis
(``--throttle redis``, as several processes do) or not at all (``--throttle
off``).

It prints, per backend and size: requests per second, p50 and p99 latency,
responses with another status than expected (and socket errors), the server's
CPU use, its peak resident memory (VmHWM), and the SQL statements per request
of each scenario, counted twice:

- by the application's engine (a SQLAlchemy ``before_cursor_execute``
  listener) while WebTest sends each scenario's request to an in-process
  application on the same database: the statements of one request, and for
  lists again with a page of 100, to show that the count does not grow with
  the page size;
- on PostgreSQL also by ``pg_stat_statements`` during the timed wrk run:
  statements the real server ran, divided by the requests it answered (the
  calls of the session lookup, which every request runs once). BEGIN and
  COMMIT are not counted (``track_utility`` is off).

Needs ``wrk`` (``apt-get install -y wrk``) and, for PostgreSQL, its server
binaries with the contrib modules (``apt-get install -y postgresql
postgresql-contrib``). Server and wrk are pinned to different CPUs with
``taskset`` when there are two (PostgreSQL shares wrk's CPU). Nothing talks
to anything but 127.0.0.1. ``docs/performance.rst`` has the figures.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import http.client
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/servers.py

from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402
from webtest import TestApp  # noqa: E402

from backrest import main  # noqa: E402
from backrest.migrations import upgrade  # noqa: E402
from benchmarks import machine, seed  # noqa: E402
from tests.servers import (  # noqa: E402
    _as_postgres_user,
    free_port,
    postgres_bin_dir,
    postgresql_server,
    pserve,
    pserve_ini,
    pserve_logging,
    redis_server,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from sqlalchemy.engine import Engine

HERE = Path(__file__).resolve().parent
WRK_SCRIPTS = HERE / "wrk"
COOKIE = "backrest_session"
LIST = "/-/documents/?page_size=20"
FILTERED = "/-/documents/?status=published&ordering=-title&page_size=20"
ETAG_SAMPLE = 1000
GET_SAMPLE = 10_000
PUT_WARMUP_SAMPLE = 200
CHEAP_ARGON2 = {
    # The user logs in once: the hash's cost is not what is measured.
    "backrest.password.argon2.time_cost": "1",
    "backrest.password.argon2.memory_cost": "1024",
    "backrest.password.argon2.parallelism": "1",
}
UNREACHED_RATES = {
    # Every request is counted, as in production, at rates the load never reaches.
    "backrest.throttle.anon": "1000000000/hour",
    "backrest.throttle.user": "1000000000/hour",
}
SESSION, TOKEN, BASIC, BEARER = "session", "token", "basic", "bearer"
ADMIN_EMAIL = "admin@example.com"
"""Registers the OAuth application whose access token the benchmark user gets."""
SCENARIOS = (
    # name, Lua script, expected status, how the caller authenticates
    ("item GET", "item_get.lua", 200, SESSION),
    ("item GET, Token", "item_get.lua", 200, TOKEN),
    ("item GET, Basic", "item_get.lua", 200, BASIC),
    ("item GET, Bearer", "item_get.lua", 200, BEARER),
    ("item GET 304", "item_304.lua", 304, SESSION),
    ("list of 20", "list.lua", 200, SESSION),
    ("filtered list", "list_filtered.lua", 200, SESSION),
    ("PUT If-Match", "put.lua", 200, SESSION),
    ("POST", "post.lua", 201, SESSION),
)
THROTTLES = ("memory", "redis", "off")
# "Task queue depth is N" (waitress.queue) is logged once per queued request whenever all threads are busy.
LOGGING = pserve_logging("WARNING", waitress_queue="ERROR")


LEGEND = """\
unexpected: answers with another status than the scenario's, and socket errors
server CPU: the server process's share of its CPU during the timed run
others: CPU used by other processes, the kernel or the hypervisor, in % of one CPU (noise if high)
SQL/req: statements of one request in-process, and with page_size=100 for lists
SQL/req under load: PostgreSQL's pg_stat_statements during the timed run, per request"""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- results


@dataclass
class Scenario:
    name: str
    expected: int
    requests: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    unexpected: int = 0
    """Responses with another status than ``expected``, plus socket errors."""
    codes: str = ""
    server_cpu_pct: float = 0.0
    others_cpu_pct: float | None = None
    """CPU time of processes that are not the benchmark's, in % of one CPU: noise."""
    sql: int | None = None
    """Statements of one request (in-process count)."""
    sql_page_100: int | None = None
    """Lists: the same with ``page_size=100``."""
    sql_under_load: float | None = None
    """PostgreSQL: pg_stat_statements calls per request during the timed run."""

    def summary(self) -> str:
        if not self.requests:
            return f"{self.name}: no answer within the run"
        return (
            f"{self.name}: {self.rps:,.0f} req/s, p50 {self.p50_ms:.2f} ms, p99 {self.p99_ms:.2f} ms, "
            f"statuses {self.codes}"
        )


@dataclass
class Run:
    backend: str
    rows: int
    seed_seconds: float = 0.0
    rss_start_mb: float = 0.0
    peak_rss_mb: float = 0.0
    scenarios: list[Scenario] = field(default_factory=list)
    plans: dict[str, list[str]] = field(default_factory=dict)


# ---------------------------------------------------------------- databases


def pin(pids: list[int], cpu: int | None) -> None:
    if cpu is None:
        return
    for pid in pids:
        subprocess.run(["taskset", "-a", "-p", "-c", str(cpu), str(pid)], capture_output=True, check=False)


def redis_pids(url: str) -> list[int]:
    """The redis-server processes listening on ``url``'s port."""
    port = url.rsplit(":", 1)[1].split("/", maxsplit=1)[0]
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            arguments = cmdline.read_bytes().split(b"\0")
            if arguments and arguments[0].endswith(b"redis-server") and port.encode() in arguments:
                found.append(int(cmdline.parent.name))
    return found


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def enable_pg_stat_statements(url: str, load_cpu: int | None) -> int:
    """Load pg_stat_statements (a restart: pg_ctl keeps the options the cluster started with)."""
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
        data = connection.exec_driver_sql("SHOW data_directory").scalar_one()
    prefix, _uid = _as_postgres_user()
    subprocess.run(
        [
            *prefix,
            str(postgres_bin_dir() / "pg_ctl"),
            "-D",
            data,
            "-w",
            "-m",
            "fast",
            "-l",
            f"{data}/../log",
            "restart",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        connection.exec_driver_sql("ALTER SYSTEM SET pg_stat_statements.track_utility = off")
        connection.exec_driver_sql("SELECT pg_reload_conf()")
    engine.dispose()
    postmaster = int(Path(data, "postmaster.pid").read_text().split()[0])
    pin([postmaster, *children(postmaster)], load_cpu)
    return postmaster


@contextlib.contextmanager
def database(backend: str, directory: Path, load_cpu: int | None) -> Iterator[tuple[str, int | None]]:
    """The database's URL, and the pid of PostgreSQL's postmaster."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'backrest.sqlite'}", None
        return
    with postgresql_server() as url:
        yield url, enable_pg_stat_statements(url, load_cpu)


class StatementCounter:
    """Statements per request from pg_stat_statements, its own queries aside.

    Every request looks its session up exactly once, so the calls of that
    query are the number of requests the server answered (including those
    still in flight when wrk stopped counting).
    """

    QUERY = (
        "SELECT coalesce(sum(calls), 0), coalesce(sum(calls) FILTER (WHERE query LIKE :session), 0) "
        "FROM pg_stat_statements "
        "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND query NOT LIKE :own"
    )

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")

    def reset(self) -> None:
        with self.engine.connect() as connection:
            connection.exec_driver_sql("SELECT pg_stat_statements_reset()")

    def per_request(self) -> float | None:
        parameters = {"own": "%pg_stat_statements%", "session": "%FROM sessions JOIN users%"}
        with self.engine.connect() as connection:
            calls, requests = connection.execute(text(self.QUERY), parameters).one()
        return float(calls) / float(requests) if requests else None


# ---------------------------------------------------------------- the server


def app_settings(url: str, directory: Path, threads: int) -> dict[str, str]:
    settings = {
        "sqlalchemy.url": url,
        "backrest.db.auto_migrate": "false",
        "backrest.mail.transport": "file",
        "backrest.mail.directory": str(directory / "mail"),
        "backrest.mail.worker": "false",
        **CHEAP_ARGON2,
    }
    if url.startswith("postgresql"):
        settings["sqlalchemy.pool_pre_ping"] = "true"  # as production.ini
    # Every waitress thread gets a connection without waiting for the pool's overflow.
    settings["sqlalchemy.pool_size"] = str(threads)
    return settings


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def status(self, field_name: str) -> float:
        """A ``/proc/PID/status`` memory field, in MB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
        return 0.0

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.pid)


@contextlib.contextmanager
def running_server(
    directory: Path, settings: dict[str, str], threads: int, cpu: int | None
) -> Iterator[Server]:
    port = free_port()
    ini = directory / "server.ini"
    ini.write_text(pserve_ini(settings, port, LOGGING, threads))
    log_path = directory / "server.log"
    prefix = ["taskset", "-c", str(cpu)] if cpu is not None else []
    with pserve(ini, port, log_path, prefix=prefix) as process:
        yield Server(process, port, log_path)


class Client:
    """One keep-alive HTTP connection with the session cookie and the CSRF token."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""
        self.csrf_token = ""
        self.key = ""
        self.access_token = ""

    def request(self, method: str, path: str, body: Any = None, **headers: str) -> tuple[int, Any, Any]:
        headers = {"Accept": "application/json", **headers}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.csrf_token:
            headers["X-CSRF-Token"] = self.csrf_token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        payload = response.read()
        return response.status, response.headers, json.loads(payload) if payload else None

    def login(self) -> None:
        status, headers, payload = self.request(
            "PUT", "/-/login", {"login": seed.EMAIL, "password": seed.PASSWORD}
        )
        if status != 200:  # noqa: PLR2004
            sys.exit(f"login failed: {status} {payload}")
        for header in headers.get_all("Set-Cookie") or []:
            morsel = SimpleCookie(header).get(COOKIE)
            if morsel is not None:
                self.cookie = f"{COOKIE}={morsel.value}"
        self.csrf_token = payload["csrf_token"]
        status, _headers, payload = self.request("POST", "/-/keys", {"name": "benchmark"})
        if status != 201:  # noqa: PLR2004
            sys.exit(f"making an API key failed: {status} {payload}")
        self.key = payload["key"]

    def authorization(self, auth: str) -> dict[str, str]:
        """The environment of a wrk script for a caller authenticated by ``auth``."""
        if auth == TOKEN:
            return {"BENCH_AUTHORIZATION": f"Token {self.key}"}
        if auth == BASIC:
            return {"BENCH_AUTHORIZATION": "Basic " + base64.b64encode(f"bench:{self.key}".encode()).decode()}
        if auth == BEARER:
            return {"BENCH_AUTHORIZATION": f"Bearer {self.access_token}"}
        return {"BENCH_COOKIE": self.cookie, "BENCH_CSRF": self.csrf_token}

    def etags(self, ids: list[str]) -> list[tuple[str, str]]:
        pairs = []
        for some_id in ids:
            status, headers, _ = self.request("GET", f"/-/documents/{some_id}")
            if status != 200:  # noqa: PLR2004
                sys.exit(f"GET /-/documents/{some_id} answered {status}")
            pairs.append((some_id, headers["ETag"]))
        return pairs


def access_token(app: Any) -> str:
    """An access token of the benchmark user, got as an application would, by the password grant.

    An admin registers the application first: the benchmark user stays a
    plain user, whose rights are checked as anybody's are.
    """
    admin = TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.2"})
    login = admin.put_json("/-/login", {"login": ADMIN_EMAIL, "password": seed.PASSWORD})
    application = admin.post_json(
        "/-/applications/",
        {
            "name": "Benchmark",
            "redirect_uris": ["https://bench.example.com/callback"],
            "grant_types": ["authorization_code", "refresh_token", "password"],
        },
        headers={"X-CSRF-Token": login.json["csrf_token"]},
        status=201,
    ).json
    tokens = (
        TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.3"})
        .post(
            "/oauth2/token",
            {
                "grant_type": "password",
                "username": seed.EMAIL,
                "password": seed.PASSWORD,
                "scope": "read write",
            },
            headers={
                "Authorization": "Basic "
                + base64.b64encode(
                    f"{application['client_id']}:{application['client_secret']}".encode()
                ).decode()
            },
        )
        .json
    )
    return tokens["access_token"]


def check_scenarios(client: Client, some_id: str, filtered: str) -> None:
    """One request of each scenario answers what wrk will count as a success."""
    status, headers, _ = client.request("GET", f"/-/documents/{some_id}")
    assert status == 200, status  # noqa: S101, PLR2004
    status, _, _ = client.request("GET", f"/-/documents/{some_id}", **{"If-None-Match": headers["ETag"]})
    assert status == 304, status  # noqa: S101, PLR2004
    for path in (LIST, filtered):
        status, _, page = client.request("GET", path)
        assert status == 200, (path, status, page)  # noqa: S101, PLR2004
        assert len(page["results"]) == 20, path  # noqa: S101, PLR2004
        log(f"  {path}: count {page['count']}, first {page['results'][0]['title']!r}")


# ---------------------------------------------------------------- wrk


def write_lines(path: Path, lines: list[str]) -> str:
    path.write_text("".join(line + "\n" for line in lines))
    return str(path)


def run_wrk(
    script: str,
    port: int,
    seconds: float,
    *,
    connections: int,
    cpu: int | None,
    env: dict[str, str],
    scheme: str = "http",
) -> dict[str, str]:
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_SCRIPTS / script),
        f"{scheme}://127.0.0.1:{port}",
    ]
    if cpu is not None:
        command = ["taskset", "-c", str(cpu), *command]
    result = subprocess.run(
        command,
        env={**os.environ, "BENCH_THREADS": "1", **env},
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("BENCH_RESULT ")]
    if result.returncode != 0 or not lines:
        sys.exit(f"wrk {script} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return dict(item.split("=", 1) for item in lines[-1].split()[1:])


def unexpected(codes: str, expected: int) -> int:
    if codes == "-":
        return 0
    return sum(int(n) for code, n in (item.split(":") for item in codes.split(",")) if int(code) != expected)


# ---------------------------------------------------------------- SQL statements per request


@contextlib.contextmanager
def counting(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def count_statements(
    app: Any, some_id: str, filtered: str
) -> tuple[dict[str, tuple[int, int | None]], dict[str, list[tuple[str, Any]]]]:
    """Statements of one request of each scenario, after one to warm up; lists also with a page of 100."""
    engine = app.registry["db_engine"]
    browser = TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    login = browser.put_json("/-/login", {"login": seed.EMAIL, "password": seed.PASSWORD})
    token = SimpleCookie(login.headers["Set-Cookie"])[COOKIE].value
    headers = {
        "Cookie": f"{COOKIE}={token}",
        "X-CSRF-Token": login.json["csrf_token"],
        "Accept": "application/json",
    }
    key = browser.post_json("/-/keys", {"name": "counting"}, headers=headers, status=201).json["key"]
    by_key = {
        BEARER: {"Authorization": f"Bearer {access_token(app)}", "Accept": "application/json"},
        TOKEN: {"Authorization": f"Token {key}", "Accept": "application/json"},
        BASIC: {
            "Authorization": "Basic " + base64.b64encode(f"bench:{key}".encode()).decode(),
            "Accept": "application/json",
        },
    }
    url = f"/-/documents/{some_id}"

    def get(_path: str, _tag: str) -> Any:
        return browser.get(url, headers=headers)

    def get_by(auth: str) -> Callable[[str, str], Any]:
        return lambda _path, _tag: browser.get(url, headers=by_key[auth])

    def not_modified(_path: str, tag: str) -> Any:
        return browser.get(url, headers={**headers, "If-None-Match": tag}, status=304)

    def get_list(path: str, _tag: str) -> Any:
        return browser.get(path, headers=headers)

    def put(_path: str, tag: str) -> Any:
        return browser.put_json(
            url, {"title": f"Counted {time.time()}"}, headers={**headers, "If-Match": tag}
        )

    def post(_path: str, _tag: str) -> Any:
        body = {"title": "Counted", "body": "x" * 300, "tags": ["a"], "attributes": {"language": "en"}}
        return browser.post_json("/-/documents/", body, headers=headers, status=201)

    calls: dict[str, tuple[Callable[[str, str], Any], str]] = {
        "item GET": (get, ""),
        "item GET, Token": (get_by(TOKEN), ""),
        "item GET, Basic": (get_by(BASIC), ""),
        "item GET, Bearer": (get_by(BEARER), ""),
        "item GET 304": (not_modified, ""),
        "list of 20": (get_list, LIST),
        "filtered list": (get_list, filtered),
        "PUT If-Match": (put, ""),
        "POST": (post, ""),
    }
    counts: dict[str, tuple[int, int | None]] = {}
    statements: dict[str, list[tuple[str, Any]]] = {}
    for name, (call, path) in calls.items():
        call(
            path, browser.get(url, headers=headers).headers["ETag"]
        )  # compiled caches, the session's last_seen
        tag = browser.get(url, headers=headers).headers["ETag"]
        with counting(engine) as seen:
            call(path, tag)
        bigger = None
        if path:
            with counting(engine) as seen_bigger:
                call(path.replace("page_size=20", "page_size=100"), tag)
            bigger = len(seen_bigger)
        counts[name] = (len(seen), bigger)
        statements[name] = list(seen)
    return counts, statements


def explain(engine: Engine, statements: list[tuple[str, Any]]) -> list[str]:
    """The plan of each SELECT of a request, with its real parameters."""
    plans = []
    postgresql = engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " if postgresql else "EXPLAIN QUERY PLAN "
    with engine.connect() as connection:
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT") or "FROM documents" not in statement:
                continue
            rows = connection.exec_driver_sql(prefix + statement, parameters).all()
            plan = [row[0] for row in rows] if postgresql else [row[-1] for row in rows]
            plans.append(" ".join(statement.split()) + "\n    " + "\n    ".join(plan))
    return plans


# ---------------------------------------------------------------- one backend, one size


@dataclass
class Samples:
    """Seeded ids for each use; what writes gets its own, so that no ETag goes stale under it."""

    counted: str
    """For the in-process statement count, which writes it."""
    get: list[str]
    etag: list[str]
    put_warmup: list[str]
    put: list[str]

    @classmethod
    def draw(cls, ids: list[str]) -> Samples:
        rnd = random.Random(42)  # noqa: S311 - a sample, not a secret
        size = min(len(ids), max(GET_SAMPLE, 2 * ETAG_SAMPLE + PUT_WARMUP_SAMPLE) + 1)
        counted, *sample = rnd.sample(ids, size)
        put_start = ETAG_SAMPLE + PUT_WARMUP_SAMPLE
        return cls(
            counted=counted,
            get=sample[:GET_SAMPLE],  # GET and 304 change nothing: they may share ids
            etag=sample[:ETAG_SAMPLE],
            put_warmup=sample[ETAG_SAMPLE:put_start],
            put=sample[put_start : put_start + ETAG_SAMPLE],
        )


def seed_database(app: Any, rows: int) -> list[str]:
    engine = app.registry["db_engine"]
    upgrade(engine)
    password_hash = app.registry["passwords"].hash(seed.PASSWORD)
    owner = seed.create_user(engine, password_hash)
    seed.create_user(engine, password_hash, ADMIN_EMAIL, is_admin=True)
    return seed.seed_documents(engine, rows, owner)


@dataclass
class Load:
    """What every wrk run of one server needs."""

    server: Server
    client: Client
    options: argparse.Namespace
    cpu: int | None
    directory: Path
    counter: StatementCounter | None
    postmaster: int | None
    redis: list[int]

    def our_cpu_seconds(self) -> tuple[float, float]:
        """CPU seconds used by the machine, and by the benchmark: server, wrk, databases, this script."""
        pids = [self.postmaster, *children(self.postmaster)] if self.postmaster else []
        pids += self.redis
        mine = self.server.cpu_seconds() + sum(process_cpu_seconds(pid) for pid in pids)
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):  # wrk, once it is waited for
            usage = resource.getrusage(who)
            mine += usage.ru_utime + usage.ru_stime
        return machine_busy_seconds(), mine

    def wrk(self, script: str, seconds: float, env: dict[str, str]) -> dict[str, str]:
        return run_wrk(
            script, self.server.port, seconds, connections=self.options.connections, cpu=self.cpu, env=env
        )

    def etags(self, ids: list[str]) -> str:
        pairs = self.client.etags(ids)
        return write_lines(self.directory / "etags", [f"{some_id}\t{tag}" for some_id, tag in pairs])

    def scenario(self, spec: tuple[str, str, int, str], samples: Samples, filtered: str) -> Scenario:
        """Run one of :data:`SCENARIOS`: its name, script, expected status and caller's authentication."""
        name, script, expected, auth = spec
        env = {
            **self.client.authorization(auth),
            "BENCH_IDS": write_lines(self.directory / "ids", samples.get),
            "BENCH_PATH": LIST if script == "list.lua" else filtered,
        }
        if script == "item_304.lua":
            env["BENCH_ETAGS"] = self.etags(samples.etag)
        if script == "put.lua":
            env["BENCH_ETAGS"] = self.etags(samples.put_warmup)
        self.wrk(script, self.options.warmup, env)
        if script == "put.lua":  # the warm-up changed its documents' ETags: time others
            env["BENCH_ETAGS"] = self.etags(samples.put)
        if self.counter:
            self.counter.reset()
        cpu_before, clock = self.server.cpu_seconds(), time.monotonic()
        ours_before = self.our_cpu_seconds()
        result = self.wrk(script, self.options.duration, env)
        cpu = 100 * (self.server.cpu_seconds() - cpu_before) / (time.monotonic() - clock)
        ours = self.our_cpu_seconds()
        scenario = Scenario(
            name,
            expected,
            requests=int(result["requests"]),
            rps=float(result["rps"]),
            p50_ms=float(result["p50_ms"]),
            p99_ms=float(result["p99_ms"]),
            max_ms=float(result["max_ms"]),
            unexpected=unexpected(result["codes"], expected) + int(result["socket_errors"]),
            codes=result["codes"],
            server_cpu_pct=cpu,
        )
        busy, mine = (after - before for after, before in zip(ours, ours_before, strict=True))
        scenario.others_cpu_pct = max(0.0, 100 * (busy - mine) / (time.monotonic() - clock))
        if self.counter:
            time.sleep(0.5)  # the requests still in flight when wrk stopped
            scenario.sql_under_load = self.counter.per_request()
        return scenario


@contextlib.contextmanager
def throttling(kind: str, cpu: int | None) -> Iterator[dict[str, str]]:
    """The settings of ``--throttle``: rates the load never reaches, counted in memory or Redis; or none."""
    if kind == "off":
        yield {"backrest.throttle.anon": "", "backrest.throttle.user": ""}
        return
    if kind == "memory":
        yield UNREACHED_RATES
        return
    with redis_server() as url:
        pin(redis_pids(url), cpu)
        yield {**UNREACHED_RATES, "backrest.redis_url": url}


def run_one(
    backend: str, rows: int, options: argparse.Namespace, server_cpu: int | None, load_cpu: int | None
) -> Run:
    run = Run(backend, rows)
    with (
        tempfile.TemporaryDirectory(prefix=f"backrest-bench-{backend}-") as tmp,
        database(backend, Path(tmp), load_cpu) as (url, postmaster),
        throttling(options.throttle, load_cpu) as throttle,
    ):
        directory = Path(tmp)
        settings = {**app_settings(url, directory, options.threads), **throttle, **dict(options.set)}
        app = main({}, **settings)  # in-process: seeding (its password hasher), counting statements
        try:
            started = time.monotonic()
            samples = Samples.draw(seed_database(app, rows))
            run.seed_seconds = time.monotonic() - started
            log(f"{backend}: seeded {rows:,} documents in {run.seed_seconds:.1f} s")
            filtered = options.filtered.replace(
                "{recent}", seed.recent_bound().strftime("%Y-%m-%dT%H:%M:%SZ")
            )
            with running_server(directory, settings, options.threads, server_cpu) as server:
                client = Client(server.port)
                client.login()
                client.access_token = access_token(app)
                check_scenarios(client, samples.get[0], filtered)
                run.rss_start_mb = server.status("VmRSS")
                counter = StatementCounter(url) if backend == "postgresql" else None
                redis = redis_pids(throttle["backrest.redis_url"]) if "backrest.redis_url" in throttle else []
                load = Load(server, client, options, load_cpu, directory, counter, postmaster, redis)
                for spec in SCENARIOS:
                    scenario = load.scenario(spec, samples, filtered)
                    run.scenarios.append(scenario)
                    log(f"{backend} {rows:,} {scenario.summary()}")
                run.peak_rss_mb = server.status("VmHWM")
                if "Traceback" in server.log_path.read_text():
                    log(f"the server logged an error:\n{server.log_path.read_text()[-3000:]}")
            counts, statements = count_statements(app, samples.counted, filtered)
            for scenario in run.scenarios:
                scenario.sql, scenario.sql_page_100 = counts[scenario.name]
            if options.explain:
                for name in ("list of 20", "filtered list"):
                    run.plans[name] = explain(app.registry["db_engine"], statements[name])
        finally:
            app.registry["db_engine"].dispose()
    return run


# ---------------------------------------------------------------- report


def table(run: Run) -> str:
    title = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[run.backend]
    head = (
        "scenario",
        "req/s",
        "p50 ms",
        "p99 ms",
        "unexpected",
        "server CPU",
        "others",
        "SQL/req",
        "SQL/req page 100",
        "SQL/req under load",
    )
    rows = [head]
    rows.extend(
        (
            s.name,
            f"{s.rps:,.0f}",
            f"{s.p50_ms:.2f}",
            f"{s.p99_ms:.2f}",
            str(s.unexpected) if not s.unexpected else f"{s.unexpected} ({s.codes})",
            f"{s.server_cpu_pct:.0f} %",
            "-" if s.others_cpu_pct is None else f"{s.others_cpu_pct:.0f} %",
            "-" if s.sql is None else str(s.sql),
            "-" if s.sql_page_100 is None else str(s.sql_page_100),
            "-" if s.sql_under_load is None else f"{s.sql_under_load:.2f}",
        )
        for s in run.scenarios
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = [
        (
            f"{title}, {run.rows:,} documents (seeded in {run.seed_seconds:.0f} s); "
            f"peak RSS {run.peak_rss_mb:.0f} MB ({run.rss_start_mb:.0f} MB after start and login)"
        ),
    ]
    for number, row in enumerate(rows):
        lines.append(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    for name, plans in run.plans.items():
        lines.append(f"\nplans of {name!r}:")
        lines.extend("  " + plan for plan in plans)
    return "\n".join(lines)


def flatness(runs: list[Run]) -> str:
    """req/s of the largest size over the smallest, per backend and scenario."""
    lines = []
    for backend in dict.fromkeys(run.backend for run in runs):
        mine = sorted((run for run in runs if run.backend == backend), key=lambda run: run.rows)
        if len(mine) < 2:  # noqa: PLR2004
            continue
        small, large = mine[0], mine[-1]
        ratios = ", ".join(
            f"{a.name} {b.rps / a.rps:.2f}"
            for a, b in zip(small.scenarios, large.scenarios, strict=True)
            if a.rps
        )
        lines.append(f"{backend}: req/s at {large.rows:,} / at {small.rows:,}: {ratios}")
    return "\n".join(lines)


def process_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds all CPUs spent busy since boot, time stolen by the hypervisor included."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(
        int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def cpus() -> tuple[int | None, int | None]:
    """The server's CPU and wrk's (with PostgreSQL), when there are two to pin to."""
    if shutil.which("taskset") is None or len(os.sched_getaffinity(0)) < 2:  # noqa: PLR2004
        log("no taskset or a single CPU: server, wrk and the database share the CPUs")
        return None, None
    first, second = sorted(os.sched_getaffinity(0))[:2]
    return first, second


def environment() -> dict[str, str]:
    """What the figures were measured on and with."""
    import platform  # noqa: PLC0415
    import sqlite3  # noqa: PLC0415

    bin_dir = postgres_bin_dir()
    return {
        "cpu": machine.cpu(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": machine.first_line(str(bin_dir / "postgres"), "--version") if bin_dir else "-",
        "wrk": machine.first_line("wrk", "--version"),
        "commit": machine.commit(),
    }


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[10_000], help="collection sizes (default: 10000)"
    )
    parser.add_argument(
        "--backend",
        nargs="+",
        choices=("sqlite", "postgresql"),
        default=None,
        help="default: sqlite postgresql",
    )
    parser.add_argument("--duration", type=float, default=10, help="timed seconds per scenario (default: 10)")
    parser.add_argument("--warmup", type=float, default=3, help="warm-up seconds per scenario (default: 3)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default: 16)")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (default: 8)")
    parser.add_argument(
        "--filtered",
        default=FILTERED,
        help=f"path of the filtered list scenario, with page_size=20; {{recent}} is replaced by a time that "
        f"keeps the newest third of the documents (default: {FILTERED})",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        type=lambda item: tuple(item.split("=", 1)),
        metavar="NAME=VALUE",
        help="an application setting for the server, e.g. --set backrest.cache.url=memory://",
    )
    parser.add_argument(
        "--throttle",
        choices=THROTTLES,
        default="memory",
        help="where requests are counted against their rates: this process's memory (default), "
        "a throwaway Redis (redis-server, on wrk's CPU), or nowhere",
    )
    parser.add_argument("--explain", action="store_true", help="print the query plans of the list scenarios")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    options = parser.parse_args(argv)
    smallest = 2 * ETAG_SAMPLE + PUT_WARMUP_SAMPLE + 1  # disjoint samples for the writes
    if min(options.rows) < smallest:
        parser.error(f"--rows must be at least {smallest}")
    return options


def main_(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk (or build it from https://github.com/wg/wrk)")
    backends = options.backend or ["sqlite", "postgresql"]
    if "postgresql" in backends and postgres_bin_dir() is None:
        if options.backend:
            sys.exit("PostgreSQL is not installed: apt-get install -y postgresql postgresql-contrib")
        log("PostgreSQL is not installed (apt-get install -y postgresql postgresql-contrib): SQLite only")
        backends.remove("postgresql")
    server_cpu, load_cpu = cpus()
    log(
        f"{os.cpu_count()} CPUs; server on CPU {server_cpu}, wrk (1 thread, {options.connections} "
        f"connections) and PostgreSQL on CPU {load_cpu}; "
        f"{options.warmup:g} s warm-up + {options.duration:g} s per scenario"
    )
    about = environment()
    log("; ".join(f"{name} {value}" for name, value in about.items()))
    if os.getloadavg()[0] > 0.5:  # noqa: PLR2004
        log(
            f"WARNING: the machine is busy (load average {os.getloadavg()[0]:.1f}): expect lower, noisier "
            "figures; the 'others' column says how much of the server's CPU went elsewhere"
        )
    runs = []
    for backend in backends:
        for rows in options.rows:
            run = run_one(backend, rows, options, server_cpu, load_cpu)
            runs.append(run)
            print("\n" + table(run) + "\n", flush=True)
    if len(options.rows) > 1:
        print(flatness(runs) + "\n")
    print(LEGEND)
    if options.json:
        figures = {"environment": about, "options": {**vars(options), "json": str(options.json)}}
        figures["runs"] = [asdict(run) for run in runs]
        options.json.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
