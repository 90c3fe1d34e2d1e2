"""``backrest.client`` against real backrest processes, over real HTTP.

A module's server serves every test, with Ada's account and two API keys
(one read-only) in a temporary credentials file; a second process on the
same database, whose documents allow 3 requests a second, serves the tests
of broadcasts and of rate limits. What the client sent is checked in the
servers' logs, which name each request and its status.

The client does the same on any database: these tests run on SQLite.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import tracemalloc
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
import pytest

from backrest.client import (
    API,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthorized,
    ValidationError,
)
from tests.conftest import UNREACHED_RATES
from tests.integration.conftest import empty_tables
from tests.integration.test_server import login, running_server, signup_and_confirm
from tests.servers import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.integration.test_server import Client, Server

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

MIB = 1024 * 1024
BIG = 64 * MIB
MEMORY_BOUND = 4 * MIB
"""What a streamed transfer of ``BIG`` bytes may allocate at its peak, all told."""


@dataclass
class Site:
    server: Server
    url: str
    credentials: Path
    """The credentials file: ``[default]`` holds ``key``, ``[reader]`` a read-only key."""
    key: str


def make_key(client: Client, name: str, scopes: list[str] | None = None) -> str:
    """A new API key of the logged-in ``client``, ``KEYID:SECRET``."""
    made = client.post("/-/keys", {"name": name} | ({"scopes": scopes} if scopes else {}))
    assert made.status == 201, made.body
    return made.json["key"]


def write_credentials(path: Path, **profiles: str) -> Path:
    """A credentials file with a profile for each ``name=KEYID:SECRET``."""
    sections = []
    for name, key in profiles.items():
        key_id, key_secret = key.split(":")
        sections.append(f"[{name}]\naccess_key_id = {key_id}\naccess_key_secret = {key_secret}\n")
    path.write_text("\n".join(sections))
    path.chmod(0o600)
    return path


@contextlib.contextmanager
def serving(directory: Path, database_url: str, **settings: str) -> Iterator[Site]:
    """A server with Ada's confirmed account, her keys, and its credentials file, all in ``directory``.

    ``settings`` add to or change the server's.
    """
    try:
        with running_server(directory, database_url, **{**UNREACHED_RATES, **settings}) as server:
            browser = server.client()
            signup_and_confirm(server, browser)
            login(browser)
            browser.csrf_token = browser.get("/-/login").json["csrf_token"]
            key = make_key(browser, "client tests")
            reader = make_key(browser, "read only", ["read"])
            credentials = write_credentials(directory / "credentials", default=key, reader=reader)
            yield Site(server, f"http://127.0.0.1:{server.port}", credentials, key)
    finally:
        empty_tables(database_url)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Site]:
    with serving(tmp_path_factory.mktemp("client-server"), database_url) as site:
        yield site


@pytest.fixture(scope="module")
def second(tmp_path_factory: pytest.TempPathFactory, database_url: str, site: Site) -> Iterator[Server]:
    """Another process on the same database (the same accounts and keys); documents: 3 requests a second."""
    directory = tmp_path_factory.mktemp("client-second-server")
    settings = {**UNREACHED_RATES, "backrest.throttle.documents.user": "3/second"}
    with running_server(directory, database_url, **settings) as server:
        yield server


@pytest.fixture
def api(site: Site) -> Iterator[API]:
    with API(site.url, [site.credentials]) as api:
        yield api


def statuses(server: Server, method: str, path: str) -> list[str]:
    """The statuses the server answered to ``method path`` (without the query), in order."""
    return [
        line["status"] for line in server.request_lines() if (line["method"], line["path"]) == (method, path)
    ]


def path_of(url: str) -> str:
    return httpx.URL(url).path


def test_profiles_come_from_the_credentials_file(site, api):
    caller = api.home.describe_site().caller
    assert (caller.credential, caller.scopes) == ("API key", ["read", "write"])
    reader = api(profile="reader")
    assert reader.home.describe_site().caller.scopes == ["read"]
    with pytest.raises(Forbidden) as refused:
        reader.documents.create(title="Not with a read-only key")
    assert refused.value.status == 403
    with API(site.url, [site.credentials.parent / "absent"]) as anonymous:
        assert anonymous.home.describe_site().caller is None
    assert site.key.split(":")[1] not in site.server.log


def test_methods_are_attributes_and_answer_objects(site, api):
    site_description = api.home.describe_site()
    assert site_description.name == "backrest"
    assert site_description.root == f"{site.url}/-/"
    files = next(collection for collection in site_description.collections if collection.name == "files")
    assert (files.kind, files.may_create) == ("file", True)
    assert api.home.describe_site.json() == site_description.json()
    assert api.home.describe_site.name == "home.describe_site"
    assert "describe_site" in dir(api.home)
    with pytest.raises(AttributeError, match="no method 'nothing'"):
        _ = api.home.nothing

    one = api.documents.create(title="Minutes, May")
    two = api.documents.create(title="Minutes, June")
    # Objects are sent by their id, enums and other values as collate() shows.
    assert api.documents.set_status.collate(documents=[one, two], status="archived") == [
        ("documents.0", one.id),
        ("documents.1", two.id),
        ("status", "archived"),
    ]
    done = api.documents.set_status(documents=[one, two], status="archived")
    assert [(document.title, document.status) for document in done] == [
        ("Minutes, May", "archived"),
        ("Minutes, June", "archived"),
    ]
    tagged = api.documents.tag(documents=[one], add=["minutes", "2026"])
    assert tagged[0].tags == ["minutes", "2026"]


def test_extra_headers_on_the_api_and_on_a_copy(site, api):
    traced = api(headers={"X-Request-Id": "client-test-headers"})
    traced.home.describe_site()
    assert "[client-test-headers] POST /-/api/home/describe_site 200" in site.server.log
    assert traced.transport.pool is api.transport.pool  # one connection pool for both


def test_lists_follow_every_page_lazily(site, api):
    titles = [f"Paged {number}" for number in range(7)]
    for title in titles:
        api.documents.create(title=title, tags=["paged"])
    before = len(statuses(site.server, "GET", "/-/documents/"))
    listing = api.documents.list(search="Paged", ordering=["-title"], page_size=2)
    assert len(statuses(site.server, "GET", "/-/documents/")) == before  # nothing asked yet
    pages = iter(listing)
    assert next(pages).title == "Paged 6"
    assert len(statuses(site.server, "GET", "/-/documents/")) == before + 1
    assert [document.title for document in pages] == sorted(titles, reverse=True)[1:]
    assert len(statuses(site.server, "GET", "/-/documents/")) == before + 4  # 7 objects, 2 a page
    assert listing.count == len(titles)
    drafts = api.documents.list(filters={"status__in": ["draft"], "public": False}, search="Paged 3")
    assert [document.title for document in drafts] == ["Paged 3"]


def test_a_change_in_between_is_a_conflict(site, api):
    document = api.documents.create(title="Engine notes")
    read = api.documents.get(document.id)
    with API(site.url, [site.credentials]) as somebody:
        somebody.documents.update(document.id, status="published")
    with pytest.raises(Conflict) as conflict:
        api.documents.update(read, title="Lost update")
    assert conflict.value.status == 412
    assert [error["name"] for error in conflict.value.errors] == ["If-Match"]
    current = api.documents.get(document.id)
    assert (current.title, current.status, current.__meta__.version) == ("Engine notes", "published", 2)
    updated = api.documents.update(current, title="Kept update", attributes={"language": "en"})
    assert (updated.title, updated.attributes.language, updated.__meta__.version) == ("Kept update", "en", 3)
    path = path_of(updated.__meta__.url)
    assert statuses(site.server, "PUT", path) == ["200", "412", "200"]

    # An object from a list has no ETag: the version listed is the one changed, or none.
    [listed] = api.documents.list(filters={"title": "Kept update"})
    api.documents.update(listed.id, body="Changed by id")
    with pytest.raises(Conflict):
        api.documents.delete(listed)
    api.documents.delete(next(iter(api.documents.list(filters={"title": "Kept update"}))))
    with pytest.raises(NotFound):
        api.documents.get(document.id)


def test_a_read_again_is_answered_304_and_reuses_the_body(site, api):
    document = api.documents.create(title="Cached", tags=["a"])
    path = path_of(document.__meta__.url)
    first = api.documents.get(document.id)
    second = api.documents.get(document.id)
    assert first == second == document
    assert statuses(site.server, "GET", path) == ["304", "304"]  # create() answered the body first
    with API(site.url, [site.credentials]) as somebody:
        somebody.documents.update(document.id, tags=["b"])
    assert api.documents.get(document.id).tags == ["b"]
    assert statuses(site.server, "GET", path)[-1] == "200"
    # Another caller's answers are not reused: a copy with another key asks afresh.
    assert api(profile="reader").documents.get(document.id).tags == ["b"]
    assert statuses(site.server, "GET", path)[-1] == "200"


def test_errors_are_typed_and_carry_the_error_list(site, api):
    with pytest.raises(NotFound) as missing:
        api.documents.get("no-such-id")
    assert missing.value.errors == [
        {"location": "path", "name": "path", "description": "There is nothing at this URL."}
    ]
    assert f"[{missing.value.request_id}] GET /-/documents/no-such-id 404" in site.server.log

    with pytest.raises(ValidationError) as invalid:
        api.documents.create(status="finished", attributes={"priority": 9})
    assert [(error["location"], error["name"]) for error in invalid.value.errors] == [
        ("body", "title"),
        ("body", "status"),
        ("body", "attributes.priority"),
    ]
    with pytest.raises(ValidationError) as unknown_filter:
        list(api.documents.list(filters={"colour": "blue"}))
    assert unknown_filter.value.errors[0]["name"] == "colour"

    team = api.teams.create(name="Crew")
    with pytest.raises(Forbidden) as forbidden:
        api.teams.update(team, permissions=["documents.edit"])
    assert forbidden.value.errors[0]["name"] == "permissions"

    key_id = site.key.split(":")[0]
    with API(site.url, [], key_id=key_id, key_secret="wrong") as wrong, pytest.raises(Unauthorized):
        wrong.documents.create(title="Nobody")


def repeat(times: int, call) -> None:
    for _ in range(times):
        call()


def test_a_429_is_waited_out_for_safe_methods_only(site, second):
    url = f"http://127.0.0.1:{second.port}"
    with API(url, [site.credentials]) as api:
        document = api.documents.create(title="Throttled")
        # 9 quick requests fall in 2 windows at most, which allow 6: some are refused, then waited out.
        for _ in range(8):
            assert api.documents.get(document.id).title == "Throttled"
        path = path_of(document.__meta__.url)
        answered = statuses(second, "GET", path)
        assert "429" in answered
        assert answered.count("304") == 8

        # Likewise for 7 quick creates: one is refused, and a POST is not sent again.
        with pytest.raises(RateLimited) as limited:
            repeat(7, lambda: api.documents.create(title="Unsafe"))
        assert limited.value.retry_after >= 1
        before = len(statuses(second, "POST", "/-/documents/"))
        patient = api(retry_unsafe=True)
        made = [patient.documents.create(title=f"Retried {number}").title for number in range(7)]
        assert made == [f"Retried {number}" for number in range(7)]
        assert "429" in statuses(second, "POST", "/-/documents/")[before:]
        impatient = api(max_retries=0)
        with pytest.raises(RateLimited):
            repeat(7, lambda: impatient.documents.get(document.id))


def test_callasync_answers_a_future_and_logs_failures(api, caplog):
    future = api.home.describe_site.callasync()
    assert future.result(timeout=30).name == "backrest"
    with caplog.at_level(logging.ERROR, logger="backrest.client"):
        failed = api.documents.set_status.callasync(documents=["no-such-id"], status="archived")
        assert isinstance(failed.exception(timeout=30), NotFound)
    [record] = [record for record in caplog.records if record.name == "backrest.client"]
    assert record.getMessage() == "documents.set_status failed"
    assert isinstance(record.exc_info[1], NotFound)


def test_broadcast_calls_each_service_on_a_thread(site, second, api):
    other = f"http://127.0.0.1:{second.port}"
    nobody = f"http://127.0.0.1:{free_port()}"
    answered = api.home.describe_site.broadcast([site.url, other, nobody])
    assert {root: result.root for root, result in answered.results.items()} == {
        site.url: f"{site.url}/-/",
        other: f"{other}/-/",
    }
    assert all(result.caller.credential == "API key" for result in answered.results.values())
    assert list(answered.errors) == [nobody]
    assert isinstance(answered.errors[nobody], httpx.ConnectError)


class Noise(io.RawIOBase):
    """``size`` random bytes, made as they are read, hashed on the way."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.left)
        chunk = os.urandom(count)
        buffer[:count] = chunk
        self.sha256.update(chunk)
        self.left -= count
        return count


