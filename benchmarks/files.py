"""How fast backrest takes in and sends out file data, next to what the disk and nginx do on the same machine.

One command, from the repository's root:

    .venv/bin/python benchmarks/files.py                       # 1, 100 and 1024 MiB; SQLite; plain HTTP
    .venv/bin/python benchmarks/files.py --sizes 1 100 --repeat 5
    .venv/bin/python benchmarks/files.py --tls                 # nginx as deploy/nginx.conf ships it: HTTPS
    .venv/bin/python benchmarks/files.py --help                # every option

Everything happens in a new directory under ``--directory`` (default:
``var/`` of the repository, on its disk; ``/tmp`` may be a tmpfs, where a
disk's speed means nothing), removed at the end; the file system measured
is printed. It holds the database (SQLite, or ``--backend postgresql`` for
a throwaway cluster of ``tests/servers.py``), ``backrest.files.root``,
waitress's buffers of request bodies (``TMPDIR``), and the random data sent.

Two ``pserve`` processes (waitress, with the ``[server:main]`` options of
``production.ini``) share that database and file root: one answered
directly, one behind nginx with ``backrest.files.x_accel_redirect =
/_blobs/``. nginx runs ``deploy/nginx.conf`` as rendered for production,
with one more location, ``/_static/``: a copy of ``/_blobs/`` without
``internal``, which serves the same blob files to anyone, as a static file
server would. By default TLS is taken out of the template's server block
(plain HTTP, where nginx sends files with ``sendfile``); with ``--tls`` the
template is run as it ships, with a throwaway certificate. Either way
X-Accel-Redirect and the static location go through the same server and
protocol, so their ratio is fair.

For each size (MiB) it writes a file of random bytes, then, ``--repeat``
times each, interleaved (each run in an order turned by one), with the
dirty pages written back (``sync``) before each:

- ``dd if=<the file> of=<a file beside> bs=1M conv=fsync``, and with
  ``oflag=direct`` instead (past the page cache): what the disk writes;
  and with neither, into the page cache only;
- uploads of the file: a multipart ``POST /-/files/`` (the main path) and a
  raw ``PUT /-/files/{id}/data``, each sent to waitress and through nginx.
  The client streams the body from the file (``sendfile``; never the whole
  file in memory); the time runs from the first byte of the request to the
  end of the answer, which comes once the data is hashed, fsynced and
  committed. Each answer's ``size`` and ``sha256`` must be the file's;
- downloads of ``GET /-/files/{id}/data`` from waitress (its
  ``wsgi.file_wrapper``), through nginx (backrest answers headers and
  ``X-Accel-Redirect``, nginx sends the blob), and of the same blob from
  nginx's static location, ``--download-repeat`` times each, interleaved.
  The bytes are read in 1 MiB blocks and dropped; one more download of
  each, untimed, checks their SHA-256. The blob is in the page cache:
  these are the speeds of a file read recently.

It prints, per size, the median MiB/s and time of each, for uploads the
time after the body's last byte (waitress buffers a whole body before the
application sees it: that is the application's part), the CPU the server,
nginx and the client (or dd) used meanwhile, and the growth of the
server's resident memory (its peak, ``VmHWM``, is reset before each
transfer through ``/proc/PID/clear_refs``); then the ratios and the goals:
uploads at least 50 % of the faster of dd's two disk writes (in a virtual
machine, writing into fresh page-cache pages may cost more than the disk
itself, which ``oflag=direct`` avoids), X-Accel-Redirect downloads at
least 90 % of nginx's static ones, a 1 GiB upload growing the server's
memory by less than 64 MiB. ``docs/performance.rst`` has the figures.
Needs nginx (``apt-get install -y nginx``), ``dd``, and for ``--tls``
``openssl``. Nothing talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import configparser
import contextlib
import hashlib
import http.client
import json
import os
import platform
import re
import resource
import secrets
import shutil
import ssl
import statistics
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

from benchmarks import machine  # noqa: E402
from tests.servers import (  # noqa: E402
    free_port,
    nginx_binary,
    nginx_server,
    nginx_site_config,
    postgresql_server,
    pserve,
    pserve_ini,
    pserve_logging,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

MIB = 1024 * 1024
BLOCK = MIB
"""What the client reads and writes at a time."""
GOAL_UPLOAD = 0.5
GOAL_X_ACCEL = 0.9
GOAL_RSS_MIB = 64
PRODUCTION_INI = ROOT / "production.ini"
DEFAULT_DIRECTORY = ROOT / "var"
STATIC = "/_static/"
COOKIE = "backrest_session"
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
BUSY = 0.5
"""A load average above which the figures are noise."""
NOT_DISK = frozenset({"tmpfs", "ramfs", "devtmpfs", "overlay", "squashfs", "proc", "sysfs"})
LOGGING = pserve_logging("WARNING")

# The rows of a size's table: key, label, kind.
DD_FSYNC = "dd conv=fsync"
DD_DIRECT = "dd oflag=direct"
DD = "dd"
DISK = (DD_FSYNC, DD_DIRECT)
POST_WAITRESS = "POST waitress"
PUT_WAITRESS = "PUT waitress"
POST_NGINX = "POST nginx"
PUT_NGINX = "PUT nginx"
GET_WAITRESS = "GET waitress"
GET_X_ACCEL = "GET X-Accel"
GET_STATIC = "GET static"
ROWS = (
    (DD_FSYNC, "disk write: dd bs=1M conv=fsync", "reference"),
    (DD_DIRECT, "disk write: dd bs=1M oflag=direct", "reference"),
    (DD, "page cache write: dd bs=1M", "reference"),
    (POST_WAITRESS, "upload: multipart POST to waitress", "upload"),
    (PUT_WAITRESS, "upload: raw PUT .../data to waitress", "upload"),
    (POST_NGINX, "upload: multipart POST through nginx", "upload"),
    (PUT_NGINX, "upload: raw PUT .../data through nginx", "upload"),
    (GET_WAITRESS, "download: waitress (wsgi.file_wrapper)", "download"),
    (GET_X_ACCEL, "download: nginx X-Accel-Redirect", "download"),
    (GET_STATIC, "download: nginx static (same blob)", "download"),
)
LABELS = {key: label for key, label, _kind in ROWS}
UPLOADS = [key for key, _label, kind in ROWS if kind == "upload"]
DOWNLOADS = [key for key, _label, kind in ROWS if kind == "download"]

LEGEND = """\
MiB/s: the size over the median time; time: from the request's first byte to the answer's last
after body: from the body's last byte sent (waitress had buffered all but what the sockets hold) to the answer
server, nginx: CPU the pserve process (or the nginx processes) used, in % of one CPU over the transfer
client: CPU of this script's process, or of dd; RSS growth: the server's peak RSS during the transfer
minus its RSS before (largest of the runs)"""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- results


@dataclass
class Run:
    seconds: float
    server_cpu: float | None = None
    nginx_cpu: float | None = None
    client_cpu: float | None = None
    rss_growth_mib: float | None = None
    after_body: float | None = None
    """Uploads: seconds from the body's last byte sent to the answer's last byte."""


@dataclass
class Row:
    key: str
    runs: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    def mib_s(self, size_mib: int) -> float:
        return size_mib / self.seconds

    def cpu(self, name: str) -> float | None:
        """The median share of one CPU over the transfer, in %."""
        values = [getattr(run, name) / run.seconds for run in self.runs if getattr(run, name) is not None]
        return 100 * statistics.median(values) if values else None

    @property
    def after_body(self) -> float | None:
        values = [run.after_body for run in self.runs if run.after_body is not None]
        return statistics.median(values) if values else None

    @property
    def rss_growth_mib(self) -> float | None:
        values = [run.rss_growth_mib for run in self.runs if run.rss_growth_mib is not None]
        return max(values) if values else None


@dataclass
class Size:
    mib: int
    rows: dict[str, Row] = field(default_factory=dict)

    def add(self, key: str, run: Run) -> None:
        self.rows.setdefault(key, Row(key)).runs.append(run)

    def ratio(self, key: str, reference: str) -> float | None:
        if key not in self.rows or reference not in self.rows:
            return None
        return self.rows[reference].seconds / self.rows[key].seconds

    def disk(self) -> str | None:
        """The faster of dd's two disk writes here: the disk's speed."""
        measured = [key for key in DISK if key in self.rows]
        return min(measured, key=lambda key: self.rows[key].seconds, default=None)


@dataclass(frozen=True)
class Goal:
    label: str
    value: float | None
    target: float
    at_least: bool
    unit: str = ""

    @property
    def passed(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.target if self.at_least else self.value < self.target

    def line(self) -> str:
        sign = ">=" if self.at_least else "<"
        if self.value is None:
            return f"{self.label}: not measured"
        value = f"{self.value:.0f} {self.unit}" if self.unit else f"{self.value:.2f}"
        target = f"{self.target:g} {self.unit}" if self.unit else f"{self.target:.2f}"
        return f"{self.label}: {value} (goal {sign} {target}) {'PASS' if self.passed else 'FAIL'}"


def goals(size: Size) -> list[Goal]:
    disk = size.disk()
    found = [
        Goal(f"{LABELS[key]} / {disk}", disk and size.ratio(key, disk), GOAL_UPLOAD, at_least=True)
        for key in UPLOADS
    ]
    found.append(
        Goal("X-Accel-Redirect / nginx static", size.ratio(GET_X_ACCEL, GET_STATIC), GOAL_X_ACCEL, True)
    )
    growth = [size.rows[key].rss_growth_mib for key in UPLOADS if key in size.rows]
    largest = max((value for value in growth if value is not None), default=None)
    found.append(Goal("server RSS growth in an upload", largest, GOAL_RSS_MIB, at_least=False, unit="MiB"))
    return found


# ---------------------------------------------------------------- processes


def process_cpu_seconds(pid: int) -> float:
    """CPU time of all the threads of ``pid``, to the nanosecond (``schedstat``), else to the tick."""
    total = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            total += int((task / "schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total / 1e9


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def memory_mib(pid: int, name: str) -> float:
    """A ``/proc/PID/status`` field (``VmRSS``, ``VmHWM``), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak(pid: int) -> bool:
    """Make ``VmHWM`` the current RSS (Linux 4.0 and later); answers whether it could."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pin(pids: Sequence[int], cpu: int | None) -> None:
    if cpu is None:
        return
    for pid in pids:
        subprocess.run(["taskset", "-a", "-p", "-c", str(cpu), str(pid)], capture_output=True, check=False)


# ---------------------------------------------------------------- the file system


def file_system(path: Path) -> dict[str, str]:
    """The type, device and mount point of the file system ``path`` is on."""
    found = subprocess.run(
        ["findmnt", "-n", "-o", "FSTYPE,SOURCE,TARGET,OPTIONS", "-T", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode == 0 and found.stdout.strip():
        kind, source, target, options = found.stdout.split()[:4]
    else:
        kind = subprocess.run(
            ["stat", "-f", "-c", "%T", str(path)], capture_output=True, text=True, check=False
        ).stdout.strip()
        source = target = options = "?"
    usage = shutil.disk_usage(path)
    return {
        "type": kind,
        "device": source,
        "mounted on": target,
        "options": options,
        "free": f"{usage.free / 1024**3:.0f} GiB",
    }


# ---------------------------------------------------------------- nginx


def plain_http(config: str) -> str:
    """The rendered template with TLS taken out of its main server block: plain HTTP on the same port."""
    config, listens = re.subn(r"^([ \t]*listen \S+) ssl http2;$", r"\1;", config, flags=re.MULTILINE)
    config, directives = re.subn(r"^[ \t]*ssl_\w+ [^\n]*;\n", "", config, flags=re.MULTILINE)
    if listens != 1 or not directives:
        msg = "deploy/nginx.conf changed: its TLS listen and ssl_* lines are not where they were"
        raise ValueError(msg)
    return config


def with_static_location(config: str) -> str:
    """The config with a location :data:`STATIC`: a copy of ``/_blobs/`` without ``internal``."""
    found = re.search(
        r"^    location /_blobs/ \{\n        internal;\n(?P<body>.*?)^    \}\n",
        config,
        re.MULTILINE | re.DOTALL,
    )
    if found is None:
        msg = "deploy/nginx.conf changed: no internal location /_blobs/"
        raise ValueError(msg)
    static = (
        "\n    # The benchmark's: the same files, sent as a static file server does.\n"
        f"    location {STATIC} {{\n{found['body']}    }}\n"
    )
    return config[: found.end()] + static + config[found.end() :]


def nginx_pids(directory: Path) -> list[int]:
    master = int((directory / "nginx.pid").read_text())
    return [master, *children(master)]


# ---------------------------------------------------------------- the client


def multipart(filename: str, content_type: str) -> tuple[bytes, bytes, str]:
    """What goes before and after a file's bytes in a multipart form, and the form's Content-Type."""
    boundary = secrets.token_hex(16)
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\nbenchmark\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    return head, f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def send_file(sock: Any, path: Path, buffer: bytearray) -> None:
    with path.open("rb") as file:
        if not isinstance(sock, ssl.SSLSocket):
            sock.sendfile(file)  # the kernel copies from the page cache to the socket
            return
        view = memoryview(buffer)
        while count := file.readinto(buffer):
            sock.sendall(view[:count])


@dataclass
class Answer:
    status: int
    headers: Any
    body: bytes = b""
    length: int = 0
    sha256: str | None = None
    after_body: float | None = None
    """Seconds from the request's last byte sent to the answer's last byte read."""

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """Keep-alive connections to waitress and to nginx, with the session cookie and the CSRF token."""

    def __init__(self, app_port: int, nginx_port: int, tls: ssl.SSLContext | None) -> None:
        self.ports = {"waitress": app_port, "nginx": nginx_port}
        self.tls = tls
        self.connections: dict[str, http.client.HTTPConnection] = {}
        self.cookie = ""
        self.csrf_token = ""
        self.buffer = bytearray(BLOCK)
        self.cipher = ""

    def connection(self, to: str) -> http.client.HTTPConnection:
        if to not in self.connections:
            if to == "nginx" and self.tls is not None:
                connection = http.client.HTTPSConnection(
                    "127.0.0.1", self.ports[to], timeout=600, context=self.tls
                )
            else:
                connection = http.client.HTTPConnection("127.0.0.1", self.ports[to], timeout=600)
            self.connections[to] = connection
        return self.connections[to]

    def close(self) -> None:
        for connection in self.connections.values():
            connection.close()
        self.connections.clear()

    def _headers(self, method: str, headers: dict[str, str]) -> dict[str, str]:
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.csrf_token and method not in {"GET", "HEAD"}:
            headers["X-CSRF-Token"] = self.csrf_token
        return headers

    def send(
        self, to: str, method: str, path: str, parts: Sequence[bytes | Path] = (), **headers: str
    ) -> Answer:
        """A request whose body is ``parts`` (bytes, and files streamed from disk); the answer read whole."""
        connection = self.connection(to)
        try:
            connection.putrequest(method, path, skip_accept_encoding=True)
            headers = self._headers(method, {"Accept": "application/json", **headers})
            if parts or method in {"POST", "PUT"}:
                length = sum(len(part) if isinstance(part, bytes) else part.stat().st_size for part in parts)
                headers["Content-Length"] = str(length)
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.endheaders()
            if isinstance(connection.sock, ssl.SSLSocket):
                self.cipher = f"{connection.sock.version()} {connection.sock.cipher()[0]}"
            for part in parts:
                if isinstance(part, bytes):
                    connection.sock.sendall(part)
                else:
                    send_file(connection.sock, part, self.buffer)
            sent = time.perf_counter()
            response = connection.getresponse()
            answer = Answer(response.status, response.headers, response.read())
            answer.after_body = time.perf_counter() - sent
        except BaseException:
            connection.close()
            raise
        if response.will_close:
            connection.close()
        for header in answer.headers.get_all("Set-Cookie") or []:
            morsel = SimpleCookie(header).get(COOKIE)
            if morsel is not None:
                self.cookie = f"{COOKIE}={morsel.value}"
        return answer

    def warm(self, to: str) -> None:
        """An untimed request on the connection the next one takes: open, and known to work.

        A connection idle for long may have been closed by the server;
        measures never pay for opening one.
        """
        for attempt in range(2):
            try:
                answer = self.send(to, "GET", "/-/heartbeat")
            except (ConnectionError, http.client.HTTPException):
                if attempt:
                    raise
                continue
            if answer.status != 200:  # noqa: PLR2004
                sys.exit(f"GET /-/heartbeat through {to} answered {answer.status}: {answer.body[:500]!r}")
            return

    def send_json(self, to: str, method: str, path: str, body: Any) -> Answer:
        return self.send(
            to, method, path, [json.dumps(body).encode()], **{"Content-Type": "application/json"}
        )

    def download(self, to: str, path: str, *, check: bool = False) -> Answer:
        """A GET whose body is read in blocks and dropped (or hashed, with ``check``)."""
        connection = self.connection(to)
        digest = hashlib.sha256() if check else None
        view = memoryview(self.buffer)
        length = 0
        try:
            connection.request("GET", path, headers=self._headers("GET", {}))
            response = connection.getresponse()
            while count := response.readinto(self.buffer):
                length += count
                if digest is not None:
                    digest.update(view[:count])
        except BaseException:
            connection.close()
            raise
        if response.will_close:
            connection.close()
        return Answer(response.status, response.headers, length=length, sha256=digest and digest.hexdigest())


# ---------------------------------------------------------------- the servers


def app_settings(url: str, directory: Path) -> dict[str, str]:
    settings = {
        "sqlalchemy.url": url,
        "backrest.db.auto_migrate": "false",
        "backrest.mail.transport": "file",
        "backrest.mail.directory": str(directory / "mail"),
        "backrest.mail.worker": "false",
        "backrest.files.root": str(directory / "files"),
        "backrest.trusted_proxies": "127.0.0.1",
        **CHEAP_ARGON2,
        **UNREACHED_RATES,
    }
    if url.startswith("postgresql"):
        settings["sqlalchemy.pool_pre_ping"] = "true"  # as production.ini
    return settings


def waitress_options(extra: Sequence[tuple[str, str]]) -> dict[str, str]:
    """production.ini's ``[server:main]``, but where it listens, and ``extra``."""
    production = configparser.ConfigParser(interpolation=None)
    production.read(PRODUCTION_INI)
    options = {
        name: value for name, value in production["server:main"].items() if name not in {"use", "listen"}
    }
    return {**options, **dict(extra)}


