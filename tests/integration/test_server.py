"""The service as a real process: ``pserve`` with waitress, driven over real HTTP.

Each test starts its own server from a temporary ini file (the structure of
development.ini: mail to files, the outbox worker thread on) on the test's
database, and stops it at the end.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import re
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import FAST_HASHING, PASSWORD
from tests.integration.conftest import smtp_server
from tests.mailbox import Mail, parse
from tests.servers import free_port, pserve, pserve_ini, pserve_logging

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from email.message import Message

MAIL_DELAY = 5.0
"""The worker thread delivers right after the commit: a mail file appears within this many seconds.

Far less than its 30 seconds between rounds, so the commit woke it; more
than the fraction of a second it takes, which a busy machine can stretch.
"""
MAIL_WAIT = 10.0
"""How long a test waits for a mail: far more than it takes, for a machine busy with other tests."""
COOKIE = "backrest_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REQUEST_LINE = re.compile(r"\[(?P<id>[^\]]+)\] (?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) [\d.]+ms$")

LOGGING = pserve_logging("INFO", backrest="DEBUG", sqlalchemy_engine="WARN")


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def all(self, name: str) -> list[str]:
        """Every value of the header ``name``, in order."""
        return self.headers.get_all(name) or []


@dataclass
class Client:
    """An HTTP client that keeps the session cookie and sends the CSRF token, as a frontend does."""

    port: int
    session: str = ""
    csrf_token: str = ""
    set_cookies: list[str] = field(default_factory=list)

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(self, method: str, path: str, body: Any = None, **headers: str) -> Reply:
        """``body`` goes as it is if it is bytes, else as JSON."""
        headers = {"Accept": "application/json", **headers}
        data = body
        if body is not None and not isinstance(body, bytes):
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.session:
            headers["Cookie"] = f"{COOKIE}={self.session}"
        if self.csrf_token and method not in SAFE_METHODS:
            headers.setdefault("X-CSRF-Token", self.csrf_token)
        connection = self.connect()
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, response.headers, response.read())
        finally:
            connection.close()
        for header in reply.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(header)
            morsel = SimpleCookie(header).get(COOKIE)
            if morsel is not None:
                self.session = morsel.value
        return reply

    def get(self, path: str, **headers: str) -> Reply:
        return self.request("GET", path, **headers)

    def post(self, path: str, body: Any = None, **headers: str) -> Reply:
        return self.request("POST", path, body, **headers)

    def put(self, path: str, body: Any = None, **headers: str) -> Reply:
        return self.request("PUT", path, body, **headers)


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    mail_directory: Path
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    def client(self) -> Client:
        return Client(self.port)

    def request_lines(self) -> list[re.Match]:
        return [m for line in self.log.splitlines() if (m := REQUEST_LINE.search(line))]

    def wait_for_mail(self, to: str, subject: str, timeout: float = MAIL_WAIT) -> Mail:
        """The first delivered mail to ``to`` with ``subject``, waiting at most ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            for path in sorted(self.mail_directory.glob("*.eml")):
                mail = parse(path)
                if mail.to == to and mail.subject == subject:
                    return mail
            if time.monotonic() > deadline:
                pytest.fail(f"no mail {subject!r} to {to} within {timeout} seconds")
            time.sleep(0.02)


@contextlib.contextmanager
def running_server(
    directory: Path,
    database_url: str,
    port: int | None = None,
    server: Mapping[str, str] | None = None,
    **settings: str,
) -> Iterator[Server]:
    """``pserve`` on ``port`` (by default a free one) with the ini above.

    ``settings`` add to or change its ``[app:main]``, ``server`` its waitress options.
    """
    port = port or free_port()
    mail_directory = directory / "mail"
    ini = directory / "server.ini"
    settings = {
        "sqlalchemy.url": database_url,
        "backrest.db.auto_migrate": "true",
        "backrest.mail.transport": "file",
        "backrest.mail.directory": str(mail_directory),
        "backrest.mail.worker": "true",
        "backrest.urls.frontend": "https://app.example",
        "backrest.cors.origins": "https://app.example",
        **FAST_HASHING,
        **settings,
    }
    ini.write_text(pserve_ini(settings, port, LOGGING, server=server))
    log_path = directory / "server.log"
    with pserve(ini, port, log_path, stdout_path=directory / "stdout.log") as process:
        yield Server(port, process, mail_directory, log_path)