def peak_allocation(call) -> tuple[object, int]:
    """``call()``'s answer, and the most memory Python held at once while it ran, over what it held before."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        answer = call()
        return answer, tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def test_files_stream_up_and_down(site, api, tmp_path):
    noise = Noise(BIG)
    uploaded, peak = peak_allocation(
        lambda: api.files.upload(noise, filename="noise.bin", description="noise")
    )
    assert peak < MEMORY_BOUND
    assert (uploaded.filename, uploaded.size, uploaded.description) == ("noise.bin", BIG, "noise")
    assert uploaded.sha256 == noise.sha256.hexdigest()

    target = tmp_path / "noise.bin"
    written, peak = peak_allocation(lambda: api.files.download(uploaded, to=target))
    assert peak < MEMORY_BOUND
    assert written == target.stat().st_size == BIG
    digest = hashlib.sha256()
    with target.open("rb") as file:
        while chunk := file.read(MIB):
            digest.update(chunk)
    assert digest.hexdigest() == uploaded.sha256

    # From a path, the filename is the file's and the type is guessed from it.
    small = tmp_path / "notes.txt"
    small.write_bytes(b"plain text")
    notes = api.files.upload(small)
    assert (notes.filename, notes.content_type, notes.size) == ("notes.txt", "text/plain", 10)
    data = io.BytesIO()
    assert api.files.download(notes.id, to=data) == 10
    assert data.getvalue() == b"plain text"

    # A download that fails leaves no file behind.
    with pytest.raises(NotFound):
        api.files.download("no-such-id", to=tmp_path / "missing.bin")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["noise.bin", "notes.txt"]


def test_credentials_never_reach_a_log(site, api, caplog):
    secret = site.key.split(":")[1]
    with caplog.at_level(logging.DEBUG):
        api.documents.create(title="Logged")
        list(api.documents.list(page_size=1))
    assert caplog.records  # the client and httpx did log the requests
    assert not [record for record in caplog.records if secret in record.getMessage()]
    assert secret not in site.server.log
