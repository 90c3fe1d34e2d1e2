"""read_body: each body type through its parser, the size limit, and what bad input answers."""

import io

import pytest
from pyramid.registry import Registry
from pyramid.request import Request

from backrest.errors import Errors
from backrest.schema import Body, text_node
from backrest.validation import DEFAULT_MAX_BODY_SIZE, PARSERS, BodyError, body_validator, read_body

FORM = "application/x-www-form-urlencoded"


def make_request(body: bytes, content_type: str, max_body_size: int | None = None) -> Request:
    request = Request.blank("/-/signup", method="POST", body=body)
    request.content_type = content_type
    if max_body_size is not None:
        request.registry = Registry()
        request.registry.settings = {"backrest.max_body_size": max_body_size}
    return request


def multipart(*parts: tuple[str, str, str | None], boundary: str = "xyz") -> tuple[bytes, str]:
    lines = []
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        lines += [f"--{boundary}", f"Content-Disposition: {disposition}", "", value]
    body = "\r\n".join([*lines, f"--{boundary}--", ""]).encode()
    return body, f"multipart/form-data; boundary={boundary}"


def refused(request: Request) -> BodyError:
    with pytest.raises(BodyError) as caught:
        read_body(request)
    return caught.value


def test_the_api_parses_json_forms_and_xml():
    assert set(PARSERS) == {
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/xml",
        "text/xml",
    }


# Forms


def test_urlencoded_dotted_names():
    body = b"address.city=Paris&tags.0=a&tags.1=b&flag=0&flag=1&name=A+B%21"
    assert read_body(make_request(body, FORM)) == {
        "address": {"city": "Paris"},
        "tags": ["a", "b"],
        "flag": ["0", "1"],
        "name": "A B!",
    }


def test_urlencoded_blank_values_are_kept():
    assert read_body(make_request(b"a=&b", FORM)) == {"a": "", "b": ""}


@pytest.mark.parametrize("body", [b"name=%FF", b"name=\xff", b"%C3=x"])
def test_urlencoded_invalid_utf8_is_400(body):
    assert refused(make_request(body, FORM)).status == 400


def test_urlencoded_conflicting_names_are_400_on_the_field():
    error = refused(make_request(b"a=1&a.b=2", FORM))
    assert (error.status, error.location, error.name) == (400, "body", "a")


def test_multipart_dotted_names_and_file_parts_ignored():
    body, content_type = multipart(
        ("address.city", "Paris", None), ("file", "content", "a.txt"), ("tags.", "", None)
    )
    assert read_body(make_request(body, content_type)) == {"address": {"city": "Paris"}, "tags": []}


def test_multipart_without_boundary_is_400():
    assert refused(make_request(b"--x\r\n", "multipart/form-data")).status == 400


def test_multipart_in_another_charset_is_400():
    body, content_type = multipart(("a", "1", None))
    assert refused(make_request(body, content_type + "; charset=latin-1")).status == 400


def test_multipart_conflicting_names_are_400_on_the_field():
    body, content_type = multipart(("tags.3", "x", None))
    assert refused(make_request(body, content_type)).name == "tags"


# XML


@pytest.mark.parametrize("content_type", ["application/xml", "text/xml"])
def test_xml(content_type):
    body = b"<signup><email>a@example.com</email><tags><item>a</item></tags></signup>"
    assert read_body(make_request(body, content_type)) == {"email": "a@example.com", "tags": ["a"]}


@pytest.mark.parametrize(
    "body", [b"<signup>", b"not xml", b'<!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>', b"<r><item>1</item></r>"]
)
def test_broken_xml_is_400_on_the_body(body):
    error = refused(make_request(body, "application/xml"))
    assert (error.status, error.location, error.name) == (400, "body", None)


# Other types


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/yaml", "application/xml+nope", "image/png"]
)
def test_other_types_are_415_on_the_content_type(content_type):
    error = refused(make_request(b"<a/>", content_type))
    assert (error.status, error.location, error.name) == (415, "header", "Content-Type")


# Size


def test_default_limit_is_one_mebibyte():
    assert DEFAULT_MAX_BODY_SIZE == 1024 * 1024


def test_body_at_the_limit_is_read():
    body = b'{"a": "' + b"x" * 91 + b'"}'
    assert len(body) == 100
    assert read_body(make_request(body, "application/json", max_body_size=100)) == {"a": "x" * 91}


def test_body_over_the_limit_is_413():
    error = refused(make_request(b"a=" + b"x" * 99, FORM, max_body_size=100))
    assert (error.status, error.location, error.name) == (413, "body", None)
    assert str(error) == "The body is larger than 100 bytes."


def test_declared_length_is_checked_before_reading():
    request = make_request(b"", FORM, max_body_size=100)
    request.content_length = 10_000
    request.body_file_raw = io.BytesIO(b"")  # nothing is read: the length alone refuses it
    assert refused(request).status == 413


def chunked(body: bytes, max_body_size: int) -> Request:
    request = make_request(b"", FORM, max_body_size)
    del request.environ["CONTENT_LENGTH"]
    request.environ["wsgi.input"] = io.BytesIO(body)
    request.environ["wsgi.input_terminated"] = True
    return request


def test_chunked_body_under_the_limit_is_read():
    assert read_body(chunked(b"a=1&b.c=2", 100)) == {"a": "1", "b": {"c": "2"}}


def test_chunked_body_over_the_limit_is_413_after_reading_one_byte_past_it():
    stream = io.BytesIO(b"a=" + b"x" * 10_000)
    request = chunked(b"", 100)
    request.environ["wsgi.input"] = stream
    assert refused(request).status == 413
    assert stream.tell() == 101


# The validator


class Schema(Body):
    name = text_node()


def validate(body: bytes) -> Request:
    request = make_request(body, FORM)
    request.errors = Errors()
    request.validated = {}
    body_validator(request, schema=Schema())
    return request


def test_validator_reports_where_the_body_failed():
    request = validate(b"name.first=a&name=b")
    assert request.errors == [
        {
            "location": "body",
            "name": "name",
            "description": "name is sent both as a value and as a group of fields.",
        }
    ]
    assert request.errors.status == 400


def test_validator_takes_the_last_value_of_repeated_form_fields():
    assert validate(b"name=a&name=b").validated == {"name": "b"}
