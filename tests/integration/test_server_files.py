"""Files over real HTTP from a real waitress, no proxy: uploads, downloads (wsgi.file_wrapper), ranges."""

from __future__ import annotations

import email
import email.policy
import hashlib
import os
import secrets
from typing import TYPE_CHECKING, Any

import pytest

from tests.integration.conftest import empty_tables
from tests.integration.test_server import Reply, login, running_server, signup_and_confirm

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.integration.test_server import Client, Server

MAX_SIZE = 4 * 1024 * 1024
DATA = os.urandom(3 * 1024 * 1024 + 17)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[tuple[Server, Client]]:
    directory = tmp_path_factory.mktemp("files-server")
    try:
        with running_server(directory, database_url, **{"backrest.files.max_size": str(MAX_SIZE)}) as server:
            client = server.client()
            signup_and_confirm(server, client)
            login(client)
            client.csrf_token = client.get("/-/login").json["csrf_token"]
            yield server, client
    finally:
        empty_tables(database_url)


def upload(client: Client, data: bytes, filename: str = "noise.bin") -> Reply:
    boundary = secrets.token_hex(16)
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\nnoise\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.request(
        "POST", "/-/files/", body, **{"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )


@pytest.fixture(scope="module")
def uploaded(site: tuple[Server, Client]) -> dict[str, Any]:
    _server, client = site
    response = upload(client, DATA)
    assert response.status == 201, response.body
    return response.json


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_an_upload_streams_in_and_downloads_whole(site, uploaded):
    _server, client = site
    assert uploaded["size"] == len(DATA)
    assert uploaded["sha256"] == hashlib.sha256(DATA).hexdigest()
    response = client.request("GET", path_of(uploaded["download"]))
    assert response.status == 200
    assert response.body == DATA
    assert response.headers["Content-Length"] == str(len(DATA))
    assert response.headers["ETag"] == f'"{uploaded["sha256"]}"'
    assert response.headers["Content-Disposition"].startswith("attachment;")


def test_ranges_over_http(site, uploaded):
    _server, client = site
    path = path_of(uploaded["download"])
    tail = client.request("GET", path, Range="bytes=1048576-")
    assert (tail.status, tail.body) == (206, DATA[1048576:])
    middle = client.request("GET", path, Range="bytes=100-199")
    assert (middle.status, middle.body) == (206, DATA[100:200])
    several = client.request("GET", path, Range="bytes=0-9,-10")
    message = email.message_from_bytes(
        b"Content-Type: " + several.headers["Content-Type"].encode() + b"\r\n\r\n" + several.body,
        policy=email.policy.HTTP,
    )
    assert [part.get_payload(decode=True) for part in message.iter_parts()] == [DATA[:10], DATA[-10:]]
    refused = client.request("GET", path, Range="bytes=99999999-")
    assert refused.status == 416
    assert refused.headers["Content-Range"] == f"bytes */{len(DATA)}"


def test_head_and_304_over_http(site, uploaded):
    _server, client = site
    path = path_of(uploaded["download"])
    head = client.request("HEAD", path)
    assert (head.status, head.body, head.headers["Content-Length"]) == (200, b"", str(len(DATA)))
    cached = client.request("GET", path, **{"If-None-Match": f'"{uploaded["sha256"]}"'})
    assert (cached.status, cached.body) == (304, b"")


def test_a_raw_put_replaces_the_data(site, uploaded):
    _server, client = site
    path = path_of(uploaded["download"])
    response = client.request("PUT", path, b"replaced", **{"Content-Type": "text/plain"})
    assert response.status == 200, response.body
    assert client.request("GET", path).body == b"replaced"
    client.request("PUT", path, DATA, **{"Content-Type": "application/octet-stream"})


def test_too_large_uploads_are_refused_and_leave_nothing(site):
    server, client = site
    response = upload(client, os.urandom(MAX_SIZE + 1))
    assert response.status == 413
    assert b'"name": "file"' in response.body
    tmp: Path = server.log_path.parent / "var" / "files" / "tmp"
    assert list(tmp.iterdir()) == []