@pytest.fixture
def server(clean_database: str, tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path, clean_database) as server:
        yield server


def signup(client: Client, email: str = "ada@example.com") -> Reply:
    return client.post("/-/signup", {"email": email, "password": PASSWORD, "firstname": "Ada"})


def test_heartbeat_and_request_id(server):
    reply = server.client().get("/-/heartbeat", **{"X-Request-Id": "itest-heartbeat-1"})
    assert reply.status == 200
    assert reply.json == {"status": "ok", "checks": {"database": "ok", "files": "ok"}}
    assert reply.headers["X-Request-Id"] == "itest-heartbeat-1"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["X-Frame-Options"] == "DENY"
    assert "[itest-heartbeat-1] GET /-/heartbeat 200" in server.log


def signup_and_confirm(server: Server, client: Client) -> str:
    """Sign up, find the confirmation mail the worker thread delivered, confirm; answers the token."""
    reply = signup(client)
    signed_up = time.monotonic()
    assert reply.status == 201
    assert reply.json == {"status": "success"}
    assert reply.headers["Cache-Control"] == "no-store"
    # The worker thread delivers once the request has committed, not at its next poll.
    mail = server.wait_for_mail("ada@example.com", "Confirm your email address")
    assert time.monotonic() - signed_up < MAIL_DELAY
    [link] = mail.links
    assert link.startswith("https://app.example/confirm#token=")
    assert client.post(f"/-/confirm/{mail.token}").status == 200
    return mail.token


