"""Downloading a file's data: headers, conditional requests, ranges, nginx hand-off, permissions."""

from __future__ import annotations

import email
import email.policy
from typing import TYPE_CHECKING

import pytest

from tests.conftest import error_fields
from tests.functional.content.conftest import url_of
from tests.functional.content.files import data_path, upload
from tests.functional.content.test_files_upload import on_app_with

if TYPE_CHECKING:
    import webtest

    from tests.client import Browser

DATA = bytes(range(256)) * 40  # 10 240 bytes, each offset's byte is offset % 256


@pytest.fixture
def text_file(logged_in: Browser) -> str:
    return data_path(upload(logged_in, DATA, "Résumé 2026.txt", "text/plain").json)


def test_a_download_carries_the_file_and_its_headers(logged_in: Browser, text_file: str):
    response = logged_in.get(text_file)
    assert response.body == DATA
    headers = response.headers
    assert headers["Content-Type"] == "text/plain"
    assert headers["Content-Length"] == str(len(DATA))
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"Resume 2026.txt\"; filename*=UTF-8''R%C3%A9sum%C3%A9%202026.txt"
    )
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Accept-Ranges"] == "bytes"
    assert "sandbox" in headers["Content-Security-Policy"]
    assert headers["ETag"] == f'"{logged_in.get(url_of_data(text_file)).json["sha256"]}"'
    assert headers["Last-Modified"]


def url_of_data(path: str) -> str:
    return path.removesuffix("/data")


@pytest.mark.parametrize(
    ("content_type", "query", "disposition"),
    [
        ("image/png", "", "inline"),
        ("image/png", "?download=1", "attachment"),
        ("image/svg+xml", "", "attachment"),
        ("text/html", "", "attachment"),
        ("application/pdf", "", "attachment"),
    ],
)
def test_only_safe_images_are_shown_inline(logged_in: Browser, content_type, query, disposition):
    path = data_path(upload(logged_in, b"<x/>", "100% ok.bin", content_type).json)
    header = logged_in.get(path + query).headers["Content-Disposition"]
    assert header == f"{disposition}; filename=\"100_ ok.bin\"; filename*=UTF-8''100%25%20ok.bin"


def test_the_etag_answers_304(logged_in: Browser, text_file: str):
    tag = logged_in.get(text_file).headers["ETag"]
    response = logged_in.get(text_file, headers={"If-None-Match": tag}, status=304)
    assert response.body == b""
    assert response.headers["ETag"] == tag
    logged_in.get(text_file, headers={"If-None-Match": '"other"'}, status=200)


def test_identical_content_has_the_same_etag(logged_in: Browser, other: Browser, text_file: str):
    copy = data_path(upload(other, DATA, "copy.txt").json)
    assert other.get(copy).headers["ETag"] == logged_in.get(text_file).headers["ETag"]


def test_head_answers_the_headers_alone(logged_in: Browser, text_file: str):
    response = logged_in.head(text_file)
    assert response.body == b""
    assert response.headers["Content-Length"] == str(len(DATA))
    assert response.headers["ETag"] == logged_in.get(text_file).headers["ETag"]


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [
        ("bytes=0-99", 0, 100),
        ("bytes=10000-", 10000, len(DATA)),
        ("bytes=-40", len(DATA) - 40, len(DATA)),
        ("bytes=10200-99999", 10200, len(DATA)),
        ("bytes=5-5", 5, 6),
        ("bytes=-99999", 0, len(DATA)),
    ],
)
def test_a_single_range(logged_in: Browser, text_file: str, header: str, start: int, stop: int):
    response = logged_in.get(text_file, headers={"Range": header}, status=206)
    assert response.body == DATA[start:stop]
    assert response.headers["Content-Range"] == f"bytes {start}-{stop - 1}/{len(DATA)}"
    assert response.headers["Content-Length"] == str(stop - start)
    assert response.headers["Content-Type"] == "text/plain"


def _parts(response: webtest.TestResponse) -> list[tuple[str, str, bytes]]:
    message = email.message_from_bytes(
        b"Content-Type: " + response.headers["Content-Type"].encode() + b"\r\n\r\n" + response.body,
        policy=email.policy.HTTP,
    )
    return [
        (part["Content-Type"], part["Content-Range"], part.get_payload(decode=True))
        for part in message.iter_parts()
    ]


def test_several_ranges_come_as_multipart_byteranges(logged_in: Browser, text_file: str):
    response = logged_in.get(text_file, headers={"Range": "bytes=500-599, 0-9, -5"}, status=206)
    assert response.headers["Content-Type"].startswith("multipart/byteranges; boundary=")
    assert int(response.headers["Content-Length"]) == len(response.body)
    assert _parts(response) == [
        ("text/plain", f"bytes 500-599/{len(DATA)}", DATA[500:600]),
        ("text/plain", f"bytes 0-9/{len(DATA)}", DATA[0:10]),
        ("text/plain", f"bytes {len(DATA) - 5}-{len(DATA) - 1}/{len(DATA)}", DATA[-5:]),
    ]


def test_ranges_beyond_the_end_are_dropped(logged_in: Browser, text_file: str):
    response = logged_in.get(text_file, headers={"Range": "bytes=0-1,999999-"}, status=206)
    assert response.body == DATA[:2]


