import json

import pytest
from pyramid.httpexceptions import HTTPMethodNotAllowed, HTTPNotFound
from pyramid.request import Request

from backrest.errors import Errors, error_body, errors_exception, http_error, http_exception_view


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
