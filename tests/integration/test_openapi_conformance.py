"""The OpenAPI document is true: schemathesis calls every operation of a real server and checks each answer.

A ``pserve`` process on the test's database serves ``/-/openapi.json``;
schemathesis reads it and sends requests that fit it and requests that do
not, authenticated by an API key or by a session (its cookie, and its CSRF
token on unsafe methods), then checks that no answer is a server error and
that every status, media type, header and body is the one the document
describes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backrest.throttle import SCOPES
from tests.conftest import PASSWORD, UNREACHED_RATES
from tests.integration.test_server import COOKIE, SAFE_METHODS, Client, running_server, signup_and_confirm

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.integration.test_server import Server

# The statuses ``default`` stands for (backrest.openapi.responses): every other one an operation answers
# must be listed, which status_code_conformance cannot see, since every operation lists ``default``.
DEFAULT_STATUSES = frozenset({405, 406, 503})


def listed_status(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """The answer's status is one the operation lists, or one that ``default`` stands for."""
    listed = case.operation.responses.status_codes
    status = response.status_code
    assert str(status) in listed or status in DEFAULT_STATUSES, f"{status} is not among {', '.join(listed)}"


CHECKS = [
    not_a_server_error,
    listed_status,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
]
# Random logins, signups and mails would be refused long before the run ends: rates no run reaches.
RATES = {
    **UNREACHED_RATES,
    **{f"backrest.throttle.{scope}": "100000/hour" for scope in (*SCOPES, "team_invitations")},
}
CONFIG = {
    "seed": 20240601,
    # A few requests per operation, the same at every run; the credentials are the run's own, not generated.
    "generation": {"max-examples": 8, "deterministic": True, "with-security-parameters": False},
    # The coverage phase (every boundary of every parameter) takes minutes per run of the file.
    "phases": {"coverage": {"enabled": False}},
}


@pytest.fixture
def server(clean_database: str, tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path, clean_database, **RATES) as server:
        yield server


@pytest.fixture(params=["key", "session"])
def credentials(request: pytest.FixtureRequest, server: Server) -> dict[str, dict[str, str]]:
    """The headers of a confirmed account's requests, safe and unsafe, by an API key or by its session."""
    client = server.client()
    signup_and_confirm(server, client)
    client.csrf_token = client.put("/-/login", {"login": "ada@example.com", "password": PASSWORD}).json[
        "csrf_token"
    ]
    if request.param == "key":
        made = client.post("/-/keys", {"name": "schemathesis"})
        assert made.status == 201
        by_key = {"Authorization": f"Token {made.json['key']}"}
        headers = {"safe": by_key, "unsafe": by_key}
    else:
        cookie = {"Cookie": f"{COOKIE}={client.session}"}
        headers = {"safe": cookie, "unsafe": {**cookie, "X-CSRF-Token": client.csrf_token}}
    # They alone authenticate: the run exercises what the account may do, not only its refusals.
    alone = Client(server.port)
    assert alone.get("/-/documents/", **headers["safe"]).status == 200
    assert alone.post("/-/documents/", {"title": "Before the run"}, **headers["unsafe"]).status == 201
    return headers


@pytest.fixture
def api_schema(
    request: pytest.FixtureRequest, server: Server, credentials: dict[str, dict[str, str]]
) -> schemathesis.BaseSchema:
    """The served document; it asks for ``credentials`` to run once with each."""
    # schemathesis 4.32 names each operation's report through the node's ``_nodeid``, which pytest 9.2 lost.
    request.node._nodeid = request.node.nodeid
    config = schemathesis.Config.from_dict(CONFIG)
    return schemathesis.openapi.from_url(f"http://127.0.0.1:{server.port}/-/openapi.json", config=config)


schema = (
    schemathesis.pytest.from_fixture("api_schema")
    # Ending the session, or deleting the account, would leave the rest of the run unauthenticated.
    .exclude(operation_id=["accounts.logout.put", "accounts.userprofile.delete"])
    # The consent page is HTML for a person's browser, reached by an application's redirect
    # (tests/integration/test_oauth_browser.py drives it).
    .exclude(path="/oauth2/authorize")
)


@schema.parametrize()
def test_every_operation_answers_as_described(case: schemathesis.Case, credentials):
    headers = credentials["safe" if case.method.upper() in SAFE_METHODS else "unsafe"]
    case.call_and_validate(headers=headers, checks=CHECKS)