def create_user(settings: dict[str, str]) -> None:
    """The schema, as ``backrest migrate`` makes it, and a user who can log in."""
    import seed  # noqa: PLC0415

    from backrest import main  # noqa: PLC0415

    app = main({}, **settings)
    engine = app.registry["db_engine"]
    try:
        seed.migrate(engine)
        seed.create_user(engine, app.registry["passwords"].hash(seed.PASSWORD))
    finally:
        engine.dispose()


@dataclass
class Servers:
    direct: subprocess.Popen
    """pserve answered directly: downloads through ``wsgi.file_wrapper``."""
    proxied: subprocess.Popen
    """pserve behind nginx, with ``backrest.files.x_accel_redirect``."""
    nginx_directory: Path
    client: Client
    tls: bool
    logs: list[Path]
    nginx: list[int] = field(default_factory=list)
    """nginx's master and worker."""

    def pid(self, to: str) -> int:
        return (self.direct if to == "waitress" else self.proxied).pid

    def nginx_cpu_seconds(self) -> float:
        if not self.nginx:
            self.nginx = nginx_pids(self.nginx_directory)
        return sum(process_cpu_seconds(pid) for pid in self.nginx)


@contextlib.contextmanager
def database(backend: str, directory: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'backrest.sqlite'}"
        return
    with postgresql_server() as url:
        yield url


