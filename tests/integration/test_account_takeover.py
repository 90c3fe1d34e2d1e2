"""An account made with someone else's address, over real HTTP: nothing of it outlives the owner's reset.

Whoever signs up first with an address may log in before confirming it,
but may not leave anything behind that would act once the address's owner
takes the account over: no API key, and every session ends at the reset.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import pytest

from tests.conftest import PASSWORD
from tests.integration.test_server import Client, running_server, signup

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.integration.test_server import Server

OWNERS_PASSWORD = "the owner's own passphrase"


@pytest.fixture
def server(clean_database: str, tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path, clean_database) as server:
        yield server


def test_a_pre_hijacked_account_is_the_owners_after_a_reset(server: Server):
    intruder = server.client()
    assert signup(intruder).status == 201
    assert intruder.put("/-/login", {"login": "ada@example.com", "password": PASSWORD}).status == 200
    intruder.csrf_token = intruder.get("/-/login").json["csrf_token"]
    refused = intruder.post("/-/keys", {"name": "for later"})
    assert (refused.status, refused.json["errors"][0]["name"]) == (403, "email_verified")

    owner = server.client()
    assert signup(owner).status == 201
    server.wait_for_mail("ada@example.com", "Someone tried to sign up with your address")
    assert owner.post("/-/reset/", {"email": "ada@example.com"}).status == 200
    token = server.wait_for_mail("ada@example.com", "Set a new password").token
    assert owner.put("/-/reset/", {"token": token, "password": OWNERS_PASSWORD}).status == 200

    assert intruder.get("/-/login").json["authenticated"] is False
    assert owner.put("/-/login", {"login": "ada@example.com", "password": OWNERS_PASSWORD}).status == 200
    status = owner.get("/-/login").json
    assert status["email_verified"] is True
    owner.csrf_token = status["csrf_token"]
    made = owner.post("/-/keys", {"name": "mine", "scopes": ["read"]})
    assert made.status == 201
    notice = server.wait_for_mail("ada@example.com", "A new API key was made")
    assert "From address: 127.0.0.1" in notice.body

    script = Client(server.port)
    by_token = {"Authorization": f"Token {made.json['key']}"}
    assert script.get("/-/userprofile", **by_token).json["email"] == "ada@example.com"
    assert script.put("/-/userprofile", {"firstname": "Mallory"}, **by_token).status == 403
    basic = base64.b64encode(f"ada@example.com:{PASSWORD}".encode()).decode()
    refused = script.get("/-/documents/", Authorization=f"Basic {basic}")
    assert refused.status == 401
    assert "Basic" not in refused.headers["WWW-Authenticate"]


def test_each_confirmation_path_takes_its_own_links_only(server: Server):
    client = server.client()
    assert signup(client).status == 201
    token = server.wait_for_mail("ada@example.com", "Confirm your email address").token
    assert client.put(f"/-/email/{token}").status == 400
    assert client.post(f"/-/confirm/{token}").status == 200
