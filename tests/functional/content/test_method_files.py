"""Typed methods that take files (sections 8, 15): multipart only, streamed, limited, nothing left behind."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from backrest.audit.models import AuditEntry
from tests.conftest import error_fields
from tests.functional.content.files import files_under, stored
from tests.functional.content.test_files_upload import on_app_with

if TYPE_CHECKING:
    from backrest.files.storage import BlobStore
    from tests.client import Browser

CHECKSUM = "/-/api/testing/checksum"
DESCRIBE = "/-/api/testing/describe_files"
KEEP = "/-/api/testing/keep"
FAIL = "/-/api/testing/fail_with_file"
DATA = b"quarter,revenue\nQ3,23.42\n"
BOUNDARY = "b0undary"
FORM = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def raw_form(*parts: tuple[str, bytes, str | None, str | None]) -> bytes:
    """A multipart body of ``(name, data, filename, content_type)`` parts; ``None`` leaves a header out."""
    body = b""
    for name, data, filename, content_type in parts:
        disposition = f'form-data; name="{name}"' + (
            f'; filename="{filename}"' if filename is not None else ""
        )
        head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
        if content_type is not None:
            head += f"Content-Type: {content_type}\r\n"
        body += head.encode() + b"\r\n" + data + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


def checksum(browser: Browser, data: bytes = DATA, *, status: int = 200, **fields: str) -> Any:
    """Call ``testing.checksum`` with ``data`` as the ``file`` part of a multipart form, beside ``fields``."""
    return browser.post(
        CHECKSUM,
        {"label": "Q3", **fields},
        upload_files=[("file", "report.csv", data, "text/csv")],
        status=status,
    )


@pytest.fixture
def store(app: Any) -> BlobStore:
    return app.registry["backrest.files"]


# Arguments


def test_a_file_and_dotted_fields_in_one_multipart_body(logged_in, store):
    answer = checksum(logged_in, **{"address.city": "Paris", "address.zip_code": "75001"}).json
    assert answer == {
        "filename": "report.csv",
        "size": len(DATA),
        "sha256": sha256(DATA),
        "label": "Q3",
        "address": {"city": "Paris", "zip_code": "75001"},
    }
    assert files_under(store.tmp) == []


@pytest.mark.parametrize(
    ("filename", "received"),
    [("../../etc/passwd", "passwd"), ("invoice\u202efdp.exe", "invoicefdp.exe"), (None, None)],
)
def test_the_filename_is_made_safe_or_none(logged_in, filename, received):
    body = raw_form(("file", DATA, filename, "text/csv"), ("label", b"Q3", None, None))
    assert logged_in.post(CHECKSUM, body, headers=FORM).json["filename"] == received


def test_files_in_lists_optionals_and_dataclasses(logged_in, store):
    answer = logged_in.post(
        DESCRIBE,
        [("labelled.0.label", "first"), ("labelled.1.label", "second")],
        upload_files=[
            ("files", "a.txt", b"a"),
            ("cover", "cover.png", b"\x89PNG", "image/png"),
            ("files", "b.txt", b"bb"),
            ("labelled.0.file", "c.txt", b"ccc"),
            ("labelled.1.file", "d.txt", b"dddd"),
        ],
    ).json
    assert [(each["filename"], each["size"], each["label"]) for each in answer] == [
        ("cover.png", 4, ""),
        ("a.txt", 1, ""),
        ("b.txt", 2, ""),
        ("c.txt", 3, "first"),
        ("d.txt", 4, "second"),
    ]
    assert answer[0]["content_type"] == "image/png"
    assert answer[0]["sha256"] == sha256(b"\x89PNG")
    indexed = logged_in.post(DESCRIBE, upload_files=[("files.0", "a.txt", b"a"), ("files.1", "b.txt", b"b")])
    assert [each["filename"] for each in indexed.json] == ["a.txt", "b.txt"]
    assert files_under(store.tmp) == []


def test_a_file_input_left_empty_is_no_file(logged_in):
    """A browser sends an empty file input as a part with an empty filename: an optional file is None."""
    body = raw_form(("cover", b"", "", "application/octet-stream"), ("files.", b"", None, None))
    assert logged_in.post(DESCRIBE, body, headers=FORM).json == []


def test_json_and_urlencoded_bodies_cannot_send_a_file(logged_in):
    refused = logged_in.post_json(CHECKSUM, {"file": "cXVhcnRlcg==", "label": "Q3"}, status=400)
    assert error_fields(refused) == [("body", "file")]
    assert "multipart/form-data" in refused.json["errors"][0]["description"]
    refused = logged_in.post(CHECKSUM, [("file", "report.csv"), ("label", "Q3")], status=400)
    assert error_fields(refused) == [("body", "file")]
    refused = logged_in.post_json(DESCRIBE, {"files": ["a"], "cover": "b"}, status=400)
    assert sorted(error_fields(refused)) == [("body", "cover"), ("body", "files.0")]
    # Without the files, JSON calls it as any method.
    assert logged_in.post_json(DESCRIBE, {}).json == []


def test_a_missing_file_is_a_400_naming_it(logged_in):
    refused = logged_in.post(CHECKSUM, raw_form(("label", b"Q3", None, None)), headers=FORM, status=400)
    assert error_fields(refused) == [("body", "file")]
    assert refused.json["errors"][0]["description"].startswith("Required: send a file")
    refused = logged_in.post(DESCRIBE, upload_files=[("labelled.0.file", "c.txt", b"c")], status=400)
    assert error_fields(refused) == [("body", "labelled.0.label")]


def test_two_files_for_one_argument_is_a_400(logged_in, store):
    refused = logged_in.post(
        CHECKSUM,
        {"label": "Q3"},
        upload_files=[("file", "a.csv", b"a"), ("file", "b.csv", b"b")],
        status=400,
    )
    assert error_fields(refused) == [("body", "file")]
    assert files_under(store.tmp) == []


def test_a_file_with_the_wrong_fields_beside_it_is_a_400_naming_each(logged_in, store):
    refused = checksum(logged_in, status=400, label="", **{"address.town": "Paris", "colour": "red"})
    assert sorted(error_fields(refused)) == [
        ("body", "address.city"),
        ("body", "address.town"),
        ("body", "colour"),
    ]
    assert files_under(store.tmp) == []


# Limits


@pytest.mark.parametrize("size", [1001, 3 * 1024 * 1024], ids=["while-reading", "by-length"])
def test_a_file_over_the_size_limit_is_a_413(app_with, logged_in, size):
    small = on_app_with(app_with, logged_in, **{"backrest.files.max_size": "1000"})
    refused = checksum(small, b"x" * size, status=413)
    assert error_fields(refused) == [("body", "file")]
    assert "larger than 1000 bytes" in refused.json["errors"][0]["description"]
    assert files_under(small.app.registry["backrest.files"].tmp) == []
    assert checksum(small, b"x" * 1000).json["size"] == 1000


def test_each_of_several_files_is_held_to_the_size_limit(app_with, logged_in):
    small = on_app_with(app_with, logged_in, **{"backrest.files.max_size": "1000"})
    files = [("files", "a.txt", b"a" * 1000), ("files", "b.txt", b"b" * 1000)]
    assert [each["size"] for each in small.post(DESCRIBE, upload_files=files).json] == [1000, 1000]
    refused = small.post(DESCRIBE, upload_files=[*files, ("files", "c.txt", b"c" * 1001)], status=413)
    assert error_fields(refused) == [("body", "files")]
    assert files_under(small.app.registry["backrest.files"].tmp) == []


def test_the_fields_beside_a_file_are_bounded(app_with, logged_in):
    tight = on_app_with(app_with, logged_in, **{"backrest.max_body_size": "100"})
    assert checksum(tight, b"x" * 5000).json["size"] == 5000
    refused = checksum(tight, status=413, label="l" * 200)
    assert error_fields(refused) == [("body", None)]
    assert files_under(tight.app.registry["backrest.files"].tmp) == []


def test_a_file_of_a_type_not_allowed_is_a_415(app_with, logged_in):
    strict = on_app_with(app_with, logged_in, **{"backrest.files.content_types": "image/* application/pdf"})
    refused = checksum(strict, status=415)
    assert error_fields(refused) == [("body", "file")]
    assert "image/*, application/pdf" in refused.json["errors"][0]["description"]
    pictured = strict.post(
        CHECKSUM, {"label": "Q3"}, upload_files=[("file", "a.png", b"\x89PNG", "image/png")]
    )
    assert pictured.json["size"] == 4
    assert files_under(strict.app.registry["backrest.files"].tmp) == []


def test_a_broken_multipart_body_is_a_400(logged_in, store):
    body = raw_form(("file", DATA, "report.csv", "text/csv"))[:-20]
    refused = logged_in.post(CHECKSUM, body, headers=FORM, status=400)
    assert "Invalid multipart body" in refused.json["errors"][0]["description"]
    assert files_under(store.tmp) == []


# Nothing left behind, whatever happens


@pytest.mark.parametrize(("status", "answered"), [(409, 409), (0, 500)], ids=["refusal", "bug"])
def test_a_method_that_fails_leaves_no_file(logged_in, store, status, answered):
    logged_in.post(FAIL, {"status": str(status)}, upload_files=[("file", "a.txt", DATA)], status=answered)
    assert files_under(store.tmp) == []
    assert stored(store) == {}


def test_anonymous_callers_are_refused_before_the_body_is_read(anonymous, store):
    refused = checksum(anonymous, status=401)
    assert "WWW-Authenticate" in refused.headers
    assert files_under(store.tmp) == []


# Keeping a file


def test_a_method_keeps_a_file_as_a_file_object(logged_in, store):
    kept = logged_in.post(KEEP, upload_files=[("file", "minutes.txt", DATA, "text/plain")]).json
    assert (kept["filename"], kept["content_type"], kept["size"]) == ("minutes.txt", "text/plain", len(DATA))
    assert kept["sha256"] == sha256(DATA)
    assert kept["__meta__"]["owner"] == logged_in.user_id
    assert logged_in.get(kept["download"].removeprefix("http://localhost")).body == DATA
    assert stored(store) == {sha256(DATA): DATA}
    assert files_under(store.tmp) == []


def test_a_kept_file_whose_commit_fails_leaves_nothing(logged_in, store):
    logged_in.post(KEEP, {"folder": "no such folder"}, upload_files=[("file", "a.txt", DATA)], status=500)
    assert stored(store) == {}
    assert files_under(store.tmp) == []


def test_the_audit_log_names_the_arguments_never_the_file(logged_in, dbsession):
    logged_in.post(KEEP, upload_files=[("file", "secret-plans.txt", b"the plans")])
    [entry] = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "method_called")).all()
    assert (entry.object_id, entry.changes) == ("testing.keep", {"arguments": ["file"]})


# Descriptions


def test_options_lists_files_as_file_uploads(logged_in):
    arguments = logged_in.options(CHECKSUM).json["actions"]["POST"]
    assert arguments["file"] == {"type": "file upload", "required": True, "read_only": False, "label": "File"}
    assert logged_in.options("/-/files/").json["actions"]["POST"]["file"]["type"] == "file upload"
    described = logged_in.options(DESCRIBE).json["actions"]["POST"]
    assert described["files"]["child"]["type"] == "file upload"
    assert described["labelled"]["child"]["children"]["file"]["type"] == "file upload"


def test_the_openapi_document_asks_for_a_multipart_body(app_with, anonymous):
    strict = type(anonymous)(app_with(**{"backrest.files.content_types": "image/* application/pdf"}))
    operation = strict.get("/-/openapi.json").json["paths"][CHECKSUM]["post"]
    body = operation["requestBody"]
    assert body["required"] is True
    [(media_type, form)] = body["content"].items()
    assert media_type == "multipart/form-data"
    assert form["schema"]["properties"]["file"] == {"type": "string", "format": "binary"}
    assert form["schema"]["properties"]["address.city"] == {"type": "string"}
    assert set(form["schema"]["required"]) == {"file", "label"}
    assert form["encoding"] == {"file": {"contentType": "image/*, application/pdf"}}
    assert {"413", "415"} <= set(operation["responses"])