@contextlib.contextmanager
def temporary_directory(path: Path) -> Iterator[None]:
    """``TMPDIR`` for the servers started meanwhile: where waitress buffers request bodies."""
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(path)
    try:
        yield
    finally:
        if before is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = before


@contextlib.contextmanager
def running(
    options: argparse.Namespace, directory: Path, url: str, cpus: tuple[int | None, int | None]
) -> Iterator[Servers]:
    server_cpu, _client_cpu = cpus
    settings = {**app_settings(url, directory), **dict(options.set)}
    create_user(settings)
    server = waitress_options(options.waitress)
    app_port, proxied_port, nginx_port, http_port = free_port(), free_port(), free_port(), free_port()
    blobs = directory / "files" / "blobs"
    nginx_dir = directory / "nginx"
    nginx_dir.mkdir()
    config, certificate = nginx_site_config(nginx_dir, nginx_port, http_port, proxied_port, blobs)
    if not options.tls:
        config = plain_http(config)
    config = with_static_location(config)
    (directory / "nginx-site.conf").write_text(config)
    direct_ini, proxied_ini = directory / "direct.ini", directory / "proxied.ini"
    direct_ini.write_text(pserve_ini(settings, app_port, LOGGING, server=server))
    proxied_settings = {**settings, "backrest.files.x_accel_redirect": "/_blobs/"}
    proxied_ini.write_text(pserve_ini(proxied_settings, proxied_port, LOGGING, server=server))
    logs = [directory / "direct.log", directory / "proxied.log", nginx_dir / "logs" / "backrest.error.log"]
    prefix = ["taskset", "-c", str(server_cpu)] if server_cpu is not None else []
    (directory / "waitress").mkdir()
    with (
        temporary_directory(directory / "waitress"),
        pserve(direct_ini, app_port, logs[0], prefix=prefix) as direct,
        pserve(proxied_ini, proxied_port, logs[1], prefix=prefix) as proxied,
        nginx_server(config, nginx_port) as nginx,
    ):
        pin(nginx_pids(nginx.directory), server_cpu)
        tls = ssl.create_default_context(cafile=str(certificate)) if options.tls else None
        client = Client(app_port, nginx_port, tls)
        try:
            yield Servers(direct, proxied, nginx.directory, client, options.tls, logs)
        finally:
            client.close()


