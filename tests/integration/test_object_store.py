"""File data in a real S3 server (SeaweedFS): behind nginx, served by backrest, by redirect; outages; gc.

backrest runs as ``pserve`` with ``backrest.files.storage = s3``, its
credentials in the environment as boto3 reads them, against a SeaweedFS that
checks every request's signature. What the tests see of the store they see
through their own S3 client.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
from sqlalchemy import create_engine, select

from backrest.files.gc import collect
from backrest.files.models import Blob
from backrest.files.s3 import S3BlobStore
from backrest.types.files import File
from tests.conftest import PASSWORD
from tests.integration import test_nginx as nginx
from tests.integration.test_server import COOKIE, Client, running_server, signup_and_confirm
from tests.servers import S3_BUCKET, ObjectStore, object_store
from tests.test_benchmarks import load

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.integration.test_server import Server

MIB = 1024 * 1024
files_benchmark = load("files")
BACKREST = Path(sys.executable).parent / "backrest"


@pytest.fixture(scope="module")
def store() -> Iterator[ObjectStore]:
    """One SeaweedFS for the module; backrest's processes find its credentials in the environment."""
    with object_store() as running, pytest.MonkeyPatch.context() as patch:
        for name, value in running.environment.items():
            patch.setenv(name, value)
        yield running


def s3_settings(store: ObjectStore, prefix: str, **more: str) -> dict[str, str]:
    return {
        "backrest.files.storage": "s3",
        "backrest.files.s3.endpoint_url": store.endpoint_url,
        "backrest.files.s3.bucket": S3_BUCKET,
        "backrest.files.s3.prefix": prefix,
        "backrest.files.s3.region": "us-east-1",
        **more,
    }


def objects(store: ObjectStore, prefix: str) -> dict[str, int]:
    """The store's objects under ``prefix``: their sizes by their keys."""
    pages = store.client().get_paginator("list_objects_v2").paginate(Bucket=S3_BUCKET, Prefix=prefix)
    return {item["Key"]: item["Size"] for page in pages for item in page.get("Contents", [])}


def key_of(prefix: str, sha256: str) -> str:
    return f"{prefix}sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def object_key(prefix: str, data: bytes) -> str:
    return key_of(prefix, hashlib.sha256(data).hexdigest())


# Behind nginx: X-Accel-Redirect to the store.


