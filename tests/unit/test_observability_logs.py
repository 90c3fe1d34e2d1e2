"""Request ids in log lines, whichever formatter writes them: text, python-json-logger's JSON, a queue's."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import logging.handlers
import queue
from typing import TYPE_CHECKING

import pythonjsonlogger.json

from backrest.observability.logs import JsonFormatter
from backrest.tweens.requestid import RequestIdFilter, RequestIdFormatter, current_request_id

if TYPE_CHECKING:
    from collections.abc import Iterator


def make_record(message: str = "hello") -> logging.LogRecord:
    return logging.LogRecord("backrest.test", logging.INFO, __file__, 1, message, (), None)


@contextlib.contextmanager
def serving(request_id: str) -> Iterator[None]:
    """What the edge tween does while a request is served."""
    token = current_request_id.set(request_id)
    try:
        yield
    finally:
        current_request_id.reset(token)


@contextlib.contextmanager
def logger_to(handler: logging.Handler) -> Iterator[logging.Logger]:
    logger = logging.getLogger("backrest.test.observability")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield logger
    finally:
        logger.removeHandler(handler)


def test_the_filter_gives_a_record_the_id_of_the_request_being_served():
    record = make_record()
    with serving("abc-123"):
        assert RequestIdFilter().filter(record) is True
    assert record.request_id == "abc-123"


def test_outside_a_request_the_id_is_a_dash():
    record = make_record()
    RequestIdFilter().filter(record)
    assert record.request_id == "-"


def test_python_json_logger_shows_the_id_the_filter_set():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(pythonjsonlogger.json.JsonFormatter("%(levelname)s %(message)s"))
    handler.addFilter(RequestIdFilter())
    with logger_to(handler) as logger, serving("abc-123"):
        logger.info("signed up")
    assert json.loads(stream.getvalue()) == {
        "levelname": "INFO",
        "message": "signed up",
        "request_id": "abc-123",
    }


def test_a_queue_listener_writes_the_id_of_the_request_that_logged():
    """The formatter runs in the listener's thread, outside any request: the handler's filter ran in it."""
    stream = io.StringIO()
    written = logging.StreamHandler(stream)
    written.setFormatter(RequestIdFormatter("[%(request_id)s] %(message)s"))
    records: queue.Queue[logging.LogRecord] = queue.Queue()
    queued = logging.handlers.QueueHandler(records)
    queued.addFilter(RequestIdFilter())
    listener = logging.handlers.QueueListener(records, written)
    listener.start()
    try:
        with logger_to(queued) as logger, serving("abc-123"):
            logger.info("queued")
    finally:
        listener.stop()
    assert stream.getvalue() == "[abc-123] queued\n"


def test_the_json_formatter_of_an_ini_file_adds_the_id():
    """``fileConfig`` (as ``pserve`` uses it) has no filters, and makes a formatter of three arguments."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(levelname)s %(request_id)s %(message)s", None, "%"))
    with logger_to(handler) as logger:
        with serving("abc-123"):
            logger.warning("in a request")
        logger.warning("after it")
    assert [json.loads(line) for line in stream.getvalue().splitlines()] == [
        {"levelname": "WARNING", "request_id": "abc-123", "message": "in a request"},
        {"levelname": "WARNING", "request_id": "-", "message": "after it"},
    ]
