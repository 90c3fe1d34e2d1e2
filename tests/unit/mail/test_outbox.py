"""The outbox worker's bookkeeping of one delivery attempt (no database: transient rows)."""

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from backrest.db import utcnow
from backrest.mail.models import OutboxMessage
from backrest.mail.outbox import MAX_BACKOFF_EXPONENT, OutboxWorker, as_message
from backrest.mail.transports import FileTransport, SMTPTransport
from backrest.settings import resolve
from tests.servers import free_port

BODY = "Confirm: https://app.example/confirm/SECRET"


def make_row(**overrides) -> OutboxMessage:
    values = {
        "sender": "backrest <noreply@localhost>",
        "recipients": ["ada@example.com"],
        "subject": "Confirm your email address",
        "body": BODY,
        "attempts": 0,
        "last_error": "",
        "next_attempt": utcnow(),
    }
    return OutboxMessage(**{**values, **overrides})


def down_smtp() -> SMTPTransport:
    """An SMTP transport to a port where nothing listens: every send fails at once."""
    settings = resolve(
        {
            "sqlalchemy.url": "sqlite://",
            "backrest.mail.smtp.host": "127.0.0.1",
            "backrest.mail.smtp.port": str(free_port()),
        },
        {},
    )
    return SMTPTransport(settings)


def worker(transport, retry_delay: int = 30, max_attempts: int = 5, sessions=None) -> OutboxWorker:
    return OutboxWorker(sessions, transport, retry_delay=retry_delay, max_attempts=max_attempts)


def test_as_message_keeps_every_field():
    message = as_message(make_row()).to_message()
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert parsed["From"] == "backrest <noreply@localhost>"
    assert parsed["To"] == "ada@example.com"
    assert parsed["Subject"] == "Confirm your email address"
    assert parsed.get_content().strip() == BODY


def test_delivered_row_is_marked_sent_and_its_body_forgotten(tmp_path):
    row, now = make_row(), utcnow()
    assert worker(FileTransport(str(tmp_path)))._attempt(row, now) == 1
    assert row.sent == now
    assert row.body == ""
    assert row.attempts == 0
    [path] = tmp_path.glob("*.eml")
    assert "SECRET" in path.read_text()


def test_failed_attempt_is_counted_and_retried_later():
    row, now = make_row(), utcnow()
    assert worker(down_smtp(), retry_delay=30)._attempt(row, now) == 0
    assert row.attempts == 1
    assert row.sent is None
    assert row.failed is None
    assert row.body == BODY
    assert row.last_error.startswith("ConnectionRefusedError")
    assert row.next_attempt == now + timedelta(seconds=30)


def test_delay_doubles_with_each_failure():
    transport, now = down_smtp(), utcnow()
    row = make_row(attempts=3)
    worker(transport, retry_delay=10, max_attempts=50)._attempt(row, now)
    assert row.attempts == 4
    assert row.next_attempt == now + timedelta(seconds=10 * 2**3)


def test_delay_stops_growing():
    transport, now = down_smtp(), utcnow()
    row = make_row(attempts=30)
    worker(transport, retry_delay=10, max_attempts=50)._attempt(row, now)
    assert row.next_attempt == now + timedelta(seconds=10 * 2**MAX_BACKOFF_EXPONENT)


def test_last_allowed_failure_gives_up_for_good(caplog):
    row, now = make_row(attempts=4), utcnow()
    worker(down_smtp(), max_attempts=5)._attempt(row, now)
    assert row.attempts == 5
    assert row.failed == now
    assert row.sent is None
    assert "failed for good" in caplog.text


def test_message_given_up_keeps_no_body(caplog):
    row = make_row(attempts=4)
    worker(down_smtp(), max_attempts=5)._attempt(row, utcnow())
    assert row.failed is not None
    assert row.body == ""
    assert "SECRET" not in caplog.text


def test_failure_before_the_last_is_a_warning(caplog):
    row = make_row()
    worker(down_smtp(), max_attempts=5)._attempt(row, utcnow())
    assert row.failed is None
    assert "retrying" in caplog.text


class Refusing:
    """A transport whose server refuses with a very long message."""

    def send(self, message):
        raise RuntimeError("x" * 5000)


def test_long_error_is_cut():
    row = make_row()
    worker(Refusing())._attempt(row, utcnow())
    assert row.last_error.startswith("RuntimeError: xxx")
    assert len(row.last_error) == 1000


@pytest.mark.parametrize("error", [OSError("disk full"), ValueError("bad address"), TimeoutError()])
def test_any_transport_error_means_try_again(error):
    class Failing:
        def send(self, message):
            raise error

    row = make_row()
    assert worker(Failing())._attempt(row, utcnow()) == 0
    assert row.attempts == 1
    assert row.last_error.startswith(type(error).__name__)


def test_a_database_that_does_not_answer_is_one_warning_and_the_next_round(caplog):
    nowhere = create_engine(f"postgresql+psycopg://backrest@127.0.0.1:{free_port()}/backrest")
    worker(FileTransport("unused"), sessions=sessionmaker(bind=nowhere)).deliver_round()
    [record] = caplog.records
    assert record.levelname == "WARNING"
    assert record.getMessage().startswith("mail waits: the database does not answer: psycopg.")
    assert record.exc_info is None


def test_any_other_failure_of_a_round_is_logged_with_its_traceback(caplog):
    worker(FileTransport("unused")).deliver_round()
    [record] = caplog.records
    assert record.levelname == "ERROR"
    assert record.exc_info is not None
