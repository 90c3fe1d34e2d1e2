import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyramid.request import Request
from pyramid.response import Response

from backrest.accounts.views import SERVICES as ACCOUNT_SERVICES
from backrest.tweens.redaction import REDACTED, PathRedactor
from backrest.tweens.requestid import (
    VALID_ID,
    RequestIdFormatter,
    current_request_id,
    logged_path,
    request_id_for,
)
from tests.unit.tweens.edge import edge

TOKEN = "Zm9vYmFyYmF6cXV4-_secret_token_value_1234"


def request_with_id(value: str | None) -> Request:
    request = Request.blank("/-/login")
    if value is not None:
        request.environ["HTTP_X_REQUEST_ID"] = value
    return request


# request_id_for


@pytest.mark.parametrize(
    "incoming",
    ["abc", "0f8fad5b-d9cb-469f-a165-70867728950e", "Root=1-67891233-abcdef012345678912345678", "a" * 128],
)
def test_valid_incoming_id_is_echoed(incoming):
    assert request_id_for(request_with_id(incoming)) == incoming


@pytest.mark.parametrize(
    "incoming",
    ["", "a" * 129, "has space", "new\r\nline", "x\nSet-Cookie: a=b", "<script>", "é", "semi;colon"],
)
def test_invalid_incoming_id_is_replaced(incoming):
    request_id = request_id_for(request_with_id(incoming))
    assert request_id != incoming
    assert VALID_ID.fullmatch(request_id)


def test_missing_id_is_generated_fresh_each_time():
    first = request_id_for(request_with_id(None))
    second = request_id_for(request_with_id(None))
    assert VALID_ID.fullmatch(first)
    assert first != second


@given(st.text(max_size=200))
def test_request_id_is_always_a_safe_header_value(incoming):
    request_id = request_id_for(request_with_id(incoming))
    assert VALID_ID.fullmatch(request_id)
    assert (request_id == incoming) == bool(VALID_ID.fullmatch(incoming))


# logged_path

REDACT = PathRedactor(service.path for service in ACCOUNT_SERVICES)


def test_logged_path_redacts_the_token_without_routing():
    request = Request.blank(f"/-/reset/{TOKEN}")
    assert request.matchdict is None
    assert logged_path(request, REDACT) == f"/-/reset/{REDACTED}"


def test_logged_path_keeps_the_prefix_the_app_is_mounted_under():
    request = Request.blank(f"/-/email/{TOKEN}", environ={"SCRIPT_NAME": "/api"})
    assert logged_path(request, REDACT) == f"/api/-/email/{REDACTED}"


def test_logged_path_is_quoted():
    request = Request.blank("/-/documents/a%20b%0Ac%22")
    assert logged_path(request, REDACT) == "/-/documents/a%20b%0Ac%22"


def test_logged_path_that_is_not_utf8_is_quoted_and_redacted():
    request = Request.blank("/")
    request.environ["PATH_INFO"] = f"/-/confirm/{TOKEN}\xff"
    assert logged_path(request, REDACT) == f"/-/confirm/{REDACTED}"


# The formatter


def make_record(message: str = "hello") -> logging.LogRecord:
    return logging.LogRecord("backrest.test", logging.INFO, __file__, 1, message, (), None)


def test_formatter_outside_a_request_shows_a_dash():
    formatter = RequestIdFormatter("[%(request_id)s] %(message)s")
    assert formatter.format(make_record()) == "[-] hello"


def test_formatter_inside_a_request_shows_its_id():
    formatter = RequestIdFormatter("[%(request_id)s] %(message)s")
    token = current_request_id.set("req-42")
    try:
        assert formatter.format(make_record()) == "[req-42] hello"
    finally:
        current_request_id.reset(token)


# The tween


def make_tween(status: int = 200, *, fail: bool = False):
    seen = []

    def handler(request):
        seen.append(current_request_id.get())
        if fail:
            raise RuntimeError("boom")
        return Response(status=status)

    return edge(handler, services=ACCOUNT_SERVICES), seen


def test_tween_sets_the_header_and_the_log_context(caplog):
    tween, seen = make_tween()
    caplog.set_level(logging.INFO, logger="backrest.requests")
    response = tween(request_with_id("incoming-1"))
    assert response.headers["X-Request-Id"] == "incoming-1"
    assert seen == ["incoming-1"]
    assert current_request_id.get() == "-"
    [record] = caplog.records
    assert record.getMessage().startswith("GET /-/login 200 ")


def test_tween_header_on_error_responses():
    tween, _ = make_tween(status=404)
    response = tween(request_with_id(None))
    assert VALID_ID.fullmatch(response.headers["X-Request-Id"])


def test_tween_logs_redacted_path_of_a_request_refused_before_routing(caplog):
    tween, _ = make_tween(status=429)
    caplog.set_level(logging.INFO, logger="backrest.requests")
    request = Request.blank(f"/-/reset/{TOKEN}", method="PUT")
    tween(request)
    [record] = caplog.records
    assert record.getMessage().startswith(f"PUT /-/reset/{REDACTED} 429 ")
    assert TOKEN not in caplog.text


def test_tween_forgets_the_id_after_an_exception():
    tween, seen = make_tween(fail=True)
    with pytest.raises(RuntimeError):
        tween(request_with_id("incoming-2"))
    assert seen == ["incoming-2"]
    assert current_request_id.get() == "-"