@pytest.mark.parametrize(
    ("header", "description"),
    [
        ("bytes=999999-", "No range is within"),
        ("bytes=-0", "No range is within"),
        ("bytes=0-10,5-20", "overlap"),
        ("bytes=" + ",".join(f"{n}-{n}" for n in range(17)), "At most 16 ranges"),
        ("bytes=abc", "is not a byte range"),
        ("bytes=9-3", "ends before it starts"),
        ("bytes=", "is not a byte range"),
    ],
)
def test_refused_ranges_are_416(logged_in: Browser, text_file: str, header: str, description: str):
    response = logged_in.get(text_file, headers={"Range": header}, status=416)
    assert error_fields(response) == [("header", "Range")]
    assert description in response.json["errors"][0]["description"]
    assert response.headers["Content-Range"] == f"bytes */{len(DATA)}"


def test_a_range_in_another_unit_is_ignored(logged_in: Browser, text_file: str):
    assert logged_in.get(text_file, headers={"Range": "items=0-1"}, status=200).body == DATA


def test_if_range(logged_in: Browser, text_file: str):
    current = logged_in.get(text_file)
    headers = {"Range": "bytes=0-9"}
    assert logged_in.get(text_file, headers={**headers, "If-Range": current.headers["ETag"]}, status=206)
    stale = logged_in.get(text_file, headers={**headers, "If-Range": '"changed"'}, status=200)
    assert stale.body == DATA
    dated = {**headers, "If-Range": current.headers["Last-Modified"]}
    assert logged_in.get(text_file, headers=dated, status=206).body == DATA[:10]
    old = {**headers, "If-Range": "Mon, 01 Jan 2001 00:00:00 GMT"}
    assert logged_in.get(text_file, headers=old, status=200).body == DATA


def test_an_empty_file(logged_in: Browser):
    path = data_path(upload(logged_in, b"", "empty.txt").json)
    response = logged_in.get(path)
    assert (response.body, response.headers["Content-Length"]) == (b"", "0")
    logged_in.get(path, headers={"Range": "bytes=0-"}, status=416)


def test_nginx_sends_the_bytes_when_configured(app_with, logged_in: Browser, text_file: str):
    behind = on_app_with(app_with, logged_in, **{"backrest.files.x_accel_redirect": "/_blobs/"})
    sha256 = logged_in.get(url_of_data(text_file)).json["sha256"]
    response = behind.get(text_file)
    assert response.body == b""
    assert response.headers["X-Accel-Redirect"] == f"/_blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"
    assert response.headers["Content-Type"] == "text/plain"
    assert response.headers["ETag"] == f'"{sha256}"'
    assert "Content-Length" not in response.headers
    # Ranges are nginx's to send, once checked here.
    assert "X-Accel-Redirect" in behind.get(text_file, headers={"Range": "bytes=0-1"}).headers
    behind.get(text_file, headers={"Range": "bytes=5-1"}, status=416)
    behind.get(text_file, headers={"If-None-Match": response.headers["ETag"]}, status=304)


def test_data_is_as_visible_as_its_file(logged_in: Browser, other: Browser, anonymous: Browser, text_file):
    other.get(text_file, status=404)
    anonymous.get(text_file, status=404)
    logged_in.put_json(url_of_data(text_file), {"public": True})
    assert anonymous.get(text_file).body == DATA
    logged_in.delete(url_of_data(text_file), status=204)
    logged_in.get(text_file, status=404)


def test_options_on_the_data(logged_in: Browser, other: Browser, text_file: str):
    response = logged_in.options(text_file)
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "PUT", "OPTIONS"}
    logged_in.put_json(url_of_data(text_file), {"public": True})
    assert set(other.options(text_file).headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_the_file_is_listed_and_filtered(logged_in: Browser, text_file: str):
    upload(logged_in, b"png", "b.png", "image/png")
    listed = logged_in.get("/-/files/", {"content_type": "image/png"}).json
    assert [item["filename"] for item in listed["results"]] == ["b.png"]
    by_size = logged_in.get("/-/files/", {"size__gte": "1000"}).json["results"]
    assert [url_of(item) for item in by_size] == [url_of_data(text_file)]


def test_the_api_root_lists_files(anonymous: Browser):
    collections = anonymous.get("/-/").json["collections"]
    assert collections["files"] == {
        "url": "http://localhost/-/files/",
        "description": "Files: uploads of any type, with a description.",
        "kind": "file",
    }
    assert collections["documents"]["kind"] == "content"


def test_the_heartbeat_fails_when_files_cannot_be_written(app_with, anonymous: Browser, tmp_path):
    root = tmp_path / "files"
    broken = type(anonymous)(app_with(**{"backrest.files.root": str(root)}))
    (root / "tmp").rmdir()
    response = broken.get("/-/heartbeat", status=503)
    assert error_fields(response) == [("request", "files")]


def test_options_list_the_file_among_the_fields(logged_in: Browser, text_file: str):
    actions = logged_in.options("/-/files/").json["actions"]
    assert actions["POST"]["file"] == {
        "type": "file upload",
        "required": True,
        "read_only": False,
        "label": "File",
    }
    assert actions["POST"]["description"]["max_length"] == 10_000
    item = logged_in.options(url_of_data(text_file)).json["actions"]
    assert item["PUT"]["file"]["required"] is False
