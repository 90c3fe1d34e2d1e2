"""backrest behind a real nginx: ``deploy/nginx.conf``, rendered as docs/deployment.rst says, before pserve.

The shipped template is rendered with nothing but its ``${NGINX_*}``
placeholders filled in (ports, paths, a throwaway TLS certificate), and
runs in front of backrest served by waitress with
``backrest.files.x_accel_redirect = /_blobs/``. Everything goes over real
HTTPS, from ``127.0.1.2``: a client address that is not the trusted proxy.
What nginx refuses by itself is told by its access log (``upstream=-``) and
by backrest's, which has no line of that request.
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

from backrest import main
from backrest.settings import MAX_BODY_SIZE, SETTINGS
from backrest.validation import DEFAULT_MAX_BODY_SIZE
from tests.conftest import FAST_HASHING, PASSWORD, make_settings
from tests.integration import test_server as server
from tests.integration.test_server import REQUEST_LINE, Reply
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
JSON_LIMIT = DEFAULT_MAX_BODY_SIZE
"""nginx's limit of every other body here: backrest's ``backrest.max_body_size``."""
UPLOADS_AT_ONCE = 4
"""How many uploads nginx takes at once from one client address."""
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
    server_log: Path
    """backrest's log."""

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

    def backrest_log(self, request_id: str) -> list[str]:
        """The lines of backrest's request log about the request with ``request_id``: method, path, status."""
        lines = (REQUEST_LINE.search(line) for line in self.server_log.read_text().splitlines())
        return [f"{m['method']} {m['path']} {m['status']}" for m in lines if m and m["id"] == request_id]

    def connect(self) -> http.client.HTTPSConnection:
        return self.client.connect()

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


@contextlib.contextmanager
def running_site(directory: Path, **overrides: str) -> Iterator[Site]:
    """nginx from the template before pserve, with backrest's ``overrides``; all files in ``directory``."""
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
        # The module's session makes an API key long after it logged in.
        "backrest.reauth.max_age": "3600",
        **FAST_HASHING,
        **overrides,
    }
    ini = directory / "server.ini"
    ini.write_text(
        pserve_ini(settings, app_port, pserve_logging("INFO", sqlalchemy_engine="WARN"), server=WAITRESS)
    )
    server_log = directory / "server.log"
    tls = ssl.create_default_context(cafile=str(certificate))
    with nginx_server(config, port), pserve(ini, app_port, server_log):
        yield Site(port, http_port, app_port, directory / "logs", files, Client(port, tls=tls), server_log)
    assert "Traceback" not in server_log.read_text()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("nginx")
    with running_site(directory) as running:
        log_in(running.client, directory / "mail")
        yield running


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
    limit = nginx_upload_limit()
    reply = headers_only(site, "POST", "/-/files/", limit + 1, **{"Content-Type": form_type})
    assert_error(reply, 413, "body", None)
    assert f"larger than {limit} bytes" in reply.json["errors"][0]["description"]


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
        replies = [
            client.get("/-/heartbeat"),
            # The check of an upload's credentials gets no answer either.
            client.request("PUT", "/-/files/abc/data", b"data", **{"Content-Type": "image/png"}),
        ]
    for reply in replies:
        assert_error(reply, 503, "request", None)
        assert reply.headers["Retry-After"]


# Secrets in paths


TOKEN = "bm90LWEtcmVhbC10b2tlbi1idXQtbG9uZy1lbm91Z2g"


def test_tokens_in_paths_never_reach_the_logs(site):
    requests = {
        "nginx-token-reset": ("PUT", f"/-/reset/{TOKEN}", "/-/reset/[redacted]"),
        "nginx-token-email": ("PUT", f"/-/email/{TOKEN}/", "/-/email/[redacted]"),
        "nginx-token-confirm": (
            "POST",
            f"/-/confirm/{TOKEN}?format=json",
            "/-/confirm/[redacted]?format=json",
        ),
        "nginx-token-team": ("POST", f"/-/teams/invitations/{TOKEN}", "/-/teams/invitations/[redacted]"),
        "nginx-token-404": ("GET", f"/-/reset/{TOKEN}/more", "/-/reset/[redacted]"),
        # The services at fixed paths beside them are logged as they are.
        "nginx-token-cancel": ("POST", "/-/email/cancel", "/-/email/cancel"),
        "nginx-token-resend": ("POST", "/-/confirm/resend", "/-/confirm/resend"),
    }
    for request_id, (method, path, logged) in requests.items():
        reply = site.client.request(method, path, {}, **{"X-Request-Id": request_id})
        assert reply.status != 502, reply.body
        assert site.access_log(request_id)["request"] == f"{method} {logged} HTTP/1.1"
    assert TOKEN not in (site.logs / "backrest.access.log").read_text()
    assert TOKEN not in site.server_log.read_text()


# Request bodies


def headers_only(site: Site, method: str, path: str, length: int, **headers: str) -> Reply:
    """The answer to a request that announces a body of ``length`` bytes and never sends a byte of it."""
    connection = site.connect()
    with contextlib.closing(connection):
        connection.putrequest(method, path)
        for name, value in {**headers, "Content-Length": str(length)}.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())