def log_in(client: Client) -> None:
    """Through nginx, as a frontend does; waitress answered directly takes the same session."""
    import seed  # noqa: PLC0415

    answer = client.send_json("nginx", "PUT", "/-/login", {"login": seed.EMAIL, "password": seed.PASSWORD})
    if answer.status != 200:  # noqa: PLR2004
        sys.exit(f"login failed: {answer.status} {answer.body[:500]!r}")
    client.csrf_token = answer.json["csrf_token"]


# ---------------------------------------------------------------- measuring


def random_file(path: Path, size: int) -> str:
    """``size`` random bytes written to ``path`` a block at a time; answers their SHA-256."""
    digest = hashlib.sha256()
    with path.open("wb") as file:
        left = size
        while left:
            block = os.urandom(min(BLOCK, left))
            digest.update(block)
            file.write(block)
            left -= len(block)
    return digest.hexdigest()


@dataclass
class Bench:
    servers: Servers
    directory: Path
    server_cpu: int | None
    """Where dd runs: what a process beside the servers writes."""
    peak_reset: bool = True
    peak_mib: dict[str, float] = field(default_factory=dict)

    @property
    def client(self) -> Client:
        return self.servers.client

    def dd(self, source: Path, key: str) -> Run:
        target = self.directory / "dd.out"
        command = ["dd", f"if={source}", f"of={target}", "bs=1M", "status=none"]
        if key in DISK:
            command.append(key.removeprefix("dd "))
        if self.server_cpu is not None:
            command = ["taskset", "-c", str(self.server_cpu), *command]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=True)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        target.unlink()
        os.sync()  # the removal (and, without conv=fsync, what dd left dirty): not in the next measure
        return Run(seconds, client_cpu=cpu)

    def timed(self, to: str, call: Any) -> tuple[Any, Run]:
        """``call()``, with the time and the CPU it took of the server, nginx and this process."""
        self.client.warm(to)
        pid = self.servers.pid(to)
        self.peak_reset = reset_peak(pid) and self.peak_reset
        rss_before = memory_mib(pid, "VmHWM")
        server_before, nginx_before = process_cpu_seconds(pid), self.servers.nginx_cpu_seconds()
        client_before = own_cpu_seconds()
        started = time.perf_counter()
        answer = call()
        seconds = time.perf_counter() - started
        client_cpu = own_cpu_seconds() - client_before
        server_cpu = process_cpu_seconds(pid) - server_before
        nginx_cpu = self.servers.nginx_cpu_seconds() - nginx_before
        peak = memory_mib(pid, "VmHWM")
        self.peak_mib[to] = max(self.peak_mib.get(to, 0.0), peak)
        return answer, Run(seconds, server_cpu, nginx_cpu, client_cpu, peak - rss_before)

    def upload(self, key: str, source: Path, sha256: str, item: str) -> Run:
        to = "waitress" if key in {POST_WAITRESS, PUT_WAITRESS} else "nginx"
        if key in {POST_WAITRESS, POST_NGINX}:
            head, tail, form_type = multipart("random.bin", "application/octet-stream")
            answer, run = self.timed(
                to,
                lambda: self.client.send(
                    to, "POST", "/-/files/", [head, source, tail], **{"Content-Type": form_type}
                ),
            )
            expected = 201
        else:
            answer, run = self.timed(
                to,
                lambda: self.client.send(
                    to,
                    "PUT",
                    f"/-/files/{item}/data",
                    [source],
                    **{"Content-Type": "application/octet-stream"},
                ),
            )
            expected = 200
        run.after_body = answer.after_body
        if answer.status != expected:
            sys.exit(f"{LABELS[key]} answered {answer.status}: {answer.body[:1000]!r}")
        if (answer.json["sha256"], answer.json["size"]) != (sha256, source.stat().st_size):
            stored = f"{answer.json['size']} bytes of SHA-256 {answer.json['sha256']}"
            sys.exit(f"{LABELS[key]}: the server stored {stored}")
        if key in {POST_WAITRESS, POST_NGINX}:
            # One object per upload would fill the disk at 1 GiB: the blob is
            # shared (the same bytes), and each object goes again.
            deleted = self.client.send(to, "DELETE", f"/-/files/{answer.json['__meta__']['id']}")
            if deleted.status not in {200, 204}:
                sys.exit(f"DELETE answered {deleted.status}: {deleted.body[:500]!r}")
        os.sync()
        return run

    def download_path(self, key: str, item: str, sha256: str) -> tuple[str, str]:
        if key == GET_STATIC:
            return "nginx", f"{STATIC}{sha256[:2]}/{sha256[2:4]}/{sha256}"
        return ("waitress" if key == GET_WAITRESS else "nginx"), f"/-/files/{item}/data"

    def check_download(self, key: str, item: str, sha256: str, size: int) -> None:
        to, path = self.download_path(key, item, sha256)
        answer = self.client.download(to, path, check=True)
        if answer.status != 200 or answer.sha256 != sha256 or answer.length != size:  # noqa: PLR2004
            sys.exit(f"{LABELS[key]}: {answer.status}, {answer.length} bytes of SHA-256 {answer.sha256}")
        if key == GET_X_ACCEL and answer.headers.get("ETag") != f'"{sha256}"':
            sys.exit(f"{LABELS[key]} did not come through backrest: {dict(answer.headers)}")

    def download(self, key: str, item: str, sha256: str, size: int) -> Run:
        to, path = self.download_path(key, item, sha256)
        answer, run = self.timed(to, lambda: self.client.download(to, path))
        if answer.status != 200 or answer.length != size:  # noqa: PLR2004
            sys.exit(f"{LABELS[key]}: {answer.status}, {answer.length} bytes")
        if key == GET_STATIC:
            run.server_cpu = run.rss_growth_mib = None  # backrest took no part
        return run


