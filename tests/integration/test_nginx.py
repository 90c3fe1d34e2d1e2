"""Files behind a real nginx: ``deploy/nginx.conf``, rendered as docs/deployment.rst says, in front of pserve.

The shipped template is rendered with nothing but its ``${NGINX_*}``
placeholders filled in (ports, paths, a throwaway TLS certificate), and
runs in front of backrest served by waitress with
``backrest.files.x_accel_redirect = /_blobs/``. Everything goes over real
HTTPS, from ``127.0.1.2``: a client address that is not the trusted proxy.
"""

from __future__ import annotations

import configparser
import contextlib
import hashlib
import http.client
import os
import re
import secrets
import ssl
import time
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from backrest.settings import SETTINGS
from tests.conftest import FAST_HASHING, PASSWORD
from tests.integration import test_server as server
from tests.integration.test_server import Reply
from tests.mailbox import parse
from tests.servers import (
    NGINX_TEMPLATE,
    free_port,
    nginx_server,
    nginx_site_config,
    pserve,
    pserve_ini,
    pserve_logging,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = NGINX_TEMPLATE
PRODUCTION_INI = ROOT / "production.ini"

MIB = 1024 * 1024
MAX_SIZE = 4 * MIB
"""The app's ``backrest.files.max_size`` here: a few MiB pass, and nginx's limit (1025 MiB) is far above."""
CLIENT_ADDRESS = "127.0.1.2"
"""Where the tests' requests come from: a loopback address, but not the trusted proxy (nginx, 127.0.0.1)."""
LOG_LINE = re.compile(
    r'"(?P<request>[^"]*)" (?P<status>\d{3}) bytes=(?P<bytes>\d+) id=(?P<id>\S+) '
    r"upstream=(?P<upstream>\S+) upstream_bytes=(?P<upstream_bytes>\S+) "
)
WAITRESS = {
    # waitress 3 drops X-Forwarded-* before the app sees them unless told
    # otherwise; backrest judges them itself (backrest.trusted_proxies).
    "clear_untrusted_proxy_headers": "false",
}


@dataclass
class Client(server.Client):
    """HTTPS to nginx from :data:`CLIENT_ADDRESS`, keeping the session cookie and sending the CSRF token."""

    tls: ssl.SSLContext | None = None

    def connect(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(
            "127.0.0.1", self.port, timeout=30, context=self.tls, source_address=(CLIENT_ADDRESS, 0)
        )


@dataclass
class Site:
    """nginx on ``port`` (HTTPS) and ``http_port`` (redirects), in front of pserve on ``app_port``."""

    port: int
    http_port: int
    app_port: int
    logs: Path
    files: Path
    client: Client

    def url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.port}{path}"

    def access_log(self, request_id: str, timeout: float = 5.0) -> re.Match[str]:
        """nginx's log line of the request with ``request_id`` (written once the answer went out)."""
        deadline = time.monotonic() + timeout
        path = self.logs / "backrest.access.log"
        while True:
            for line in path.read_text().splitlines():
                match = LOG_LINE.search(line)
                if match and match["id"] == request_id:
                    return match
            if time.monotonic() > deadline:
                pytest.fail(f"no access log line of {request_id} in\n{path.read_text()}")
            time.sleep(0.02)

    def from_app(self, method: str, path: str, **headers: str) -> Reply:
        """Ask waitress directly, as nginx does (from the trusted proxy's address, in plain HTTP)."""
        headers["Cookie"] = f"{server.COOKIE}={self.client.session}"
        connection = http.client.HTTPConnection("127.0.0.1", self.app_port, timeout=30)
        try:
            connection.request(method, path, headers=headers)
            response = connection.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            connection.close()


def wait_for_mail(directory: Path, to: str, timeout: float = 5.0) -> str:
    """The token of the first mail to ``to`` the service's worker thread delivered."""
    deadline = time.monotonic() + timeout
    while True:
        for path in sorted(directory.glob("*.eml")):
            mail = parse(path)
            if mail.to == to:
                return mail.token
        if time.monotonic() > deadline:
            pytest.fail(f"no mail to {to} within {timeout} seconds")
        time.sleep(0.02)


def log_in(client: Client, mail_directory: Path) -> None:
    """Sign up, confirm and log in through nginx, as a frontend does."""
    email = "ada@example.com"
    reply = client.request("POST", "/-/signup", {"email": email, "password": PASSWORD, "firstname": "Ada"})
    assert reply.status == 201, reply.body
    token = wait_for_mail(mail_directory, email)
    assert client.request("POST", f"/-/confirm/{token}").status == 200
    # The address the session records is the client's: nginx's X-Forwarded-For,
    # not one the client made up.
    reply = client.request(
        "PUT", "/-/login", {"login": email, "password": PASSWORD}, **{"X-Forwarded-For": "6.6.6.6"}
    )
    assert reply.status == 200, reply.body
    client.csrf_token = reply.json["csrf_token"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("nginx")
    port, http_port, app_port = free_port(), free_port(), free_port()
    files = directory / "files"
    config, certificate = nginx_site_config(directory, port, http_port, app_port, files / "blobs")
    settings = {
        "sqlalchemy.url": f"sqlite:///{directory / 'backrest.sqlite'}",
        "backrest.db.auto_migrate": "true",
        "backrest.mail.transport": "file",
        "backrest.mail.directory": str(directory / "mail"),
        "backrest.mail.worker": "true",
        "backrest.files.root": str(files),
        "backrest.files.max_size": str(MAX_SIZE),
        "backrest.files.x_accel_redirect": "/_blobs/",
        "backrest.trusted_proxies": "127.0.0.1",
        "backrest.session.secure": "true",
        "backrest.hsts": "true",
        **FAST_HASHING,
    }
    ini = directory / "server.ini"
    ini.write_text(
        pserve_ini(settings, app_port, pserve_logging("INFO", sqlalchemy_engine="WARN"), server=WAITRESS)
    )
    tls = ssl.create_default_context(cafile=str(certificate))
    with nginx_server(config, port), pserve(ini, app_port, directory / "server.log"):
        client = Client(port, tls=tls)
        log_in(client, directory / "mail")
        yield Site(port, http_port, app_port, directory / "logs", files, client)
    assert "Traceback" not in (directory / "server.log").read_text()


def multipart(fields: dict[str, str], filename: str, content_type: str, data: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with ``fields`` and the file ``data``, and its Content-Type."""
    boundary = secrets.token_hex(16)
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    body += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def upload(site: Site, data: bytes, filename: str = "photo.png", content_type: str = "image/png") -> Any:
    body, form_type = multipart({"description": "through nginx"}, filename, content_type, data)
    reply = site.client.request("POST", "/-/files/", body, **{"Content-Type": form_type})
    assert reply.status == 201, reply.body
    return reply.json


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def byteranges(reply: Reply) -> list[tuple[str, bytes]]:
    """The parts of a multipart/byteranges body: each part's Content-Range and its bytes."""
    content_type = reply.headers["Content-Type"]
    assert content_type.startswith("multipart/byteranges; boundary=")
    delimiter = b"\r\n--" + content_type.split("boundary=", 1)[1].encode()
    preamble, *parts, closing = (b"\r\n" + reply.body.removeprefix(b"\r\n")).split(delimiter)
    assert preamble == b""
    assert closing == b"--\r\n"
    ranges = []
    for part in parts:
        head, _, data = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
        assert headers["Content-Type"] == "image/png"
        ranges.append((headers["Content-Range"], data))
    return ranges


def test_a_download_is_sent_by_nginx_with_the_headers_of_backrest(site):
    data = os.urandom(3 * MIB + 17)
    created = upload(site, data)
    assert created["size"] == len(data)
    assert created["sha256"] == hashlib.sha256(data).hexdigest()
    assert created["filename"] == "photo.png"
    assert created["content_type"] == "image/png"
    assert created["download"] == site.url(f"/-/files/{created['__meta__']['id']}/data")
    path = path_of(created["download"])

    reply = site.client.get(path, **{"X-Request-Id": "nginx-download-1"})
    assert reply.status == 200
    assert reply.body == data
    assert reply.headers["Content-Length"] == str(len(data))
    assert reply.headers["Content-Type"] == "image/png"
    assert reply.headers["Content-Disposition"].startswith("inline;")
    assert 'filename="photo.png"' in reply.headers["Content-Disposition"]
    assert reply.headers["ETag"] == f'"{created["sha256"]}"'
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["X-Request-Id"] == "nginx-download-1"
    assert reply.all("Accept-Ranges") == ["bytes"]
    assert not reply.all("X-Accel-Redirect")
    sha256 = created["sha256"]
    blob_path = f"/_blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"
    assert site.client.get(blob_path).status == 404  # internal: only a redirect of backrest's gets there

    # backrest answered headers only, and nginx sent the bytes from the blob.
    app = site.from_app("GET", path, **{"X-Request-Id": "nginx-download-1"})
    assert app.status == 200
    assert app.body == b""
    assert app.headers["X-Accel-Redirect"] == blob_path
    logged = site.access_log("nginx-download-1")
    assert (logged["status"], logged["bytes"], logged["upstream_bytes"]) == ("200", str(len(data)), "0")

    # Every header backrest set survives the redirect, and nginx adds none of its own in their place.
    # The requests since were counted too: fewer remain.
    assert int(reply.headers["X-RateLimit-Remaining"]) > int(app.headers["X-RateLimit-Remaining"])
    skipped = {"x-accel-redirect", "content-length", "date", "server", "x-ratelimit-remaining"}
    for name in {name for name in app.headers if name.lower() not in skipped}:
        assert set(reply.all(name)) == set(app.all(name)), name


def test_ranges_are_sent_by_nginx_and_checked_by_backrest(site):
    data = os.urandom(2 * MIB)
    created = upload(site, data)
    path, etag = path_of(created["download"]), f'"{created["sha256"]}"'

    reply = site.client.get(path, Range="bytes=1000-1999", **{"X-Request-Id": "nginx-range-1"})
    assert reply.status == 206
    assert reply.headers["Content-Range"] == f"bytes 1000-1999/{len(data)}"
    assert reply.body == data[1000:2000]
    assert reply.headers["ETag"] == etag
    logged = site.access_log("nginx-range-1")
    assert (logged["status"], logged["bytes"], logged["upstream_bytes"]) == ("206", "1000", "0")

    reply = site.client.get(path, Range="bytes=-300")
    assert reply.status == 206
    assert reply.body == data[-300:]

    reply = site.client.get(path, Range="bytes=0-99,1048576-1048675,-10")
    assert reply.status == 206
    size = len(data)
    assert byteranges(reply) == [
        (f"bytes 0-99/{size}", data[:100]),
        (f"bytes 1048576-1048675/{size}", data[1048576:1048676]),
        (f"bytes {size - 10}-{size - 1}/{size}", data[-10:]),
    ]

    # A range past the end is refused by backrest, in its error shape, before nginx sees the file.
    reply = site.client.get(path, Range=f"bytes={size}-")
    assert reply.status == 416
    assert reply.headers["Content-Range"] == f"bytes */{size}"
    assert reply.json["status"] == "error"
    [error] = reply.json["errors"]
    assert (error["location"], error["name"]) == ("header", "Range")

    # If-Range: ranges only for the client's copy; nginx compares it with backrest's ETag.
    assert site.client.get(path, Range="bytes=0-9", **{"If-Range": etag}).body == data[:10]
    reply = site.client.get(path, Range="bytes=0-9", **{"If-Range": '"another"'})
    assert reply.status == 200
    assert reply.body == data


def test_conditional_requests_and_head(site):
    data = os.urandom(MIB)
    created = upload(site, data)
    path, etag = path_of(created["download"]), f'"{created["sha256"]}"'

    reply = site.client.get(path, **{"If-None-Match": etag})
    assert reply.status == 304
    assert reply.body == b""
    assert reply.headers["ETag"] == etag

    last_modified = site.client.get(path).headers["Last-Modified"]
    assert site.client.get(path, **{"If-Modified-Since": last_modified}).status == 304

    # Freshness is backrest's to judge, by the object's Last-Modified. A
    # client's copy from when the blob was written (the object changed since:
    # renamed, or given these bytes again) gets a 200, not nginx's 304 by the
    # blob file's mtime.
    sha256 = created["sha256"]
    written = 24 * 3600
    os.utime(site.files / "blobs" / sha256[:2] / sha256[2:4] / sha256, (written, written))
    reply = site.client.get(path, **{"If-Modified-Since": formatdate(written, usegmt=True)})
    assert reply.status == 200
    assert reply.body == data
    assert reply.headers["Last-Modified"] == last_modified

    reply = site.client.request("HEAD", path)
    assert reply.status == 200
    assert reply.body == b""
    assert reply.headers["Content-Length"] == str(len(data))
    assert reply.headers["ETag"] == etag
    assert reply.headers["Content-Type"] == "image/png"


def test_put_replaces_the_data_through_nginx(site):
    created = upload(site, os.urandom(1000))
    path = path_of(created["download"])
    data = os.urandom(MIB + 5)

    reply = site.client.request("PUT", path, data, **{"Content-Type": "application/pdf"})
    assert reply.status == 200, reply.body
    assert reply.json["size"] == len(data)
    assert reply.json["sha256"] == hashlib.sha256(data).hexdigest()
    assert reply.json["content_type"] == "application/pdf"

    reply = site.client.get(path)
    assert reply.body == data
    assert reply.headers["Content-Type"] == "application/pdf"
    assert reply.headers["Content-Disposition"].startswith("attachment;")


def assert_error(reply: Reply, status: int, location: str, name: str | None) -> None:
    assert reply.status == status, reply.body
    assert reply.headers["Content-Type"].startswith("application/json")
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["X-Request-Id"]
    assert reply.json["status"] == "error"
    [error] = reply.json["errors"]
    assert (error["location"], error["name"]) == (location, name)


def test_too_large(site):
    # Larger than backrest.files.max_size, well within nginx's limit: backrest's 413.
    too_large = os.urandom(MAX_SIZE + 1)
    body, form_type = multipart(
        {"description": "too large"}, "big.bin", "application/octet-stream", too_large
    )
    assert_error(
        site.client.request("POST", "/-/files/", body, **{"Content-Type": form_type}), 413, "body", "file"
    )

    path = path_of(upload(site, b"small")["download"])
    reply = site.client.request("PUT", path, too_large, **{"Content-Type": "application/octet-stream"})
    assert_error(reply, 413, "body", None)
    assert site.client.get(path).body == b"small"

    # Larger than nginx's client_max_body_size: nginx's 413, refused by its
    # Content-Length before a byte of it is sent, in the same shape.
    connection = http.client.HTTPSConnection(
        "127.0.0.1", site.port, timeout=30, context=site.client.tls, source_address=(CLIENT_ADDRESS, 0)
    )
    with contextlib.closing(connection):
        connection.putrequest("POST", "/-/files/")
        connection.putheader("Content-Type", form_type)
        connection.putheader("Content-Length", str(nginx_body_limit() + 1))
        connection.endheaders()
        response = connection.getresponse()
        reply = Reply(response.status, response.headers, response.read())
    assert_error(reply, 413, "body", None)


def test_proxy_headers(site):
    # log_in sent X-Forwarded-For: 6.6.6.6; backrest saw the address nginx
    # forwarded (a session keeps its /24), not the made-up one.
    [session] = site.client.get("/-/sessions").json["results"]
    assert session["ip"] == "127.0.1.0"

    # Without an X-Request-Id of the client's, nginx's id is backrest's too.
    reply = site.client.get("/-/heartbeat")
    assert reply.status == 200
    assert re.fullmatch(r"[0-9a-f]{32}", reply.headers["X-Request-Id"])
    assert site.access_log(reply.headers["X-Request-Id"])["upstream"] == "200"
    assert reply.headers["Strict-Transport-Security"]

    connection = http.client.HTTPConnection("127.0.0.1", site.http_port, timeout=30)
    with contextlib.closing(connection):
        connection.request("POST", "/-/files/?x=1")
        response = connection.getresponse()
        assert response.status == 308
        assert response.headers["Location"] == "https://127.0.0.1/-/files/?x=1"


def test_backrest_down_is_a_503_in_the_error_shape(tmp_path):
    port, http_port, app_port = free_port(), free_port(), free_port()
    config, certificate = nginx_site_config(tmp_path, port, http_port, app_port, tmp_path / "blobs")
    with nginx_server(config, port):
        client = Client(port, tls=ssl.create_default_context(cafile=str(certificate)))
        reply = client.get("/-/heartbeat")
    assert_error(reply, 503, "request", None)
    assert reply.headers["Retry-After"]


def nginx_body_limit() -> int:
    [value] = re.findall(r"^\s*client_max_body_size (\d+)m;$", TEMPLATE.read_text(), re.MULTILINE)
    return int(value) * MIB


def test_the_limits_are_in_line():
    """nginx lets through what waitress does, and both leave room for a form around the largest file."""
    production = configparser.ConfigParser(interpolation=None)
    production.read(PRODUCTION_INI)
    waitress_limit = int(production["server:main"]["max_request_body_size"])
    assert nginx_body_limit() == waitress_limit
    default_max_size = next(s.default for s in SETTINGS if s.name == "backrest.files.max_size")
    max_size = int(production["app:main"].get("backrest.files.max_size", default_max_size))
    assert waitress_limit - max_size == MIB
    assert f"larger than {waitress_limit} bytes" in TEMPLATE.read_text()
    location = production["app:main"]["backrest.files.x_accel_redirect"]
    assert re.search(rf"^    location {location} {{\n        internal;$", TEMPLATE.read_text(), re.MULTILINE)
