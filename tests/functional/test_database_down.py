"""A database that does not answer: every endpoint is a 503 in the error shape, with Retry-After.

The application here is configured for a database it cannot reach, on each
backend: a PostgreSQL port where nothing listens, an SQLite file in a
directory that cannot exist.
"""

import logging

import pytest
from sqlalchemy.engine import make_url

from backrest import main
from tests.client import Browser
from tests.conftest import PASSWORD, make_settings
from tests.servers import free_port

SIGNUP = {"email": "ada@example.com", "password": PASSWORD}
LOGIN = {"login": "ada@example.com", "password": PASSWORD}
REQUESTS = [
    pytest.param(lambda browser, **kwargs: browser.get("/-/documents/", **kwargs), id="content list"),
    pytest.param(lambda browser, **kwargs: browser.put_json("/-/login", LOGIN, **kwargs), id="login"),
    pytest.param(lambda browser, **kwargs: browser.post_json("/-/signup", SIGNUP, **kwargs), id="signup"),
]


def unreachable(database_url, tmp_path):
    """A URL of the same backend as ``database_url`` whose database cannot be reached."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        blocker = tmp_path / "a-file"
        blocker.write_text("")
        return f"sqlite:///{blocker / 'backrest.sqlite'}"
    return url.set(port=free_port()).render_as_string(hide_password=False)


@pytest.fixture
def down(database_url, tmp_path):
    settings = make_settings(unreachable(database_url, tmp_path), tmp_path / "mail")
    app = main({}, **{**settings, "backrest.db.auto_migrate": "false"})
    yield Browser(app, extra_environ={"REMOTE_ADDR": "192.0.2.10"})
    app.registry["db_engine"].dispose()


@pytest.mark.parametrize("send", REQUESTS)
def test_requests_answer_503_in_the_error_shape(down, send):
    response = send(down, status=503)
    assert response.content_type == "application/json"
    assert response.json["status"] == "error"
    [error] = response.json["errors"]
    assert (error["location"], error["name"]) == ("request", "database")
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("send", REQUESTS)
def test_the_503_carries_the_request_id(down, send):
    response = send(down, headers={"X-Request-Id": "db-down-1"}, status=503)
    assert response.headers["X-Request-Id"] == "db-down-1"
    assert response.json["request_id"] == "db-down-1"
    assert "db-down-1" in response.json["errors"][0]["description"]


def test_the_503_shows_no_sql_and_no_traceback(down):
    text = down.post_json("/-/signup", SIGNUP, status=503).text
    for leak in ("Traceback", "SELECT", "INSERT", "sqlalche.me", "OperationalError", PASSWORD):
        assert leak not in text


def test_a_session_that_cannot_be_read_is_a_503_too(down):
    response = down.get("/-/userprofile", headers={"Cookie": "backrest_session=abc"}, status=503)
    assert response.json["errors"][0]["name"] == "database"


def test_the_failure_is_one_log_line_with_the_request_id(down, caplog):
    with caplog.at_level(logging.INFO, logger="backrest.errors"):
        down.post_json("/-/signup", SIGNUP, headers={"X-Request-Id": "db-down-2"}, status=503)
    [record] = caplog.records
    message = record.getMessage()
    assert record.levelno == logging.ERROR
    assert record.exc_info is None
    assert "\n" not in message
    assert "db-down-2" in message
    assert "SELECT" not in message
    assert "INSERT" not in message


def test_the_heartbeat_names_the_database(down):
    response = down.get("/-/heartbeat", status=503)
    assert [error["name"] for error in response.json["errors"]] == ["database"]