def refused_by_nginx(site: Site, request_id: str) -> None:
    """nginx answered the request itself: backrest sent nothing of it and logged nothing of it."""
    logged = site.access_log(request_id)
    assert (logged["upstream"], logged["upstream_bytes"]) == ("-", "-")
    assert not [line for line in site.backrest_log(request_id) if not line.startswith("GET /-/auth ")]


def test_a_json_body_over_the_api_limit_is_refused_by_nginx(site):
    body = {"email": "mallory@example.com", "password": PASSWORD, "firstname": "x" * 2 * MIB}
    reply = Client(site.port, tls=site.client.tls).post(
        "/-/signup", body, **{"X-Request-Id": "nginx-json-big"}
    )
    assert_error(reply, 413, "body", None)
    assert f"larger than {JSON_LIMIT} bytes" in reply.json["errors"][0]["description"]
    refused_by_nginx(site, "nginx-json-big")
    assert site.backrest_log("nginx-json-big") == []


def test_a_json_body_within_the_limit_reaches_backrest(site):
    padding = "x" * (JSON_LIMIT - 100)  # an unknown key: backrest ignores it
    reply = site.client.post(
        "/-/documents/", {"title": "Big", "padding": padding}, **{"X-Request-Id": "nginx-json"}
    )
    assert reply.status == 201, reply.body
    assert site.access_log("nginx-json")["upstream"] == "201"


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("POST", "/-/files/", "multipart/form-data; boundary=x"),
        ("PUT", "/-/files/abc/data", "image/png"),
        ("PATCH", "/-/files/abc", "multipart/form-data; boundary=x"),
        ("POST", "/-/api/home/describe_site", "multipart/form-data; boundary=x"),
    ],
)
def test_an_anonymous_upload_is_refused_before_its_body_is_read(site, method, path, content_type):
    request_id = f"nginx-anonymous-{method}-{path}"
    started = time.monotonic()
    reply = headers_only(
        site, method, path, 500 * MIB, **{"Content-Type": content_type, "X-Request-Id": request_id}
    )
    assert time.monotonic() - started < 5  # nobody waited for the body
    assert_error(reply, 401, "header", "Authorization")
    assert reply.headers["WWW-Authenticate"] == (
        'Bearer realm="backrest", Cookie realm="backrest", Token realm="backrest"'
    )
    refused_by_nginx(site, request_id)
    # backrest was asked who sends it, nothing more.
    assert site.backrest_log(request_id) == ["GET /-/auth 401"]


def test_a_methods_multipart_body_is_taken_as_an_upload(site):
    # Over the API's JSON limit, as a file a method takes may be: nginx passes it on to backrest.
    body, form_type = multipart({}, "big.bin", "application/octet-stream", os.urandom(JSON_LIMIT + MIB))
    reply = site.client.post(
        "/-/api/home/describe_site",
        body,
        **{"Content-Type": form_type, "X-Request-Id": "nginx-method-upload"},
    )
    assert site.access_log("nginx-method-upload")["upstream"] == str(reply.status)
    assert_error(reply, 413, "body", None)


def test_an_upload_with_bad_credentials_is_refused_with_backrests_challenge(site):
    reply = headers_only(site, "PUT", "/-/files/abc/data", MIB, Authorization=f"Token {'a' * 22}:{'b' * 43}")
    assert_error(reply, 401, "header", "Authorization")
    assert reply.headers["WWW-Authenticate"] == 'Token realm="backrest"'


def test_an_upload_with_an_api_key_passes(site):
    made = site.client.post("/-/keys", {"name": "uploads", "scopes": ["write"]})
    assert made.status == 201, made.body
    data = os.urandom(2 * MIB)
    body, form_type = multipart({"description": "by key"}, "key.bin", "application/octet-stream", data)
    by_key = Client(site.port, tls=site.client.tls)
    reply = by_key.post(
        "/-/files/", body, **{"Content-Type": form_type, "Authorization": f"Token {made.json['key']}"}
    )
    assert reply.status == 201, reply.body
    assert reply.json["sha256"] == hashlib.sha256(data).hexdigest()


def test_uploads_at_once_from_one_address_are_limited(site):
    held = []
    try:
        for _ in range(UPLOADS_AT_ONCE):
            connection = site.connect()
            held.append(connection)
            connection.putrequest("PUT", "/-/files/abc/data")
            for name, value in {
                "Content-Type": "image/png",
                "Content-Length": str(MIB),
                "Cookie": f"{server.COOKIE}={site.client.session}",
                "X-CSRF-Token": site.client.csrf_token,
            }.items():
                connection.putheader(name, value)
            connection.endheaders(b"x" * 1000)
        time.sleep(0.5)  # nginx has taken them in
        reply = headers_only(site, "PUT", "/-/files/abc/data", MIB, **{"X-Request-Id": "nginx-too-many"})
    finally:
        for connection in held:
            connection.close()
    assert_error(reply, 429, "request", "too_many_requests")
    assert reply.headers["Retry-After"] == "10"
    refused_by_nginx(site, "nginx-too-many")


