"""Mail through a real SMTP server (aiosmtpd), delivered by the outbox worker.

The worker thread is off (as in every test application): each test calls
``deliver_due()`` itself, which is what the thread does after every commit.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
import webtest
from pyramid.scripting import prepare
from sqlalchemy import func, select, update

from backrest.db import utcnow
from backrest.mail.models import OutboxMessage
from tests.conftest import PASSWORD
from tests.integration.conftest import smtp_server
from tests.servers import free_port

if TYPE_CHECKING:
    from collections.abc import Callable

CONFIRM_LINK = re.compile(r"https://app\.example/confirm#token=([A-Za-z0-9_-]+)")


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def smtp_app(make_app: Callable[..., Any], smtp_port: int) -> Any:
    """The application, mailing through SMTP on ``smtp_port`` (where the test may start a server)."""
    return make_app(
        **{
            "backrest.mail.transport": "smtp",
            "backrest.mail.smtp.host": "127.0.0.1",
            "backrest.mail.smtp.port": str(smtp_port),
            "backrest.mail.retry_delay": "60",
            "backrest.mail.max_attempts": "3",
        }
    )


@pytest.fixture
def browser(smtp_app: Any) -> webtest.TestApp:
    return webtest.TestApp(smtp_app, extra_environ={"REMOTE_ADDR": "192.0.2.10", "HTTP_USER_AGENT": "pytest"})


def outbox(app: Any) -> list[OutboxMessage]:
    with app.registry["dbsession_factory"]() as dbsession:
        return list(dbsession.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def deliver(app: Any) -> int:
    return app.registry["mail_worker"].deliver_due()


def signup(browser: webtest.TestApp, email: str = "ada@example.com", **kwargs: Any) -> webtest.TestResponse:
    return browser.post_json("/-/signup", {"email": email, "password": PASSWORD}, **kwargs)


def test_signup_confirmation_is_delivered_over_smtp(smtp_app, browser, smtp_port):
    with smtp_server(smtp_port) as server:
        signup(browser, status=201)
        assert server.received == []  # queued, not sent by the request
        assert deliver(smtp_app) == 1
    [mail] = server.received
    assert mail.mail_from == "noreply@localhost"
    assert mail.rcpt_tos == ["ada@example.com"]
    assert mail.message["To"] == "ada@example.com"
    assert mail.message["From"] == "backrest <noreply@localhost>"
    assert mail.subject == "Confirm your email address"
    [token] = CONFIRM_LINK.findall(mail.body)
    # The token that went through SMTP is the one that confirms the address.
    browser.post_json("/-/confirm/", {"token": token}, status=200)
    browser.put_json("/-/login", {"login": "ada@example.com", "password": PASSWORD}, status=200)
    assert browser.get("/-/login").json["email_verified"] is True


def test_delivered_message_is_kept_without_its_body(smtp_app, browser, smtp_port):
    with smtp_server(smtp_port):
        signup(browser, status=201)
        deliver(smtp_app)
    [row] = outbox(smtp_app)
    assert row.sent is not None
    assert row.body == ""
    assert row.attempts == 0
    assert deliver(smtp_app) == 0  # never sent twice


def test_smtp_server_down_keeps_the_mail_for_later(smtp_app, browser, smtp_port):
    # Nothing listens on smtp_port: the request still succeeds.
    signup(browser, status=201)
    assert deliver(smtp_app) == 0
    [row] = outbox(smtp_app)
    assert row.attempts == 1
    assert row.last_error.startswith("ConnectionRefusedError")
    assert row.sent is None
    assert row.failed is None
    assert CONFIRM_LINK.search(row.body)
    assert row.next_attempt > utcnow() + timedelta(seconds=50)

    with smtp_server(smtp_port) as server:
        # Not due yet: the worker waits for the retry delay.
        assert deliver(smtp_app) == 0
        assert server.received == []
        with smtp_app.registry["db_engine"].begin() as connection:
            connection.execute(update(OutboxMessage).values(next_attempt=utcnow() - timedelta(seconds=1)))
        assert deliver(smtp_app) == 1

    [mail] = server.received
    assert mail.rcpt_tos == ["ada@example.com"]
    assert mail.subject == "Confirm your email address"
    assert CONFIRM_LINK.search(mail.body)
    [row] = outbox(smtp_app)
    assert row.sent is not None
    assert row.attempts == 1
    assert row.body == ""  # it held a token


def test_refused_recipient_is_retried_then_given_up(smtp_app, browser, smtp_port):
    with smtp_server(smtp_port) as server:
        server.refuse = True
        signup(browser, status=201)
        for attempt in range(1, 4):
            with smtp_app.registry["db_engine"].begin() as connection:
                connection.execute(update(OutboxMessage).values(next_attempt=utcnow() - timedelta(seconds=1)))
            assert deliver(smtp_app) == 0
            [row] = outbox(smtp_app)
            assert row.attempts == attempt
            assert "550" in row.last_error
        assert row.failed is not None  # max_attempts = 3
        server.refuse = False
        with smtp_app.registry["db_engine"].begin() as connection:
            connection.execute(update(OutboxMessage).values(next_attempt=utcnow() - timedelta(seconds=1)))
        assert deliver(smtp_app) == 0
    assert server.received == []


def test_several_messages_go_out_in_one_round(smtp_app, browser, smtp_port):
    with smtp_server(smtp_port) as server:
        for number in range(3):
            signup(browser, f"user{number}@example.com", status=201)
        assert deliver(smtp_app) == 3
    assert sorted(mail.rcpt_tos[0] for mail in server.received) == [
        "user0@example.com",
        "user1@example.com",
        "user2@example.com",
    ]


def test_refused_signup_queues_no_mail(smtp_app, browser, smtp_port):
    with smtp_server(smtp_port) as server:
        response = browser.post_json(
            "/-/signup", {"email": "ada@example.com", "password": "ada@example.com!!"}, status=400
        )
        assert response.json["errors"][0]["name"] == "password"
        assert deliver(smtp_app) == 0
    assert outbox(smtp_app) == []
    assert server.received == []


def queue(app: Any, recipient: str, subject: str, body: str, *, commit: bool = True) -> None:
    """Queue a mail the way a request does: in its transaction."""
    env = prepare(registry=app.registry)
    request = env["request"]
    try:
        request.tm.begin()
        request.mail.send(recipient, subject, body)
        if commit:
            request.tm.commit()
        else:
            request.tm.abort()
    finally:
        env["closer"]()


def test_rolled_back_transaction_sends_nothing(smtp_app, smtp_port):
    """Mail queued by a request that aborts goes with its transaction; a commit sends it."""
    with smtp_server(smtp_port) as server:
        queue(smtp_app, "ada@example.com", "aborted", "Hello", commit=False)
        queue(smtp_app, "ada@example.com", "committed", "Hello")
        assert deliver(smtp_app) == 1
    assert [mail.subject for mail in server.received] == ["committed"]
    with smtp_app.registry["dbsession_factory"]() as dbsession:
        assert dbsession.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_lines_end_with_crlf_on_the_wire(smtp_app, smtp_port):
    """Bare LF line ends are refused by servers hardened against SMTP smuggling."""
    with smtp_server(smtp_port) as server:
        queue(smtp_app, "ada@example.com", "Lines", "one\ntwo\n\nthree\n")
        deliver(smtp_app)
    [mail] = server.received
    assert b"\n" not in mail.raw.replace(b"\r\n", b"")
    assert mail.body.splitlines() == ["one", "two", "", "three"]


def test_non_ascii_subject_and_body_arrive_intact(smtp_app, smtp_port):
    with smtp_server(smtp_port) as server:
        queue(smtp_app, "ada@example.com", "Grüße — ✓", "Hällo Ada, привет\nça va? ✓\n")
        deliver(smtp_app)
    [mail] = server.received
    assert mail.subject == "Grüße — ✓"
    assert mail.body.splitlines() == ["Hällo Ada, привет", "ça va? ✓"]
    mail.raw.decode("ascii")  # encoded for 7-bit transport


def test_required_starttls_is_never_skipped(make_app, smtp_port):
    """A server that offers no STARTTLS gets nothing when TLS is required: the mail waits."""
    app = make_app(
        **{
            "backrest.mail.transport": "smtp",
            "backrest.mail.smtp.host": "127.0.0.1",
            "backrest.mail.smtp.port": str(smtp_port),
            "backrest.mail.smtp.tls": "true",
        }
    )
    with smtp_server(smtp_port) as server:
        queue(app, "ada@example.com", "Secret link", "https://app.example/reset/x")
        assert deliver(app) == 0
    assert server.received == []
    [row] = outbox(app)
    assert row.attempts == 1
    assert "STARTTLS" in row.last_error
