import contextlib
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyramid.request import Request

from backrest.errors import Errors
from backrest.schema import Body, text_node
from backrest.validation import MAX_DEPTH, BodyError, body_validator, parse_json, read_body


def nested_lists(depth: int, leaf: str = "") -> bytes:
    return ("[" * depth + leaf + "]" * depth).encode()


# parse_json


def test_object_is_parsed():
    assert parse_json(b'{"a": [1, 2.5, "x", true, null]}') == {"a": [1, 2.5, "x", True, None]}


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity", b'{"a": NaN}', b"[1, Infinity]"])
def test_nan_and_infinity_are_refused(constant):
    with pytest.raises(BodyError, match="is not a valid JSON value"):
        parse_json(constant)


@pytest.mark.parametrize("overflow", [b"1e999", b'{"a": -1e400}'])
def test_float_overflowing_to_infinity_is_refused(overflow):
    with pytest.raises(BodyError):
        parse_json(overflow)


def test_huge_integer_is_a_body_error_not_a_crash():
    with pytest.raises(BodyError):
        parse_json(b'{"n": ' + b"9" * 5000 + b"}")


def test_integer_of_thousands_of_digits_is_never_anything_but_a_body_error():
    """Python refuses to convert over 4300 digits; under that, the number is parsed, never a crash."""
    for digits in (1000, 4300, 4301, 10_000, 100_000):
        try:
            value = parse_json(b"9" * digits)
        except BodyError:
            continue
        assert isinstance(value, int)


@pytest.mark.parametrize(
    "raw",
    [b"\xff", b'{"a": "\xc3"}', b'{"a": "\xed\xa0\x80"}', b"\xfe\xff\x00{\x00}", b'{"a": "\x80"}'],
)
def test_invalid_utf8_is_refused(raw):
    with pytest.raises(BodyError, match="not valid UTF-8"):
        parse_json(raw)


def test_surrogate_pair_escape_is_a_character():
    assert parse_json(b'{"a": "\\ud83d\\ude00"}') == {"a": "\U0001f600"}


@pytest.mark.parametrize("raw", [b"{", b'{"a": 1,}', b"{'a': 1}", b"", b"\x00", b"\xef\xbb\xbf{}", b"{} {}"])
def test_broken_json_is_refused(raw):
    with pytest.raises(BodyError):
        parse_json(raw)


def test_nesting_up_to_the_limit_is_accepted():
    assert parse_json(nested_lists(MAX_DEPTH - 1, "1")) is not None


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100, 10_000, 1_000_000])
def test_nesting_beyond_the_limit_is_refused(depth):
    with pytest.raises(BodyError, match=f"nested deeper than {MAX_DEPTH} levels"):
        parse_json(nested_lists(depth))


def test_deep_objects_are_refused_too():
    raw = b'{"a": ' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1)
    with pytest.raises(BodyError, match="nested deeper"):
        parse_json(raw)


def test_wide_documents_are_not_deep():
    assert len(parse_json(json.dumps([[i] for i in range(10_000)]).encode())) == 10_000


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_a_value_or_a_body_error(raw):
    with contextlib.suppress(BodyError):
        parse_json(raw)


JSON_TEXT = st.text(alphabet='{}[]:,"\\ 0123456789.eE+-aeflnrstuINfinityN\x00\u00e9', max_size=200)


@settings(max_examples=300)
@given(JSON_TEXT)
def test_json_like_text_gives_a_value_or_a_body_error(text):
    with contextlib.suppress(BodyError):
        parse_json(text.encode("utf-8"))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=5))
def test_documents_round_trip(document):
    assert parse_json(json.dumps(document).encode()) == document


@given(JSON_VALUES)
def test_parsed_values_can_be_sent_back(value):
    """Whatever is accepted can be stored and rendered: finite numbers, encodable strings."""
    parsed = parse_json(json.dumps(value).encode())
    json.dumps(parsed, allow_nan=False).encode("utf-8")
    if isinstance(parsed, float):
        assert math.isfinite(parsed)


# read_body


def make_request(body: bytes, content_type: str = "application/json") -> Request:
    request = Request.blank("/-/signup", method="POST", body=body)
    request.content_type = content_type
    return request


def test_empty_body_is_an_empty_object():
    assert read_body(make_request(b"")) == {}


def test_json_object_body():
    assert read_body(make_request(b'{"email": "a@example.com"}')) == {"email": "a@example.com"}


@pytest.mark.parametrize("content_type", ["", "application/json", "application/merge-patch+json"])
def test_json_content_types(content_type):
    assert read_body(make_request(b'{"a": 1}', content_type)) == {"a": 1}


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"42", b"null", b"true"])
def test_top_level_non_object_is_refused(raw):
    with pytest.raises(BodyError, match="must be a JSON object") as caught:
        read_body(make_request(raw))
    assert caught.value.status == 400


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml+nope", "image/png"])
def test_other_content_types_are_unsupported(content_type):
    with pytest.raises(BodyError) as caught:
        read_body(make_request(b'{"a": 1}', content_type))
    assert caught.value.status == 415


def test_form_fields_last_value_wins():
    request = make_request(b"email=a%40example.com&flag=0&flag=1", "application/x-www-form-urlencoded")
    assert read_body(request) == {"email": "a@example.com", "flag": ["0", "1"]}


# body_validator


class Schema(Body):
    name = text_node(max_length=5)
    other = text_node(missing="")


def validate(body: bytes, content_type: str = "application/json", schema=None) -> Request:
    request = make_request(body, content_type)
    request.errors = Errors()
    request.validated = {}
    body_validator(request, schema=schema)
    return request


def test_validator_fills_validated_and_drops_unknown_keys():
    request = validate(b'{"name": "ada", "__meta__": {"id": 1}, "extra": 2}', schema=Schema())
    assert request.errors == []
    assert request.validated == {"name": "ada", "other": ""}


def test_validator_reports_every_bad_field():
    request = validate(b'{"name": "too long", "other": 3}', schema=Schema())
    assert {error["name"] for error in request.errors} == {"name", "other"}
    assert all(error["location"] == "body" for error in request.errors)


def test_validator_reports_broken_json_on_the_body():
    request = validate(b"{nope", schema=Schema())
    assert request.errors.status == 400
    assert [(e["location"], e["name"]) for e in request.errors] == [("body", None)]


def test_validator_reports_unsupported_type_on_the_header():
    request = validate(b"{}", "text/csv", schema=Schema())
    assert request.errors.status == 415
    assert [(e["location"], e["name"]) for e in request.errors] == [("header", "Content-Type")]


def test_validator_without_schema_passes_the_body():
    request = validate(b'{"anything": [1]}')
    assert request.validated == {"anything": [1]}


def test_validator_reports_a_missing_required_field():
    request = validate(b"{}", schema=Schema())
    assert [(error["name"], error["description"]) for error in request.errors] == [("name", "Required")]
