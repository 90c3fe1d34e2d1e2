import json
import logging
import sqlite3

import psycopg
import pytest
from psycopg import errors as pg
from pyramid.httpexceptions import HTTPMethodNotAllowed, HTTPNotFound
from pyramid.request import Request
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from backrest.errors import (
    Errors,
    database_error_view,
    database_unavailable,
    error_body,
    errors_exception,
    http_error,
    http_exception_view,
)


def test_error_body_shape():
    assert error_body([{"location": "body", "name": "email", "description": "bad"}]) == {
        "status": "error",
        "errors": [{"location": "body", "name": "email", "description": "bad"}],
    }


@pytest.mark.parametrize("location", ["body", "querystring", "header", "path", "cookie", "request"])
def test_contract_locations_are_kept(location):
    errors = Errors()
    errors.add(location, "x", "y")
    assert errors[0]["location"] == location


@pytest.mark.parametrize(
    ("cornice", "ours"),
    [("url", "querystring"), ("cookies", "cookie"), ("method", "request"), ("odd", "request")],
)
def test_other_locations_are_mapped(cornice, ours):
    errors = Errors()
    errors.add(cornice, "x", "y")
    assert errors[0]["location"] == ours


def test_bytes_description_is_decoded():
    errors = Errors()
    errors.add("body", "x", b"caf\xc3\xa9 \xff")
    assert errors[0]["description"] == "café \ufffd"


def test_http_error_carries_one_error_and_no_store():
    error = http_error(409, "body", "email", "taken", headers={"X-Extra": "1"})
    assert error.status_int == 409
    assert error.headers["X-Extra"] == "1"
    assert error.cache_control.no_store
    assert json.loads(error.text) == {
        "status": "error",
        "errors": [{"location": "body", "name": "email", "description": "taken"}],
    }


def test_errors_exception_uses_the_collections_status():
    errors = Errors(415)
    errors.add("header", "Content-Type", "no")
    errors.add("body", None, "and this")
    exception = errors_exception(errors)
    assert exception.status_int == 415
    assert len(json.loads(exception.text)["errors"]) == 2


def test_pyramid_exceptions_are_reshaped():
    response = http_exception_view(HTTPMethodNotAllowed(headers={"Allow": "GET"}), Request.blank("/"))
    assert response.status_int == 405
    assert response.headers["Allow"] == "GET"
    assert json.loads(response.text)["errors"][0]["name"] == "method_not_allowed"


def test_detail_is_the_description():
    response = http_exception_view(HTTPNotFound("No such thing."), Request.blank("/"))
    assert json.loads(response.text)["errors"][0]["description"] == "No such thing."


# A database that does not answer.

STATEMENT = "SELECT * FROM users WHERE password_hash = %(secret)s"


def sqlite_error(path, statement="SELECT 1"):
    """A real sqlite3 error: the module sets its error code only on errors of the library."""
    try:
        sqlite3.connect(path).execute(statement)
    except sqlite3.Error as error:
        return error
    raise AssertionError


@pytest.mark.parametrize(
    "cause",
    [
        pytest.param(psycopg.OperationalError("connection failed: Connection refused"), id="refused"),
        pytest.param(pg.AdminShutdown("terminating connection"), id="shutdown"),
        pytest.param(pg.CannotConnectNow("the database system is starting up"), id="starting"),
        pytest.param(pg.ConnectionFailure("connection failure"), id="class 08"),
        pytest.param(sqlite_error("/nonexistent/directory/backrest.sqlite"), id="sqlite cannot open"),
    ],
)
def test_connection_failures_are_unavailability(cause):
    assert database_unavailable(OperationalError(None, None, cause))


@pytest.mark.parametrize(
    "cause",
    [
        pytest.param(pg.SerializationFailure("could not serialize"), id="serialization"),
        pytest.param(pg.QueryCanceled("canceling statement due to statement timeout"), id="timeout"),
        pytest.param(sqlite_error(":memory:", "SELECT * FROM nothing"), id="sqlite no such table"),
    ],
)
def test_statement_failures_are_not_unavailability(cause):
    assert not database_unavailable(OperationalError(STATEMENT, {}, cause))


def test_a_connection_found_dead_is_unavailability():
    assert database_unavailable(DBAPIError(STATEMENT, {}, Exception("gone"), connection_invalidated=True))


def test_other_database_errors_are_not_unavailability():
    assert not database_unavailable(IntegrityError(STATEMENT, {}, Exception("duplicate key")))


def unreachable(request_id="req-1"):
    request = Request.blank("/")
    request.request_id = request_id
    cause = psycopg.OperationalError("connection failed: Connection refused\n\tIs the server running?")
    return OperationalError(STATEMENT, {"secret": "hunter2"}, cause), request


def test_unavailability_is_a_503_with_retry_after_and_the_request_id():
    response = database_error_view(*unreachable())
    body = json.loads(response.text)
    assert response.status_int == 503
    assert response.headers["Retry-After"] == "30"
    assert body["errors"][0]["location"] == "request"
    assert body["errors"][0]["name"] == "database"
    assert body["request_id"] == "req-1"
    assert "SELECT" not in response.text
    assert "hunter2" not in response.text


def test_unavailability_is_logged_in_one_line_without_the_statement(caplog):
    with caplog.at_level(logging.ERROR, logger="backrest.errors"):
        database_error_view(*unreachable())
    [record] = caplog.records
    assert record.getMessage() == (
        "the database does not answer in request req-1: psycopg.OperationalError: "
        "connection failed: Connection refused Is the server running?"
    )
    assert record.exc_info is None


def test_other_database_errors_are_500s(caplog):
    request = Request.blank("/")
    request.request_id = "req-2"
    error = OperationalError(STATEMENT, {}, pg.SerializationFailure("could not serialize"))
    with caplog.at_level(logging.ERROR, logger="backrest.errors"):
        response = database_error_view(error, request)
    assert response.status_int == 500
    assert "SELECT" not in response.text
