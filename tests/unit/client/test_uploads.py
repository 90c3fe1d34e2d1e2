"""Files in the client's calls: which values are files, how calls show and send them, ``@path``."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from backrest.client import API
from backrest.client.cli import file_or_text
from backrest.client.uploads import FilePart, file_part, method_fields, multipart_content


@dataclass
class Sheet:
    label: str
    data: Any


class Unseekable(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return 0


@pytest.fixture
def api():
    # Nothing is sent: collate only shows what a call would send.
    return API("http://127.0.0.1:9", [])


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "report.csv"
    path.write_bytes(b"quarter,revenue\nQ3,23.42\n")
    return path


def test_files_are_paths_binary_files_and_tuples(report):
    data = io.BytesIO(b"x")
    assert file_part(report) == FilePart(report)
    assert file_part(data) == FilePart(data)
    assert file_part(("a.png", data)) == FilePart(data, "a.png")
    assert file_part(("a.png", data, "image/png")) == FilePart(data, "a.png", "image/png")
    for text in (str(report), b"bytes", ("a", "b"), ("a.png", data, "image/png", "extra"), ["a.png", data]):
        assert file_part(text) is None


def test_a_file_is_named_by_what_was_given_or_by_its_source(report, tmp_path):
    assert FilePart(report).name == "report.csv"
    assert FilePart(report, "renamed.txt").name == "renamed.txt"
    with report.open("rb") as file:
        assert FilePart(file).name == "report.csv"
    assert FilePart(io.BytesIO(b"x")).name == "upload"


def test_collate_shows_a_file_by_its_name(api, report):
    fields = api.method("reports.import_csv").collate(
        report=report,
        title="Q3",
        sheets=[Sheet("raw", ("raw.csv", io.BytesIO(b"x"), "text/csv"))],
        cover=io.BytesIO(b"y"),
    )
    assert fields == [
        ("report", "report.csv"),
        ("title", "Q3"),
        ("sheets.0.label", "raw"),
        ("sheets.0.data", "raw.csv"),
        ("cover", "upload"),
    ]


def test_method_fields_keep_the_files_for_the_multipart_body(report):
    fields = method_fields({"report": report, "tags": ["a", "b"], "count": 2})
    assert fields == [("report", FilePart(report)), ("tags.0", "a"), ("tags.1", "b"), ("count", "2")]


def test_a_multipart_body_streams_its_files_and_closes_what_it_opened(report):
    given = io.BytesIO(b"given")
    fields = [
        ("report", FilePart(report)),
        ("title", "Q3"),
        ("tags", "a"),
        ("tags", "b"),
        ("extra", FilePart(given)),
    ]
    with multipart_content(fields) as content:
        assert content["data"] == {"title": ["Q3"], "tags": ["a", "b"]}
        [(name, (filename, opened, media_type)), extra] = content["files"]
        assert (name, filename, media_type) == ("report", "report.csv", "text/csv")
        assert extra == ("extra", ("upload", given, "application/octet-stream"))
        assert content["replayable"] is True
        request = httpx.Request("POST", "http://127.0.0.1:9/", data=content["data"], files=content["files"])
        body = b"".join(request.stream)
    assert opened.closed
    assert not given.closed
    assert b'name="report"; filename="report.csv"' in body
    assert b"Q3,23.42" in body


def test_a_body_with_a_file_that_cannot_be_read_again_is_not_sent_again():
    with multipart_content([("report", FilePart(Unseekable()))]) as content:
        assert content["replayable"] is False


def test_command_line_values_starting_with_at_are_files():
    assert file_or_text("@report.csv") == FilePart(Path("report.csv"))
    assert file_or_text("@@ada") == "@ada"
    assert file_or_text("ada@example.com") == "ada@example.com"
    assert file_or_text("") == ""