def rotated(keys: list[str], number: int) -> list[str]:
    """``keys`` in the order of run ``number``: each run starts one later, so none always follows another."""
    start = number % len(keys)
    return keys[start:] + keys[:start]


def measure_size(bench: Bench, mib: int, repeat: int, download_repeat: int) -> Size:
    size = Size(mib)
    source = bench.directory / f"random-{mib}"
    log(f"{mib} MiB: writing {mib} MiB of random bytes")
    sha256 = random_file(source, mib * MIB)
    os.sync()
    client = bench.client
    # The object the PUTs replace the data of, and the downloads read.
    head, tail, form_type = multipart("random.bin", "application/octet-stream")
    created = client.send(
        "waitress", "POST", "/-/files/", [head, source, tail], **{"Content-Type": form_type}
    )
    if created.status != 201:  # noqa: PLR2004
        sys.exit(f"the first upload answered {created.status}: {created.body[:1000]!r}")
    item = created.json["__meta__"]["id"]
    os.sync()
    for number in range(repeat):
        for key in rotated([*DISK, DD, *UPLOADS], number):
            if key in {*DISK, DD}:
                size.add(key, bench.dd(source, key))
            else:
                size.add(key, bench.upload(key, source, sha256, item))
        log(
            f"{mib} MiB: uploads, run {number + 1} of {repeat}: "
            + ", ".join(
                f"{key} {mib / size.rows[key].runs[-1].seconds:,.0f} MiB/s" for key in (*DISK, *UPLOADS)
            )
        )
    for key in DOWNLOADS:
        bench.check_download(key, item, sha256, mib * MIB)
    for number in range(download_repeat):
        for key in rotated(DOWNLOADS, number):
            size.add(key, bench.download(key, item, sha256, mib * MIB))
        log(
            f"{mib} MiB: downloads, run {number + 1} of {download_repeat}: "
            + ", ".join(f"{key} {mib / size.rows[key].runs[-1].seconds:,.0f} MiB/s" for key in DOWNLOADS)
        )
    deleted = client.send("waitress", "DELETE", f"/-/files/{item}")
    if deleted.status not in {200, 204}:
        log(f"DELETE of the last object answered {deleted.status}")
    source.unlink()
    return size


