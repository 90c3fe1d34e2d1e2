"""Section 5: concurrent writers never lose an update, against a real ``pserve`` process.

Two clients, each with its own session, write one document at the same
moment, round after round (the threads are released together). With
``If-Match`` one write wins each round and the other is refused (412);
without it, both are applied, one on top of the other (pyramid_retry runs
the loser again on the new version).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.conftest import PASSWORD
from tests.integration.test_server import Client, concurrently, running_server, signup_and_confirm

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.integration.test_server import Server

ROUNDS = 8


def log_in(client: Client) -> Client:
    assert client.put("/-/login", {"login": "ada@example.com", "password": PASSWORD}).status == 200
    client.csrf_token = client.get("/-/login").json["csrf_token"]
    return client


@pytest.fixture
def server(clean_database: str, tmp_path) -> Iterator[Server]:
    with running_server(tmp_path, clean_database) as server:
        yield server


@pytest.fixture
def writers(server: Server) -> list[Client]:
    """Two sessions of Ada's, as two tabs or two devices."""
    first = server.client()
    signup_and_confirm(server, first)
    return [log_in(first), log_in(server.client())]


@pytest.fixture
def url(writers: list[Client]) -> str:
    reply = writers[0].post("/-/documents/", {"title": "Shared", "tags": []})
    assert reply.status == 201
    return "/-/documents/" + reply.json["__meta__"]["id"]


def test_if_match_lets_exactly_one_writer_win_each_round(server, writers, url):
    for number in range(ROUNDS):
        # Both read the same version, then both write what they read plus their own tag.
        reads = [writer.get(url) for writer in writers]
        assert reads[0].headers["ETag"] == reads[1].headers["ETag"]

        def append(which: int, reads=reads, number=number):
            tags = [*reads[which].json["tags"], f"round {number} writer {which}"]
            return writers[which].request(
                "PATCH", url, {"tags": tags}, **{"If-Match": reads[which].headers["ETag"]}
            )

        replies = concurrently(2, append)
        assert sorted(reply.status for reply in replies) == [200, 412], [reply.body for reply in replies]
        [refused] = [reply for reply in replies if reply.status == 412]
        assert refused.json["errors"][0]["name"] == "If-Match"

    final = writers[0].get(url).json
    # No update was lost: every round's winner is there, in order.
    assert [tag.split(" writer ")[0] for tag in final["tags"]] == [
        f"round {number}" for number in range(ROUNDS)
    ]
    assert final["__meta__"]["version"] == ROUNDS + 1
    assert "Traceback" not in server.log


def test_writes_of_different_fields_without_if_match_both_survive(server, writers, url):
    fields = ("title", "body")
    for number in range(ROUNDS):

        def write(which: int, number=number):
            return writers[which].request("PATCH", url, {fields[which]: f"{fields[which]} {number}"})

        replies = concurrently(2, write)
        assert [reply.status for reply in replies] == [200, 200], [reply.body for reply in replies]
        current = writers[0].get(url).json
        assert (current["title"], current["body"]) == (f"title {number}", f"body {number}")

    assert writers[0].get(url).json["__meta__"]["version"] == 2 * ROUNDS + 1
    assert "Traceback" not in server.log
