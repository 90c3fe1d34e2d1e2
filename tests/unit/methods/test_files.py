"""``FileUpload`` arguments: their annotations, their decoding, which parts are files, their schemas."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from openapi_spec_validator import validate

from backrest.files.storage import Received
from backrest.files.upload import Part, Upload
from backrest.formats.forms import decode_form
from backrest.methods import FileUpload
from backrest.methods.arguments import ArgumentErrors, Context, decode_arguments
from backrest.methods.multipart import most_files, part_of
from backrest.methods.options import fields
from backrest.methods.schemas import argument_schema, request_body, request_schema
from backrest.methods.shapes import DictOf, File, ListOf, Nullable, Record, Signature, shape_of

if TYPE_CHECKING:
    from pathlib import Path

CONTEXT = Context({}, lambda cls, public_id, _name: cls(public_id))
BINARY = {"type": "string", "format": "binary"}


@dataclass
class Labelled:
    label: str
    file: FileUpload


@dataclass
class Pair:
    front: FileUpload
    back: FileUpload | None = None


def report(file: FileUpload, title: str, note: str = "") -> None: ...


def gallery(
    images: list[FileUpload], cover: FileUpload | None = None, captions: dict[str, str] | None = None
) -> None: ...


def sheets(first: Labelled, pair: Pair, labelled: list[Labelled] | None = None) -> None: ...


def no_files(title: str, tags: list[str]) -> None: ...


def signature(function: Any) -> Signature:
    return Signature.of(function, [])


def received(tmp_path: Path, data: bytes = b"data", filename: str | None = "a.txt") -> FileUpload:
    path = tmp_path / f"upload-{hashlib.sha256(data).hexdigest()[:8]}"
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    return FileUpload.of(Upload(Received(path, digest, len(data), 0), filename, "text/plain"))


def decode(function: Any, data: dict[str, Any], *, from_form: bool = True) -> dict[str, Any]:
    return decode_arguments(signature(function), data, CONTEXT, from_form=from_form)


def errors(function: Any, data: dict[str, Any], *, from_form: bool = True) -> list[tuple[str, str]]:
    with pytest.raises(ArgumentErrors) as caught:
        decode(function, data, from_form=from_form)
    return caught.value.errors


# The type


def test_a_file_upload_tells_what_it_holds_and_reads_it(tmp_path):
    upload = received(tmp_path, b"quarter,revenue\n", "../../reports/Q3.csv")
    assert (upload.filename, upload.content_type, upload.size) == ("Q3.csv", "text/plain", 16)
    assert upload.sha256 == hashlib.sha256(b"quarter,revenue\n").hexdigest()
    with upload.open() as data:
        assert data.read() == b"quarter,revenue\n"
    assert received(tmp_path, filename=None).filename is None
    assert "upload=" not in repr(upload)


# Shapes


@pytest.mark.parametrize(
    ("annotation", "shape"),
    [
        (FileUpload, File()),
        (FileUpload | None, Nullable(File())),
        (list[FileUpload], ListOf(File())),
        (dict[str, FileUpload], DictOf(shape_of(str, []), File())),
    ],
)
def test_file_annotations(annotation, shape):
    assert shape_of(annotation, []) == shape


def test_dataclass_fields_may_be_files():
    shape = shape_of(Labelled, [])
    assert isinstance(shape, Record)
    assert [(member.name, member.shape) for member in shape.fields] == [
        ("label", shape_of(str, [])),
        ("file", File()),
    ]


@pytest.mark.parametrize("annotation", [FileUpload, list[FileUpload], Labelled | None])
def test_a_file_is_no_result(annotation):
    with pytest.raises(TypeError, match="a FileUpload cannot be a result"):
        shape_of(annotation, [], result=True)

    def method() -> None: ...

    method.__annotations__ = {"return": annotation}
    with pytest.raises(TypeError, match="the return annotation: a FileUpload cannot be a result"):
        Signature.of(method, [])


def test_a_signature_takes_files_when_any_argument_holds_one():
    assert signature(report).takes_files
    assert signature(gallery).takes_files
    assert signature(sheets).takes_files
    assert not signature(no_files).takes_files


# Decoding


def test_files_decode_where_the_form_put_them(tmp_path):
    first, second, third = (received(tmp_path, data) for data in (b"1", b"2", b"3"))
    assert decode(report, {"file": first, "title": "Q3"}) == {"file": first, "title": "Q3"}
    fields = [("images", first), ("images", second), ("cover", third), ("captions.a", "A")]
    assert decode(gallery, decode_form(fields)) == {
        "images": [first, second],
        "cover": third,
        "captions": {"a": "A"},
    }
    assert decode(gallery, decode_form([("images", first)])) == {"images": [first]}
    nested = decode_form([("first.label", "one"), ("first.file", first), ("pair.front", second)])
    assert decode(sheets, nested) == {"first": Labelled("one", first), "pair": Pair(second)}


def test_text_where_a_file_belongs_is_refused_naming_it():
    described = "Must be a file: send it as a part of a multipart/form-data body, under this name."
    assert errors(report, {"file": "text", "title": "Q3"}) == [("file", described)]
    assert errors(report, {"file": {"name": "a"}, "title": "Q3"}, from_form=False) == [("file", described)]
    assert errors(gallery, {"images": ["a", None]}, from_form=False) == [
        ("images.0", described),
        ("images.1", described),
    ]


def test_a_missing_file_asks_for_a_file():
    assert errors(report, {"title": "Q3"}) == [
        ("file", "Required: send a file, as a part of a multipart/form-data body under this name.")
    ]
    assert errors(sheets, decode_form([("first.label", "one"), ("pair.back", "")]))[0][0] == "first.file"


def test_empty_text_is_none_for_an_optional_file(tmp_path):
    front = received(tmp_path)
    assert decode(gallery, decode_form([("images.", ""), ("cover", "")])) == {"images": [], "cover": None}
    assert decode(
        sheets,
        decode_form([("first.label", "a"), ("first.file", front), ("pair.front", front), ("pair.back", "")]),
    )["pair"] == Pair(front, None)


# Which parts are files


@pytest.mark.parametrize(
    ("function", "name", "part"),
    [
        (report, "file", Part.FILE),
        (report, "title", Part.TEXT),
        (report, "file.name", Part.TEXT),
        (report, "other", Part.TEXT),
        (gallery, "images", Part.FILES),
        (gallery, "images.0", Part.FILE),
        (gallery, "images.0.x", Part.TEXT),
        (gallery, "cover", Part.FILE),
        (gallery, "captions.a", Part.TEXT),
        (sheets, "first.file", Part.FILE),
        (sheets, "first.label", Part.TEXT),
        (sheets, "first", Part.TEXT),
        (sheets, "pair.back", Part.FILE),
        (sheets, "labelled.3.file", Part.FILE),
        (sheets, "labelled", Part.TEXT),
        (no_files, "tags", Part.TEXT),
    ],
)
def test_parts_are_files_by_their_dotted_names(function, name, part):
    assert part_of(signature(function), name) is part


def test_how_many_files_a_call_may_send():
    assert most_files(signature(report)) == 1
    assert most_files(signature(sheets)) is None
    assert most_files(signature(gallery)) is None
    assert most_files(signature(no_files)) == 0

    def two(first: FileUpload, pair: Pair | None = None, names: list[str] | None = None) -> None: ...

    assert most_files(signature(two)) == 3


# Schemas, OPTIONS


def test_file_schemas():
    assert argument_schema(FileUpload, {}) == BINARY
    assert argument_schema(FileUpload | None, {}) == {**BINARY, "nullable": True}
    assert argument_schema(list[FileUpload], {}) == {"type": "array", "items": BINARY}


def test_a_method_taking_files_takes_a_multipart_body_only():
    body = request_body(request_schema(signature(gallery), {}), ["image/*", "application/pdf"])
    assert body["required"] is True
    [(media_type, form)] = body["content"].items()
    assert media_type == "multipart/form-data"
    assert form["schema"]["properties"]["images"] == {"type": "array", "items": BINARY}
    assert form["schema"]["properties"]["cover"] == {**BINARY, "nullable": True}
    assert form["encoding"] == {
        "images": {"style": "form", "explode": True, "contentType": "image/*, application/pdf"},
        "cover": {"contentType": "image/*, application/pdf"},
    }


def test_files_of_dataclasses_are_dotted_fields_of_any_type():
    body = request_body(request_schema(signature(sheets), {}), [])
    form = body["content"]["multipart/form-data"]
    assert form["schema"]["properties"]["first.file"] == BINARY
    assert form["schema"]["required"] == ["first.label", "first.file", "pair.front"]
    assert form["encoding"] == {
        "first.file": {"contentType": "*/*"},
        "pair.front": {"contentType": "*/*"},
        "pair.back": {"contentType": "*/*"},
    }


def test_methods_without_files_keep_every_body_type():
    assert set(request_body(request_schema(signature(no_files), {}))["content"]) == {
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/xml",
    }


@pytest.mark.parametrize("function", [report, gallery, sheets])
def test_file_bodies_make_a_valid_openapi_document(function):
    operation = {"requestBody": request_body(request_schema(signature(function), {}), ["image/*"])}
    operation["responses"] = {"200": {"description": "Done."}}
    validate(
        {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/m": {"post": operation}}}
    )


def test_options_call_files_file_uploads():
    described = fields(request_schema(signature(gallery), {}))
    assert described["cover"]["type"] == "file upload"
    assert described["images"]["child"]["type"] == "file upload"