@pytest.fixture(scope="module")
def site(store: ObjectStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[nginx.Site]:
    directory = tmp_path_factory.mktemp("s3-nginx")
    with nginx.running_site(
        directory, **s3_settings(store, "site/", **{"backrest.files.x_accel_redirect": "/_store/"})
    ) as running:
        nginx.log_in(running.client, directory / "mail")
        yield running


def test_nginx_sends_the_data_from_the_store_with_the_headers_of_backrest(site, store):
    data = os.urandom(3 * MIB + 17)
    created = nginx.upload(site, data, filename="día.png")
    assert created["sha256"] == hashlib.sha256(data).hexdigest()
    assert objects(store, "site/")[object_key("site/", data)] == len(data)
    path = nginx.path_of(created["download"])

    reply = site.client.get(path, **{"X-Request-Id": "s3-download-1"})
    assert reply.status == 200
    assert reply.body == data
    headers = reply.headers
    assert headers["Content-Type"] == "image/png"
    assert headers["Content-Disposition"] == "inline; filename=\"dia.png\"; filename*=UTF-8''d%C3%ADa.png"
    assert headers["ETag"] == f'"{created["sha256"]}"'
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox; frame-ancestors 'none'"
    assert headers["Cache-Control"] == "private, no-cache"
    assert headers["X-Request-Id"] == "s3-download-1"
    assert headers["Last-Modified"]
    assert headers["Strict-Transport-Security"]
    assert not [name for name in headers if name.lower().startswith(("x-amz", "seaweed", "x-accel"))]
    assert len(headers.get_all("ETag")) == 1
    # backrest answered headers only; nginx sent the bytes, fetched from the store.
    [line] = [
        line
        for line in (site.logs / "backrest.access.log").read_text().splitlines()
        if "s3-download-1" in line
    ]
    assert f" 200 bytes={len(data)} " in line
    assert f" upstream=200 : 200 upstream_bytes=0 : {len(data)} " in line

    # The ETag and the date are backrest's: a conditional request gets its 304.
    again = site.client.get(path, **{"If-None-Match": headers["ETag"]})
    assert again.status == 304
    assert again.body == b""


def test_ranges_and_head_through_nginx(site):
    data = os.urandom(MIB)
    path = nginx.path_of(nginx.upload(site, data)["download"])

    part = site.client.get(path, Range="bytes=100-199")
    assert part.status == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert part.body == data[100:200]
    assert part.headers["ETag"] == f'"{hashlib.sha256(data).hexdigest()}"'

    tail = site.client.get(path, Range="bytes=-10")
    assert (tail.status, tail.body) == (206, data[-10:])

    # A Range on another version of the data gets the whole of this one.
    stale = site.client.get(path, Range="bytes=0-9", **{"If-Range": '"' + "0" * 64 + '"'})
    assert (stale.status, stale.body) == (200, data)

    # Several ranges: the store answers one, so the client gets the whole data, as HTTP allows.
    several = site.client.get(path, Range="bytes=0-9,20-29")
    assert (several.status, several.body) == (200, data)

    beyond = site.client.get(path, Range=f"bytes={len(data)}-")
    assert beyond.status == 416
    assert beyond.headers["Content-Range"] == f"bytes */{len(data)}"
    assert beyond.json["errors"][0]["name"] == "Range"

    head = site.client.request("HEAD", path)
    assert (head.status, head.body) == (200, b"")
    assert head.headers["Content-Length"] == str(len(data))
    assert head.headers["ETag"] == part.headers["ETag"]
    ranged_head = site.client.request("HEAD", path, Range="bytes=0-99")
    assert ranged_head.status == 206
    assert ranged_head.headers["Content-Length"] == "100"


def test_the_same_content_is_stored_once(site, store):
    data = os.urandom(64 * 1024)
    first, second = nginx.upload(site, data, filename="a.png"), nginx.upload(site, data, filename="b.png")
    assert first["sha256"] == second["sha256"]
    assert first["__meta__"]["id"] != second["__meta__"]["id"]
    assert [key for key in objects(store, "site/") if key == object_key("site/", data)] == [
        object_key("site/", data)
    ]
    for created in (first, second):
        assert site.client.get(nginx.path_of(created["download"])).body == data


def test_a_too_large_upload_leaves_nothing_anywhere(site, store):
    before = objects(store, "site/")
    listed = site.client.get("/-/files/?page_size=100").json["count"]
    data = os.urandom(nginx.MAX_SIZE + 1)
    body, form_type = nginx.multipart({}, "big.png", "image/png", data)
    reply = site.client.request("POST", "/-/files/", body, **{"Content-Type": form_type})
    assert reply.status == 413
    assert reply.json["errors"][0]["location"] == "body"
    assert objects(store, "site/") == before
    assert site.client.get("/-/files/?page_size=100").json["count"] == listed
    assert not list((site.files / "tmp").iterdir())


# An outage of the store.


def test_a_store_outage_is_a_503_until_the_store_is_back(site, store):
    data = os.urandom(100_000)
    kept = nginx.upload(site, data)
    listed = site.client.get("/-/files/?page_size=100").json["count"]
    store.stop()
    try:
        body, form_type = nginx.multipart({}, "during.png", "image/png", os.urandom(1000))
        refused = site.client.request("POST", "/-/files/", body, **{"Content-Type": form_type})
        assert refused.status == 503, refused.body
        assert refused.headers["Retry-After"] == "30"
        [error] = refused.json["errors"]
        assert (error["location"], error["name"]) == ("request", "files")
        assert "The file storage does not answer" in error["description"]
        # No row was written, and nothing waits to be stored.
        assert site.client.get("/-/files/?page_size=100").json["count"] == listed
        assert not list((site.files / "tmp").iterdir())

        download = site.client.get(nginx.path_of(kept["download"]))
        assert download.status == 503
        assert download.json["errors"][0]["name"] == "files"

        heartbeat = site.client.get("/-/heartbeat")
        assert heartbeat.status == 503
        assert [error["name"] for error in heartbeat.json["errors"]] == ["files"]
    finally:
        store.start()
    assert site.client.get("/-/heartbeat").status == 200
    assert site.client.get(nginx.path_of(kept["download"])).body == data
    assert nginx.upload(site, os.urandom(1000))["size"] == 1000
    log = site.server_log.read_text()
    assert "the file storage does not answer" in log
    assert "Traceback" not in log


# Without nginx: sent by backrest itself, or by the store after a redirect.


@contextlib.contextmanager
def serving(
    directory: Path,
    database_url: str,
    store: ObjectStore,
    prefix: str,
    waitress: dict[str, str] | None = None,
    **more: str,
) -> Iterator[tuple[Server, Client]]:
    """pserve with the object store (and ``waitress``'s options), and a client logged in to it."""
    settings = s3_settings(store, prefix, **more)
    with running_server(directory, database_url, server=waitress, **settings) as server:
        client = server.client()
        signup_and_confirm(server, client)
        reply = client.put("/-/login", {"login": "ada@example.com", "password": PASSWORD})
        assert reply.status == 200
        client.csrf_token = reply.json["csrf_token"]
        yield server, client


@contextlib.contextmanager
def app(directory: Path, database_url: str, store: ObjectStore, prefix: str, **more: str) -> Iterator[Client]:
    with serving(directory, database_url, store, prefix, **more) as (_server, client):
        yield client


def put_file(client: Client, data: bytes, content_type: str = "text/plain") -> dict[str, Any]:
    """Upload ``data`` as ``notes.txt``; its representation, and the path of its data."""
    body, form_type = nginx.multipart({}, "notes.txt", content_type, data)
    created = client.post("/-/files/", body, **{"Content-Type": form_type})
    assert created.status == 201, created.body
    return {**created.json, "path": f"/-/files/{created.json['__meta__']['id']}/data"}


def test_backrest_sends_the_data_itself(clean_database, tmp_path, store):
    data = os.urandom(2 * MIB + 3)
    with app(tmp_path, clean_database, store, "app/") as client:
        path = put_file(client, data)["path"]
        whole = client.get(path)
        assert (whole.status, whole.body) == (200, data)
        assert whole.headers["Accept-Ranges"] == "bytes"
        part = client.get(path, Range="bytes=10-19")
        assert (part.status, part.body) == (206, data[10:20])
        several = client.get(path, Range="bytes=0-4,-5")
        assert several.status == 206
        assert data[:5] in several.body
        assert data[-5:] in several.body
        head = client.request("HEAD", path)
        assert (head.status, head.body, head.headers["Content-Length"]) == (200, b"", str(len(data)))


def test_a_redirect_sends_the_client_to_the_store(clean_database, tmp_path, store):
    data = "Grüße aus dem Speicher\n".encode() * 1000
    with app(tmp_path, clean_database, store, "redirect/", **{"backrest.files.serve": "redirect"}) as client:
        created = put_file(client, data)
        path = created["path"]
        reply = client.get(path)
        assert reply.status == 307
        assert reply.headers["ETag"] == f'"{created["sha256"]}"'
        assert reply.headers["Cache-Control"] == "private, no-cache"
        location = reply.headers["Location"]
        assert location.startswith(store.endpoint_url + f"/{S3_BUCKET}/redirect/sha256/")

        # The store answers with the type and name backrest gave; nothing of the session is needed.
        answer = requests.get(location, timeout=10)
        assert (answer.status_code, answer.content) == (200, data)
        assert answer.headers["Content-Type"] == created["content_type"] == "text/plain"
        disposition = "attachment; filename=\"notes.txt\"; filename*=UTF-8''notes.txt"
        assert answer.headers["Content-Disposition"] == disposition
        answer = requests.get(location, headers={"Range": "bytes=5-9"}, timeout=10)
        assert (answer.status_code, answer.content) == (206, data[5:10])

        # The conditions and the range are judged by backrest before it redirects; HEAD is its own.
        assert client.get(path, **{"If-None-Match": reply.headers["ETag"]}).status == 304
        assert client.get(path, Range=f"bytes={len(data)}-").status == 416
        head = client.request("HEAD", path)
        assert (head.status, head.headers["Content-Length"]) == (200, str(len(data)))


def test_settings_refuse_a_redirect_without_an_object_store(tmp_path):
    ini = tmp_path / "redirect.ini"
    ini.write_text(
        "[app:main]\nuse = egg:backrest\n"
        f"sqlalchemy.url = sqlite:///{tmp_path / 'db.sqlite'}\n"
        "backrest.files.serve = redirect\n"
    )
    run = subprocess.run([str(BACKREST), "check", str(ini)], capture_output=True, text=True, check=False)
    assert run.returncode != 0
    assert "backrest.files.serve = redirect needs backrest.files.storage = s3" in run.stdout + run.stderr


# backrest gc


def test_gc_removes_what_no_row_names_and_nothing_else(clean_database, tmp_path, store):
    kept, deleted = os.urandom(5000), os.urandom(6000)
    with app(tmp_path, clean_database, store, "gc/") as client:
        put_file(client, kept)
        gone = put_file(client, deleted)
        assert client.request("DELETE", gone["path"].removesuffix("/data")).status == 204
    s3 = store.client()
    stray = os.urandom(700)
    s3.put_object(Bucket=S3_BUCKET, Key=object_key("gc/", stray), Body=stray)
    s3.put_object(Bucket=S3_BUCKET, Key="gc/not-a-blob.txt", Body=b"left alone")
    unfinished = s3.create_multipart_upload(Bucket=S3_BUCKET, Key=object_key("gc/", b"cut off"))
    ini = tmp_path / "gc.ini"
    ini.write_text((tmp_path / "server.ini").read_text())

    run = subprocess.run(
        [str(BACKREST), "gc", str(ini), "--grace", "0"], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "removed 1 unreferenced blobs (6000 bytes)",
        "removed 1 blobs without a row (700 bytes)",
        "removed 1 unfinished uploads (0 bytes)",
    ]
    assert set(objects(store, "gc/")) == {object_key("gc/", kept), "gc/not-a-blob.txt"}
    uploads = s3.list_multipart_uploads(Bucket=S3_BUCKET, Prefix="gc/").get("Uploads", [])
    assert unfinished["UploadId"] not in [upload["UploadId"] for upload in uploads]
    engine = create_engine(clean_database)
    with engine.connect() as connection:
        assert connection.scalars(select(Blob.sha256)).all() == [hashlib.sha256(kept).hexdigest()]
    engine.dispose()


def test_gc_in_a_loop_never_takes_the_object_of_a_concurrent_upload(clean_database, tmp_path, store):
    """Uploads of a few contents, and their deletion, while gc runs without grace: no row loses its object."""
    contents = [os.urandom(20_000 + number) for number in range(4)]
    engine = create_engine(clean_database)
    s3 = S3BlobStore(tmp_path / "gc-files", bucket=S3_BUCKET, prefix="race/", endpoint_url=store.endpoint_url)
    s3.prepare()
    stop = threading.Event()
    collections: list[int] = []
    failures: list[BaseException] = []

    def collect_in_a_loop() -> None:
        try:
            while not stop.is_set():
                collected = collect(engine, s3, [File], timedelta(0))
                collections.append(collected.unreferenced.count + collected.orphans.count)
        except BaseException as error:
            failures.append(error)
            raise

    with app(tmp_path, clean_database, store, "race/") as client:
        collector = threading.Thread(target=collect_in_a_loop)
        collector.start()
        try:
            kept: list[dict[str, Any]] = []
            for round_ in range(12):
                created = [put_file(client, data) for data in contents]
                check_rows_have_objects(engine, store, f"round {round_}")
                # One file stays: the other contents' blobs are gc's, until the next round gives them again.
                *gone, kept = [
                    *kept,
                    *created[round_ % len(created) + 1 :],
                    *created[: round_ % len(created) + 1],
                ]
                for each in gone:
                    assert client.request("DELETE", each["path"].removesuffix("/data")).status == 204
                kept = [kept]
        finally:
            stop.set()
            collector.join()
    assert not failures
    assert sum(collections) > 0, "gc never removed anything: it did not race the uploads"
    check_rows_have_objects(engine, store, "at the end")
    engine.dispose()


def check_rows_have_objects(engine: Any, store: ObjectStore, when: str) -> None:
    stored = objects(store, "race/")
    with engine.connect() as connection:
        for sha256, size in connection.execute(select(File.sha256, File.size)):
            assert stored.get(key_of("race/", sha256)) == size, f"{when}: the object of {sha256} is missing"


def test_check_names_the_store(tmp_path, store):
    ini = tmp_path / "check.ini"
    settings = {
        "sqlalchemy.url": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "backrest.files.root": str(tmp_path / "files"),
        **s3_settings(store, "check/", **{"backrest.files.s3.bucket": "no-such-bucket"}),
    }
    ini.write_text("[app:main]\nuse = egg:backrest\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))
    run = subprocess.run([str(BACKREST), "check", str(ini)], capture_output=True, text=True, check=False)
    assert run.returncode == 1
    assert "bucket no-such-bucket does not answer" in run.stdout


GIBIBYTE = 1024 * MIB
SERVER_GROWTH_BOUND_MIB = 64


def put_stream(client: Client, path: str, block: bytes, count: int) -> Any:
    """PUT ``count`` times ``block`` as one body, sent as it is made: the client holds one block."""
    connection = http.client.HTTPConnection("127.0.0.1", client.port, timeout=600)
    try:
        connection.putrequest("PUT", path)
        for name, value in {
            "Content-Type": "application/octet-stream",
            "Content-Length": str(len(block) * count),
            "Cookie": f"{COOKIE}={client.session}",
            "X-CSRF-Token": client.csrf_token,
            "Accept": "application/json",
        }.items():
            connection.putheader(name, value)
        connection.endheaders()
        for _ in range(count):
            connection.sock.sendall(block)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_a_gibibyte_upload_to_the_store_keeps_the_server_small(tmp_path, store):
    database = f"sqlite:///{tmp_path / 'backrest.sqlite'}"
    # As production.ini: room for a whole GiB and a form's other fields.
    waitress = {"max_request_body_size": str(GIBIBYTE + MIB)}
    with serving(tmp_path, database, store, "big/", waitress) as (server, client):
        created = put_file(client, b"small at first")
        pid = server.process.pid
        if not files_benchmark.reset_peak(pid):
            pytest.skip("the peak of resident memory cannot be reset here (/proc/PID/clear_refs)")
        before = files_benchmark.memory_mib(pid, "VmRSS")
        block = os.urandom(MIB)
        digest = hashlib.sha256()
        for _ in range(GIBIBYTE // MIB):
            digest.update(block)
        status, stored = put_stream(client, created["path"], block, GIBIBYTE // MIB)
        growth = files_benchmark.memory_mib(pid, "VmHWM") - before
    assert status == 200, stored
    assert (stored["size"], stored["sha256"]) == (GIBIBYTE, digest.hexdigest())
    assert objects(store, "big/")[key_of("big/", digest.hexdigest())] == GIBIBYTE
    assert growth < SERVER_GROWTH_BOUND_MIB, f"the server grew by {growth:.1f} MiB"