# ---------------------------------------------------------------- report


def cell(value: float | None, unit: str = "", digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}{unit}"


def duration(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def table(size: Size, *, tls: bool = False) -> str:
    head = ("", "MiB/s", "time", "after body", "runs MiB/s", "server", "nginx", "client", "RSS growth")
    rows = [head]
    for key, label, _kind in ROWS:
        row = size.rows.get(key)
        if row is None:
            continue
        runs = sorted(size.mib / run.seconds for run in row.runs)
        rows.append(
            (
                label,
                f"{row.mib_s(size.mib):,.0f}",
                duration(row.seconds),
                "-" if row.after_body is None else duration(row.after_body),
                f"{runs[0]:,.0f}-{runs[-1]:,.0f}",
                cell(row.cpu("server_cpu"), " %"),
                cell(row.cpu("nginx_cpu"), " %"),
                cell(row.cpu("client_cpu"), " %"),
                cell(row.rss_growth_mib, " MiB", 1),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    writes, downloads = (len(size.rows[key].runs) if key in size.rows else 0 for key in (DD, GET_STATIC))
    lines = [f"{size.mib:,} MiB: medians of {writes} runs of each write, {downloads} of each download"]
    for number, row in enumerate(rows):
        lines.append(
            "  ".join(
                text.ljust(width) if i == 0 else text.rjust(width)
                for i, (text, width) in enumerate(zip(row, widths, strict=True))
            )
        )
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    lines.append("")
    lines.append(f"ratios at {size.mib:,} MiB:")
    lines.extend("  " + goal.line() for goal in goals(size))
    waitress = size.ratio(GET_WAITRESS, GET_STATIC)
    if waitress is not None:
        apart = ", waitress in plain HTTP, nginx in HTTPS" if tls else ""
        lines.append(f"  {LABELS[GET_WAITRESS]} / nginx static: {waitress:.2f} (no goal{apart})")
    dd = size.ratio(DD_FSYNC, DD)
    if dd is not None:
        lines.append(f"  dd conv=fsync / dd without: {dd:.2f} (the cost of reaching the disk)")
    return "\n".join(lines)


def summary(sizes: list[Size]) -> str:
    lines = ["goals:"]
    for size in sizes:
        for goal in goals(size):
            if goal.label.startswith("server RSS") and size.mib < 1024:  # noqa: PLR2004
                continue  # the goal is for a 1 GiB upload
            lines.append(f"  {size.mib:>5,} MiB  {goal.line()}")
    return "\n".join(lines)


def environment(directory: Path, options: argparse.Namespace) -> dict[str, str]:
    fs = file_system(directory)
    return {
        "cpu": machine.cpu(),
        "memory": f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 1024**3:.0f} GiB",
        "kernel": platform.release(),
        "python": platform.python_version(),
        "nginx": machine.first_line(nginx_binary() or "nginx", "-v").removeprefix("nginx version: "),
        "dd": machine.first_line("dd", "--version"),
        "file system": f"{fs['type']} on {fs['device']} (mounted on {fs['mounted on']}, {fs['options']}), "
        f"{fs['free']} free",
        "directory": str(directory),
        "protocol": "HTTPS, deploy/nginx.conf as shipped"
        if options.tls
        else "plain HTTP/1.1 (deploy/nginx.conf with TLS taken out)",
        "backend": options.backend,
        "commit": machine.commit(),
    }


# ---------------------------------------------------------------- the command


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[1, 100, 1024],
        help="file sizes in MiB, at most 1024 (default: 1 100 1024)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each write (dd, uploads); the median is shown (default: 3)",
    )
    parser.add_argument(
        "--download-repeat",
        type=int,
        default=10,
        help="runs of each download, which cost less and vary more (default: 10)",
    )
    parser.add_argument(
        "--backend", choices=("sqlite", "postgresql"), default="sqlite", help="default: sqlite"
    )
    parser.add_argument(
        "--directory",
        type=Path,
        default=DEFAULT_DIRECTORY,
        help="where the benchmark makes its temporary directory: the file system measured "
        f"(default: {DEFAULT_DIRECTORY})",
    )
    parser.add_argument("--tls", action="store_true", help="run nginx's template as shipped, with HTTPS")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="pin pserve, nginx and dd to the first CPU, the client to the second (default: no pinning)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        type=lambda item: tuple(item.split("=", 1)),
        metavar="NAME=VALUE",
        help="an application setting of both servers",
    )
    parser.add_argument(
        "--waitress",
        action="append",
        default=[],
        type=lambda item: tuple(item.split("=", 1)),
        metavar="NAME=VALUE",
        help="a waitress option of both servers, over production.ini's, e.g. --waitress recv_bytes=65536",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary directory, and say where it is"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    options = parser.parse_args(argv)
    if min(options.repeat, options.download_repeat) < 1:
        parser.error("--repeat and --download-repeat must be at least 1")
    if not all(1 <= mib <= 1024 for mib in options.sizes):  # noqa: PLR2004
        parser.error("--sizes are between 1 and 1024 MiB (backrest.files.max_size in production)")
    return options


def cpus(pinned: bool) -> tuple[int | None, int | None]:
    if not pinned:
        return None, None
    if shutil.which("taskset") is None or len(os.sched_getaffinity(0)) < 2:  # noqa: PLR2004
        log("no taskset or a single CPU: nothing is pinned")
        return None, None
    first, second = sorted(os.sched_getaffinity(0))[:2]
    os.sched_setaffinity(0, {second})
    return first, second


@dataclass
class Report:
    sizes: list[Size] = field(default_factory=list)
    rss_after_login: dict[str, float] = field(default_factory=dict)
    peak_mib: dict[str, float] = field(default_factory=dict)
    peak_reset: bool = True


def measure(options: argparse.Namespace, directory: Path, about: dict[str, str]) -> Report:
    report = Report()
    pinned = cpus(options.pin)
    with database(options.backend, directory) as url, running(options, directory, url, pinned) as servers:
        log_in(servers.client)
        bench = Bench(servers, directory, pinned[0])
        report.rss_after_login = {to: memory_mib(servers.pid(to), "VmRSS") for to in ("waitress", "nginx")}
        for mib in options.sizes:
            size = measure_size(bench, mib, options.repeat, options.download_repeat)
            report.sizes.append(size)
            print("\n" + table(size, tls=servers.tls) + "\n", flush=True)
        report.peak_mib, report.peak_reset = bench.peak_mib, bench.peak_reset
        if servers.tls:
            about["protocol"] += f", {servers.client.cipher}"
        for path in servers.logs:
            text = path.read_text() if path.exists() else ""
            if "Traceback" in text or "[error]" in text:
                log(f"{path} has errors:\n{text[-3000:]}")
    return report


def closing_words(report: Report, about: dict[str, str]) -> str:
    lines = [summary(report.sizes), ""]
    direct, proxied = (report.rss_after_login.get(to, 0.0) for to in ("waitress", "nginx"))
    lines.append(
        f"server RSS after start and login: {direct:.0f} MiB (answered directly), {proxied:.0f} MiB "
        f"(behind nginx); highest peak during a transfer: {report.peak_mib.get('waitress', 0):.0f} "
        f"and {report.peak_mib.get('nginx', 0):.0f} MiB"
    )
    if not report.peak_reset:
        lines.append(
            "(the peak could not be reset before each upload: RSS growth is from the highest peak before)"
        )
    lines.append("")
    lines.extend(f"{name}: {value}" for name, value in about.items())
    lines.extend(["", LEGEND])
    return "\n".join(lines)


def main_(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    if nginx_binary() is None:
        sys.exit("nginx is not installed: apt-get install -y nginx")
    if shutil.which("dd") is None:
        sys.exit("dd is not installed (coreutils)")
    options.directory.mkdir(parents=True, exist_ok=True)
    needed = 4 * max(options.sizes) * MIB
    if shutil.disk_usage(options.directory).free < needed:
        sys.exit(f"{options.directory} has less than {needed // MIB} MiB free")
    directory = Path(tempfile.mkdtemp(prefix="bench-files-", dir=options.directory))
    about = environment(directory, options)
    for name, value in about.items():
        log(f"{name}: {value}")
    if os.getloadavg()[0] > BUSY:
        log(
            f"WARNING: the machine is busy (load average {os.getloadavg()[0]:.1f}): expect lower, noisier "
            "figures, and ratios to a disturbed dd"
        )
    kind = about["file system"].split()[0]
    if kind in NOT_DISK:
        log(f"WARNING: {directory} is on a {kind}: dd and uploads measure memory, not a disk (--directory)")
    try:
        report = measure(options, directory, about)
    finally:
        if options.keep:
            log(f"kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)
    print(closing_words(report, about))
    if options.json:
        figures = {
            "environment": about,
            "options": {**vars(options), "json": str(options.json), "directory": str(options.directory)},
            "sizes": [
                {"mib": size.mib, "rows": {key: asdict(row) for key, row in size.rows.items()}}
                for size in report.sizes
            ],
        }
        options.json.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