def test_a_throttled_caller_gets_backrests_429_at_an_upload(tmp_path):
    with running_site(tmp_path, **{"backrest.throttle.anon": "1/day"}) as throttled:
        headers_only(throttled, "PUT", "/-/files/abc/data", MIB)  # backrest's 401: the one request of the day
        reply = headers_only(throttled, "PUT", "/-/files/abc/data", MIB)
    assert_error(reply, 429, "request", "too_many_requests")
    # backrest's wait, until its day's window ends, not nginx's own 10 s.
    assert 10 < int(reply.headers["Retry-After"]) <= 86400


# The host


def test_a_request_for_another_host_is_refused(site):
    for host in ("evil.example", f"evil.example:{site.port}"):
        reply = site.client.get("/-/", Host=host, **{"X-Request-Id": "nginx-host"})
        assert_error(reply, 421, "header", "Host")
        refused_by_nginx(site, "nginx-host")
    connection = site.connect()
    with contextlib.closing(connection):
        connection.request(
            "GET", f"https://evil.example:{site.port}/-/", headers={"Host": f"127.0.0.1:{site.port}"}
        )
        response = connection.getresponse()
        assert response.status == 421
    assert site.backrest_log("nginx-host") == []


def test_links_name_the_configured_host(site):
    forged = {"Host": "127.0.0.1:1", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
    root = site.client.get("/-/", **forged).json
    assert root["services"]["signup"]["url"] == site.url("/-/signup")
    page = site.client.get("/-/documents/", **forged).json
    assert all(item["__meta__"]["url"].startswith(site.url("/-/documents/")) for item in page["results"])


def test_the_app_is_served_by_nginx_and_the_api_by_backrest(site):
    app = (ROOT / "frontend" / "index.html").read_bytes()
    for path in ("/", "/documents/abc?page=2", "/confirm"):
        reply = site.client.get(path, **{"X-Request-Id": "nginx-app"})
        assert reply.status == 200, path
        assert reply.body == app
        assert reply.headers["Content-Type"].startswith("text/html")
        assert reply.headers["Cache-Control"] == "no-cache"
        policy = reply.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert reply.headers["X-Frame-Options"] == "DENY"
        assert reply.headers["Strict-Transport-Security"].startswith("max-age=")
    assert site.backrest_log("nginx-app") == []

    script = site.client.get("/app.js")
    assert script.status == 200
    assert script.headers["Content-Type"] == "application/javascript"
    assert script.body == (ROOT / "frontend" / "app.js").read_bytes()
    assert site.client.get("/app.js", **{"If-None-Match": script.headers["ETag"]}).status == 304
    for missing in ("/missing.js", "/screens/missing.js", "/../development.ini"):
        assert site.client.get(missing).status in {400, 404}, missing

    # The API, OAuth2's metadata and the password managers' link are backrest's.
    assert site.client.get("/-/").json["collections"]["documents"]["url"] == site.url("/-/documents/")
    assert site.client.get("/.well-known/oauth-authorization-server").json["issuer"]
    assert site.client.get("/.well-known/change-password").status == 302
    assert site.client.get("/-/nothing-here").json["status"] == "error"


# The template's values


def nginx_upload_limit() -> int:
    [value] = re.findall(r"^\s*client_max_body_size (\d+)m;$", TEMPLATE.read_text(), re.MULTILINE)
    return int(value) * MIB


def test_the_limits_are_in_line():
    """nginx lets through what waitress and backrest do; both leave room for a form around a file."""
    production = configparser.ConfigParser(interpolation=None)
    production.read(PRODUCTION_INI)
    waitress_limit = int(production["server:main"]["max_request_body_size"])
    assert nginx_upload_limit() == waitress_limit
    # The limit nginx's 413 names for an upload.
    assert re.search(rf"^    /_backrest_upload {waitress_limit};$", TEMPLATE.read_text(), re.MULTILINE)
    default_max_size = next(s.default for s in SETTINGS if s.name == "backrest.files.max_size")
    max_size = int(production["app:main"].get("backrest.files.max_size", default_max_size))
    assert waitress_limit - max_size == MIB
    # The example values of the template's own instructions are production's.
    json_limit = int(production["app:main"].get(MAX_BODY_SIZE, DEFAULT_MAX_BODY_SIZE))
    assert re.search(rf"^#   NGINX_MAX_BODY_SIZE={json_limit} ", TEMPLATE.read_text(), re.MULTILINE)
    location = production["app:main"]["backrest.files.x_accel_redirect"]
    assert re.search(rf"^    location {location} {{\n        internal;$", TEMPLATE.read_text(), re.MULTILINE)


def test_the_uploads_are_the_file_types_of_the_default_application(tmp_path):
    app = main({}, **make_settings(f"sqlite:///{tmp_path / 'backrest.sqlite'}", tmp_path / "mail"))
    app.registry["db_engine"].dispose()
    content_types = app.registry["backrest.content_types"]
    files = sorted(name for name, content_type in content_types.items() if content_type.kind == "file")
    assert re.search(rf"^#   NGINX_FILE_COLLECTIONS={'[|]'.join(files)} ", TEMPLATE.read_text(), re.MULTILINE)
