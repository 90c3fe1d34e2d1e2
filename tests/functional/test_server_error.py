"""An unexpected exception: a 500 in the error shape, a request id, nothing written."""

import logging

import pytest
from sqlalchemy import func, select

from backrest import main
from backrest.accounts.models import User
from tests.client import Browser
from tests.conftest import make_settings


@pytest.fixture
def failing_app(database_url, tmp_path):
    app = main({}, **make_settings(database_url, tmp_path, **{"pyramid.includes": "tests.testapp"}))
    yield Browser(app)
    app.registry["db_engine"].dispose()


def test_server_error_answers_500_in_the_error_shape(failing_app):
    response = failing_app.get("/-/testing/fail", status=500)
    assert response.content_type == "application/json"
    assert response.json["status"] == "error"
    assert response.json["errors"][0]["location"] == "request"


def test_server_error_shows_no_traceback_or_sql(failing_app):
    body = failing_app.get("/-/testing/fail", status=500).text
    assert "Traceback" not in body
    assert "SELECT" not in body
    assert "hunter2" not in body


def test_server_error_request_id_is_in_body_header_and_log(failing_app, caplog):
    with caplog.at_level(logging.ERROR, logger="backrest.errors"):
        response = failing_app.get("/-/testing/fail", status=500)
    request_id = response.headers["X-Request-Id"]
    assert response.json["request_id"] == request_id
    assert request_id in response.json["errors"][0]["description"]
    assert any(request_id in record.getMessage() for record in caplog.records)


def test_server_error_leaves_nothing_written(failing_app):
    failing_app.get("/-/testing/fail", status=500)
    factory = failing_app.app.registry["dbsession_factory"]
    with factory() as dbsession:
        assert dbsession.scalar(select(func.count()).select_from(User)) == 0
