import email.utils
import time

import httpx
import pytest

from backrest.client import (
    APIError,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthorized,
    ValidationError,
)
from backrest.client.errors import error_from_response


def answer(status, errors=(), **headers):
    body = {"status": "error", "errors": list(errors)}
    return httpx.Response(status, json=body, headers={"X-Request-Id": "req-1", **headers})


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, ValidationError),
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (409, Conflict),
        (412, Conflict),
        (429, RateLimited),
        (500, APIError),
        (503, APIError),
    ],
)
def test_each_status_has_its_exception(status, kind):
    error = error_from_response(answer(status))
    assert type(error) is kind
    assert isinstance(error, APIError)
    assert error.status == status


def test_the_error_list_and_the_request_id_are_kept():
    errors = [
        {"location": "body", "name": "title", "description": "Required"},
        {
            "location": "body",
            "name": "attributes.priority",
            "description": "9 is greater than maximum value 5",
        },
    ]
    error = error_from_response(answer(400, errors))
    assert error.errors == errors
    assert error.request_id == "req-1"
    assert str(error) == (
        "400 Bad Request: title: Required; "
        "attributes.priority: 9 is greater than maximum value 5 (request req-1)"
    )


def test_an_error_of_the_whole_body_has_no_name():
    error = error_from_response(
        answer(400, [{"location": "body", "name": None, "description": "Invalid JSON"}])
    )
    assert str(error) == "400 Bad Request: Invalid JSON (request req-1)"


def test_a_body_of_another_shape_gives_an_empty_list():
    error = error_from_response(httpx.Response(502, text="<html>Bad gateway</html>"))
    assert (error.status, error.errors, error.request_id) == (502, [], None)
    assert str(error) == "502 Bad Gateway"


def test_retry_after_in_seconds_or_as_a_date():
    assert error_from_response(answer(429, **{"Retry-After": "7"})).retry_after == 7
    later = email.utils.formatdate(time.time() + 120, usegmt=True)
    assert 100 < error_from_response(answer(429, **{"Retry-After": later})).retry_after <= 121
    assert error_from_response(answer(429)).retry_after is None
    assert error_from_response(answer(429, **{"Retry-After": "soon"})).retry_after is None
