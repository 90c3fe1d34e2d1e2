"""Behaviours of the contract that a frontend relies on, over real HTTP: a password change's new
session, an XML representation sent back as it came, and OPTIONS on a service that is not content.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.conftest import PASSWORD
from tests.integration.test_server import Client, running_server, signup_and_confirm

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.integration.test_server import Server


@pytest.fixture
def server(clean_database: str, tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path, clean_database) as server:
        yield server


@pytest.fixture
def ada(server: Server) -> Client:
    """A confirmed account's browser, logged in, with its CSRF token."""
    client = server.client()
    signup_and_confirm(server, client)
    answer = client.put("/-/login", {"login": "ada@example.com", "password": PASSWORD})
    client.csrf_token = answer.json["csrf_token"]
    return client


def test_a_password_change_gives_the_session_a_new_cookie(server, ada):
    old_cookie, old_csrf = ada.session, ada.csrf_token
    answer = ada.put("/-/password", {"current": PASSWORD, "password": "a brand new passphrase"})
    assert answer.status == 200
    assert answer.json["csrf_token"] not in ("", old_csrf)
    assert ada.session != old_cookie
    assert ada.get("/-/login").json["authenticated"] is True
    assert Client(server.port, session=old_cookie).get("/-/login").json["authenticated"] is False
    ada.csrf_token = answer.json["csrf_token"]
    assert ada.put("/-/userprofile", {"lastname": "Lovelace"}).status == 200


def test_an_xml_representation_goes_back_as_it_came(ada):
    created = ada.post("/-/documents/", {"title": "Notes", "tags": [], "attributes": {}})
    assert created.status == 201
    url = f"/-/documents/{created.json['__meta__']['id']}"
    fetched = ada.get(url, Accept="application/xml")
    assert fetched.status == 200
    sent_back = ada.put(
        url,
        fetched.body,
        **{"Content-Type": "application/xml", "If-Match": fetched.headers["ETag"]},
    )
    assert sent_back.status == 200
    assert ada.get(url, Accept="application/xml").headers["ETag"] == fetched.headers["ETag"]
    assert ada.get(url).json["tags"] == []


def test_options_describe_a_service_with_its_choices(ada):
    reply = ada.request("OPTIONS", "/-/keys")
    assert reply.status == 200
    assert set(reply.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}
    choices = reply.json["actions"]["POST"]["scopes"]["choices"]
    assert [choice["value"] for choice in choices] == ["read", "write"]