def login(client: Client) -> str:
    """Log in with the email in another case; answers the session cookie's value."""
    reply = client.put("/-/login", {"login": "ADA@example.com", "password": PASSWORD})
    assert reply.status == 200
    [set_cookie] = [header for header in client.set_cookies if header.startswith(f"{COOKIE}=")]
    attributes = [part.strip().lower() for part in set_cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert client.session
    return client.session


def assert_logged(server: Server, requests: list[tuple[str, str, str]], secrets: list[str]) -> None:
    """The log has one line per request, with a request id, and none of ``secrets``."""
    log = server.log
    for secret in secrets:
        assert secret not in log
    assert "Traceback" not in log
    lines = server.request_lines()
    assert [(line["method"], line["path"], line["status"]) for line in lines] == requests
    request_ids = [line["id"] for line in lines]
    assert all(re.fullmatch(r"[0-9a-f]{32}", request_id) for request_id in request_ids)
    assert len(set(request_ids)) == len(request_ids)


def test_account_lifecycle_over_http(server):
    client = server.client()
    confirm_token = signup_and_confirm(server, client)
    session_cookie = login(client)

    status = client.get("/-/login").json
    assert status["authenticated"] is True
    assert status["email"] == "ada@example.com"
    assert status["email_verified"] is True
    assert status["firstname"] == "Ada"
    assert status["csrf_token"]

    # Without the CSRF token the cookie is not enough.
    reply = client.put("/-/userprofile", {"lastname": "Lovelace"})
    assert reply.status == 403
    assert reply.json["errors"][0]["location"] == "header"
    assert reply.json["errors"][0]["name"] == "X-CSRF-Token"

    client.csrf_token = status["csrf_token"]
    reply = client.put("/-/userprofile", {"lastname": "Lovelace", "__meta__": {"id": "x"}})
    assert reply.status == 200
    assert reply.json == {"status": "success"}

    reply = client.get("/-/userprofile")
    assert reply.status == 200
    assert reply.json["lastname"] == "Lovelace"
    assert reply.json["firstname"] == "Ada"
    assert reply.headers["Cache-Control"] == "no-store"

    assert client.put("/-/logout", {}).status == 200

    old_cookie = Client(server.port, session=session_cookie)
    assert old_cookie.get("/-/login").json["authenticated"] is False
    reply = old_cookie.get("/-/userprofile")
    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"]

    assert_logged(
        server,
        [
            ("POST", "/-/signup", "201"),
            ("POST", "/-/confirm/[redacted]", "200"),
            ("PUT", "/-/login", "200"),
            ("GET", "/-/login", "200"),
            ("PUT", "/-/userprofile", "403"),
            ("PUT", "/-/userprofile", "200"),
            ("GET", "/-/userprofile", "200"),
            ("PUT", "/-/logout", "200"),
            ("GET", "/-/login", "200"),
            ("GET", "/-/userprofile", "401"),
        ],
        secrets=[confirm_token, session_cookie, PASSWORD],
    )


def test_reset_token_in_the_path_is_redacted_in_the_log(server):
    client = server.client()
    assert signup(client).status == 201
    assert client.post("/-/reset/", {"email": "ada@example.com"}).status == 200
    token = server.wait_for_mail("ada@example.com", "Set a new password").token

    new_password = "a different horse, battery and staple"
    reply = client.put(f"/-/reset/{token}", {"password": new_password}, **{"X-Request-Id": "itest-reset-1"})
    assert reply.status == 200
    reply = client.put(f"/-/reset/{token}", {"password": new_password}, **{"X-Request-Id": "itest-reset-2"})
    assert reply.status == 400  # single use
    unknown = "x" * 43
    assert client.put(f"/-/reset/{unknown}", {"password": new_password}).status == 400

    assert client.put("/-/login", {"login": "ada@example.com", "password": new_password}).status == 200
    log = server.log
    assert "[itest-reset-1] PUT /-/reset/[redacted] 200" in log
    assert "[itest-reset-2] PUT /-/reset/[redacted] 400" in log
    assert token not in log
    assert unknown not in log
    assert new_password not in log


def test_api_keys_over_http(server):
    """A key made in the browser's session serves a script: as Token, as Basic, in a body; then revoked."""
    browser = server.client()
    signup_and_confirm(server, browser)
    login(browser)
    browser.csrf_token = browser.get("/-/login").json["csrf_token"]
    made = browser.post("/-/keys", {"name": "ci"})
    assert made.status == 201
    key = made.json["key"]
    by_token = {"Authorization": f"Token {key}"}
    by_basic = {"Authorization": "Basic " + base64.b64encode(f"ci:{key}".encode()).decode()}

    script = Client(server.port)
    created = script.post("/-/documents/", {"title": "From CI"}, **by_token)
    assert created.status == 201
    assert script.post("/-/documents/", {"title": "From a form", "authorisation": key}).status == 201
    listed = script.get("/-/documents/", **by_basic)
    assert sorted(item["title"] for item in listed.json["results"]) == ["From CI", "From a form"]
    assert script.get("/-/documents/").json["results"] == []
    assert script.get(f"/-/documents/?key={key}").status == 400

    wrong_secret = key[:-1] + ("x" if key[-1] != "x" else "y")
    wrong = script.get("/-/documents/", Authorization=f"Token {wrong_secret}")
    assert wrong.status == 401
    assert wrong.headers["WWW-Authenticate"] == 'Token realm="backrest"'
    assert browser.request("DELETE", f"/-/keys/{made.json['id']}").status == 204
    assert script.get("/-/documents/", **by_token).status == 401
    assert key.split(":")[1] not in server.log


def test_teams_over_http(server):
    """A team, a member by invitation, an object shared with it, and a team key, between two real clients."""
    ada, bob = server.client(), server.client()
    for client, email in ((ada, "ada@example.com"), (bob, "bob@example.com")):
        assert signup(client, email).status == 201
        confirmation = server.wait_for_mail(email, "Confirm your email address")
        assert client.post("/-/confirm/", {"token": confirmation.token}).status == 200
        assert client.put("/-/login", {"login": email, "password": PASSWORD}).status == 200
        client.csrf_token = client.get("/-/login").json["csrf_token"]
    crew = ada.post("/-/teams/", {"name": "Crew"})
    assert crew.status == 201
    team_url = f"/-/teams/{crew.json['__meta__']['id']}"
    invited = ada.post(f"{team_url}/members", {"email": "bob@example.com"})
    assert invited.status == 202
    assert invited.json["invitation"]["email"] == "bob@example.com"
    token = server.wait_for_mail("bob@example.com", "An invitation to join a team").token
    joined = bob.post(f"/-/teams/invitations/{token}", **{"X-Request-Id": "itest-invitation-1"})
    assert joined.status == 200
    assert joined.json["__meta__"]["permissions"] == ["view"]
    assert bob.post("/-/teams/invitations/", {"token": token}).status == 400  # single use
    assert "[itest-invitation-1] POST /-/teams/invitations/[redacted] 200" in server.log
    assert token not in server.log
    plan = ada.post("/-/documents/", {"title": "Plan"}).json
    plan_url = f"/-/documents/{plan['__meta__']['id']}"
    assert bob.get(plan_url).status == 404
    assert ada.put(f"{plan_url}/shares/{crew.json['__meta__']['id']}").status == 201
    assert bob.get(plan_url).json["__meta__"]["permissions"] == ["view"]

    key = ada.post(f"{team_url}/keys/", {"name": "CI"}).json["key"]
    script = Client(server.port)
    listed = script.get("/-/documents/", Authorization=f"Token {key}")
    assert [item["title"] for item in listed.json["results"]] == ["Plan"]
    made = script.post("/-/documents/", {"title": "Report"}, Authorization=f"Token {key}")
    assert made.status == 201
    assert made.json["__meta__"]["owner"] is None
    assert bob.get(f"/-/documents/{made.json['__meta__']['id']}").status == 200
    assert ada.request("DELETE", team_url).status == 204
    assert script.get("/-/documents/", Authorization=f"Token {key}").status == 401
    assert bob.get(plan_url).status == 404


def test_client_cannot_choose_its_address(server):
    """With no trusted proxy, X-Forwarded-For is a lie: sessions, audit and limits see the peer."""
    client = server.client()
    assert signup(client).status == 201
    reply = client.put(
        "/-/login", {"login": "ada@example.com", "password": PASSWORD}, **{"X-Forwarded-For": "6.6.6.6"}
    )
    assert reply.status == 200
    [session] = client.get("/-/sessions").json["results"]
    assert session["ip"] == "127.0.0.0"


def concurrently(count: int, call: Callable[[int], Reply]) -> list[Reply]:
    """Run ``call(0)`` to ``call(count - 1)`` in threads released at the same moment."""
    barrier = threading.Barrier(count)
    replies: list[Reply | None] = [None] * count

    def run(number: int) -> None:
        barrier.wait(timeout=30)
        replies[number] = call(number)

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(reply is not None for reply in replies), "a request did not finish"
    return replies


UNTHROTTLED = {"backrest.throttle.signup": "1000/hour", "backrest.throttle.signup_account": "1000/hour"}


def test_concurrent_signups_all_get_their_mail(clean_database, tmp_path):
    count = 8
    with running_server(tmp_path, clean_database, **UNTHROTTLED) as server:
        replies = concurrently(count, lambda number: signup(server.client(), f"user{number}@example.com"))
        assert [reply.status for reply in replies] == [201] * count
        for number in range(count):
            server.wait_for_mail(f"user{number}@example.com", "Confirm your email address")
        assert "Traceback" not in server.log


def test_concurrent_signups_of_one_address_answer_like_one(clean_database, tmp_path):
    count = 6
    with running_server(tmp_path, clean_database, **UNTHROTTLED) as server:
        replies = concurrently(count, lambda _number: signup(server.client(), "race@example.com"))
        assert [reply.status for reply in replies] == [201] * count
        server.wait_for_mail("race@example.com", "Confirm your email address")
        assert "Traceback" not in server.log


def test_mail_server_down_never_fails_a_request(clean_database, tmp_path):
    """The service's own worker thread retries: the next commit wakes it once the retry is due."""
    smtp_port = free_port()
    smtp = {
        "backrest.mail.transport": "smtp",
        "backrest.mail.smtp.host": "127.0.0.1",
        "backrest.mail.smtp.port": str(smtp_port),
        "backrest.mail.retry_delay": "1",
    }
    with running_server(tmp_path, clean_database, **smtp) as server:
        assert signup(server.client(), "ada@example.com").status == 201
        wait_for(lambda: "not delivered (ConnectionRefusedError" in server.log, "a failed attempt")
        with smtp_server(smtp_port) as mail_server:
            time.sleep(1.1)  # the retry delay
            assert signup(server.client(), "bob@example.com").status == 201
            wait_for(lambda: len(mail_server.received) == 2, f"both mails in\n{server.log}")
        assert sorted(mail.rcpt_tos[0] for mail in mail_server.received) == [
            "ada@example.com",
            "bob@example.com",
        ]
        assert "Traceback" not in server.log


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting after {timeout} seconds: {what}")
        time.sleep(0.05)
