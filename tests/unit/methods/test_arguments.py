"""Typed methods' arguments from forms and JSON (API sections 6 and 15).

The annotations below are strings (``from __future__ import annotations``),
as in most modules that declare methods: Signature.of resolves them.
"""

from __future__ import annotations

import enum
import typing
from dataclasses import MISSING, dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Optional

import pytest

from backrest.formats.forms import decode_form
from backrest.methods.arguments import ArgumentErrors, Context, decode_arguments
from backrest.methods.shapes import Signature

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Colour(enum.Enum):
    RED = "r"
    GREEN = "g"
    BLUE = "b"


class Document:
    """A content model as the codec sees one: a class, loaded by id."""

    def __init__(self, public_id: str) -> None:
        self.id = public_id

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Document) and other.id == self.id

    __hash__ = None


@dataclass(frozen=True)
class Filter:
    name_gt: str
    colours: list[Colour] = field(default_factory=list)
    size: int | None = None


@dataclass
class Options:
    pass


@dataclass
class Defaults:
    page: int = 1
    tags: list[str] = field(default_factory=lambda: ["new"])


@dataclass(frozen=True)
class Link:
    document: Document
    note: str = ""


@dataclass
class Person:
    name: str
    scores: dict[Colour, list[int]]


class Loads:
    """A load_model that records its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[type, str]] = []

    def __call__(self, cls: type, public_id: str, _name: str) -> Any:
        self.calls.append((cls, public_id))
        return cls(public_id)


def signature_of(annotation: Any) -> Signature:
    """The signature of a method taking one argument, ``value``."""

    def method(value):
        return value

    method.__annotations__ = {"value": annotation, "return": None}
    return Signature.of(method, [Document])


def decode(signature: Signature, data: Any, *, from_form: bool, load: Any = None) -> dict[str, Any]:
    context = Context({Document: "documents"}, load or Loads())
    return decode_arguments(signature, data, context, from_form=from_form)


def form(annotation: Any, *fields: tuple[str, str]) -> Any:
    """The value that the form fields give to an argument annotated ``annotation``."""
    return decode(signature_of(annotation), decode_form(fields), from_form=True).get("value", MISSING)


def body(annotation: Any, value: Any) -> Any:
    """The value that JSON's ``value`` gives to an argument annotated ``annotation``."""
    return decode(signature_of(annotation), {"value": value}, from_form=False)["value"]


def errors(signature: Signature, data: Any, *, from_form: bool) -> list[tuple[str, str]]:
    with pytest.raises(ArgumentErrors) as caught:
        decode(signature, data, from_form=from_form)
    return caught.value.errors


def form_errors(annotation: Any, *fields: tuple[str, str]) -> list[tuple[str, str]]:
    return errors(signature_of(annotation), decode_form(fields), from_form=True)


def json_errors(annotation: Any, value: Any) -> list[tuple[str, str]]:
    return errors(signature_of(annotation), {"value": value}, from_form=False)


BOOLEAN = "Must be true or false (also 1/0, yes/no, on/off)."
INTEGER = "Must be an integer."
INTEGER_RANGE = "Must be an integer between -2**63 and 2**63 - 1."
NUMBER = "Must be a number."
FINITE = "Must be a finite number."
DECIMAL = "Must be a decimal number, as a number or as text (such as 23.42)."
SECONDS = "Must be a number of seconds since 1970-01-01T00:00:00Z."
TIME_RANGE = "Must be a time from year 1 to year 9999, in seconds since 1970."
COLOUR = "Must be one of RED, GREEN, BLUE."
BASE64 = "Must be base64 text (RFC 4648, with padding)."
MODEL_ID = "Must be the id of one of /-/documents/."
ONCE = "Sent more than once; send it once."


# Forms: single values


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", True), ("TRUE", True), ("Yes", True), ("on", True), ("0", False), ("False", False), ("NO", False)],
)
def test_form_booleans_in_any_case(text, expected):
    assert form(bool, ("value", text)) is expected


@pytest.mark.parametrize("text", ["", "2", "maybe", "t"])
def test_form_booleans_refused(text):
    assert form_errors(bool, ("value", text)) == [("value", BOOLEAN)]


@pytest.mark.parametrize(
    ("values", "expected"),
    [(["0", "1"], True), (["1", "0"], False), (["off", "ON"], True), (["Yes", "no"], False)],
)
def test_form_checkbox_idiom_the_last_boolean_wins(values, expected):
    assert form(bool, *(("value", value) for value in values)) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        ("-7", -7),
        ("+3", 3),
        ("0", 0),
        ("9223372036854775807", 2**63 - 1),
        ("-9223372036854775808", -(2**63)),
    ],
)
def test_form_integers(text, expected):
    assert form(int, ("value", text)) == expected


@pytest.mark.parametrize("text", ["", "1.5", "abc", " 1", "1_000", "\u0663", "1e3", "12345678901234567890"])
def test_form_integers_refused(text):
    assert form_errors(int, ("value", text)) == [("value", INTEGER)]


@pytest.mark.parametrize("text", ["9223372036854775808", "-9223372036854775809"])
def test_form_integers_out_of_range(text):
    assert form_errors(int, ("value", text)) == [("value", INTEGER_RANGE)]


@pytest.mark.parametrize(
    "annotation", [int, float, Decimal, str, bytes, Colour, datetime, Document, int | None]
)
def test_form_single_values_sent_twice_are_refused(annotation):
    assert form_errors(annotation, ("value", "1"), ("value", "1")) == [("value", ONCE)]


@pytest.mark.parametrize(("text", "expected"), [("1.5", 1.5), ("-2", -2.0), ("1e3", 1000.0), (".5", 0.5)])
def test_form_floats(text, expected):
    value = form(float, ("value", text))
    assert value == expected
    assert type(value) is float


@pytest.mark.parametrize(
    ("text", "error"), [("", NUMBER), ("abc", NUMBER), ("nan", NUMBER), ("1e999", FINITE)]
)
def test_form_floats_refused(text, error):
    assert form_errors(float, ("value", text)) == [("value", error)]


@pytest.mark.parametrize(("text", "expected"), [("23.42", "23.42"), ("-1e3", "-1000"), ("7", "7")])
def test_form_decimals(text, expected):
    assert form(Decimal, ("value", text)) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "NaN", "Infinity", "1,5"])
def test_form_decimals_refused(text):
    assert form_errors(Decimal, ("value", text)) == [("value", DECIMAL)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", EPOCH),
        ("1700000000.5", datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)),
        ("-62135596800", datetime(1, 1, 1, tzinfo=UTC)),
        ("253402300799", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_form_datetimes_are_seconds_since_1970_in_utc(text, expected):
    value = form(datetime, ("value", text))
    assert value == expected
    assert value.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", SECONDS),
        ("2026-01-01", SECONDS),
        ("1e999", FINITE),
        ("1e20", TIME_RANGE),
        ("-62135596801", TIME_RANGE),
    ],
)
def test_form_datetimes_refused(text, error):
    assert form_errors(datetime, ("value", text)) == [("value", error)]


def test_form_enums_by_member_name():
    assert form(Colour, ("value", "GREEN")) is Colour.GREEN


@pytest.mark.parametrize("text", ["", "green", "g", "PURPLE"])
def test_form_enums_refuse_values_and_other_case(text):
    assert form_errors(Colour, ("value", text)) == [("value", COLOUR)]


@pytest.mark.parametrize(("text", "expected"), [("aGVsbG8=", b"hello"), ("", b""), ("AP8=", b"\x00\xff")])
def test_form_bytes_are_base64(text, expected):
    assert form(bytes, ("value", text)) == expected


@pytest.mark.parametrize("text", ["aGVsbG8", "aGVs bG8=", "a!==", "aGVsbG8=\u00e9", "aGVs_G8="])
def test_form_bytes_refuse_invalid_base64(text):
    assert form_errors(bytes, ("value", text)) == [("value", BASE64)]


def test_form_text_keeps_the_empty_string():
    assert form(str, ("value", "")) == ""


def test_form_text_refuses_nul():
    assert form_errors(str, ("value", "a\x00b")) == [("value", "Must not contain NUL characters.")]


def test_a_group_where_a_value_belongs_is_a_wrong_type():
    assert form_errors(int, ("value.x", "1")) == [("value", INTEGER)]
    assert form_errors(str, ("value.", "")) == [("value", "Must be a string.")]


# JSON: single values, strictly typed


@pytest.mark.parametrize("value", [True, False])
def test_json_booleans(value):
    assert body(bool, value) is value


@pytest.mark.parametrize("value", [0, 1, "true", "on", None, []])
def test_json_booleans_are_only_true_and_false(value):
    assert json_errors(bool, value) == [("value", "Must be true or false.")]


def test_json_integers():
    assert body(int, -5) == -5


@pytest.mark.parametrize("value", [True, 1.5, 2.0, "5", None, {}])
def test_json_integers_refuse_other_types(value):
    assert json_errors(int, value) == [("value", INTEGER)]


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**400])
def test_json_integers_out_of_range(value):
    assert json_errors(int, value) == [("value", INTEGER_RANGE)]


@pytest.mark.parametrize(("value", "expected"), [(1, 1.0), (1.5, 1.5), (-0.0, 0.0)])
def test_json_floats_take_integers(value, expected):
    decoded = body(float, value)
    assert decoded == expected
    assert type(decoded) is float


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (True, NUMBER),
        ("1.5", NUMBER),
        (None, NUMBER),
        (float("nan"), FINITE),
        (float("inf"), FINITE),
        (10**400, FINITE),
    ],
)
def test_json_floats_refused(value, error):
    assert json_errors(float, value) == [("value", error)]


@pytest.mark.parametrize(
    ("value", "expected"), [("23.42", "23.42"), (23.42, "23.42"), (5, "5"), ("-1E+3", "-1000"), (0.1, "0.1")]
)
def test_json_decimals_are_numbers_or_numeric_text(value, expected):
    assert body(Decimal, value) == Decimal(expected)


@pytest.mark.parametrize("value", [True, None, "abc", "NaN", float("nan"), float("inf"), [1]])
def test_json_decimals_refused(value):
    assert json_errors(Decimal, value) == [("value", DECIMAL)]


@pytest.mark.parametrize(("value", "expected"), [(0, EPOCH), (1.25, EPOCH + timedelta(seconds=1.25))])
def test_json_datetimes(value, expected):
    assert body(datetime, value) == expected


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (True, SECONDS),
        ("0", SECONDS),
        (None, SECONDS),
        (1e12, TIME_RANGE),
        (-1e12, TIME_RANGE),
        (10**30, TIME_RANGE),
    ],
)
def test_json_datetimes_refused(value, error):
    assert json_errors(datetime, value) == [("value", error)]


def test_json_enums_by_name():
    assert body(Colour, "BLUE") is Colour.BLUE
    assert json_errors(Colour, "b") == [("value", COLOUR)]
    assert json_errors(Colour, 1) == [("value", COLOUR)]


def test_json_bytes():
    assert body(bytes, "aGk=") == b"hi"
    assert json_errors(bytes, "aGk") == [("value", BASE64)]
    assert json_errors(bytes, [104, 105]) == [("value", BASE64)]


def test_json_text():
    assert body(str, "") == ""
    assert json_errors(str, 1) == [("value", "Must be a string.")]
    assert json_errors(str, "\ud800") == [("value", "Must be valid Unicode text.")]


def test_json_null_is_refused_where_not_optional():
    assert json_errors(list[int], None) == [("value", "Must be a list.")]


# Optional


@pytest.mark.parametrize(
    "annotation",
    [Optional[int], int | None, Colour | None, list[int] | None, Filter | None, bool | None],  # noqa: UP045 - both spellings
)
def test_form_empty_text_is_none_for_optional_values(annotation):
    assert form(annotation, ("value", "")) is None


def test_form_empty_text_stays_text_for_optional_strings():
    assert form(str | None, ("value", "")) == ""


def test_form_optional_values_when_given():
    assert form(int | None, ("value", "3")) == 3


def test_json_null_for_optional_values():
    assert body(int | None, None) is None
    assert body(str | None, None) is None
    assert json_errors(int | None, "") == [("value", INTEGER)]


# Lists


def test_form_lists_from_repeated_names():
    assert form(list[str], ("value", "a"), ("value", "b")) == ["a", "b"]


def test_form_lists_from_indexes():
    assert form(list[int], ("value.1", "2"), ("value.0", "1")) == [1, 2]


def test_form_one_value_is_a_one_item_list():
    assert form(list[Colour], ("value", "RED")) == [Colour.RED]


def test_form_marker_alone_is_an_empty_list():
    assert form(list[int], ("value.", "")) == []


def test_form_lists_of_booleans_keep_every_value():
    assert form(list[bool], ("value", "1"), ("value", "off")) == [True, False]


def test_list_errors_name_the_index():
    assert form_errors(list[Colour], ("value", "alice"), ("value", "RED")) == [("value.0", COLOUR)]
    assert form_errors(list[int], ("value", "1"), ("value", "2"), ("value", "x")) == [("value.2", INTEGER)]
    assert json_errors(list[int], [1, 2, "3"]) == [("value.2", INTEGER)]


def test_json_lists_are_arrays_only():
    assert body(list[int], [1, 2]) == [1, 2]
    assert json_errors(list[int], "1") == [("value", "Must be a list.")]
    assert json_errors(list[int], {"0": 1}) == [("value", "Must be a list.")]


def test_form_lists_of_dataclasses():
    fields = [("value.0.name_gt", "a"), ("value.1.name_gt", "b"), ("value.1.size", "3")]
    assert form(list[Filter], *fields) == [Filter("a"), Filter("b", size=3)]


# Dicts


def test_json_dict_keys_are_converted_by_their_type():
    assert body(dict[int, str], {"1": "a", "-2": "b"}) == {1: "a", -2: "b"}
    assert body(dict[Colour, int], {"RED": 1}) == {Colour.RED: 1}
    assert body(dict[bool, int], {"true": 1, "off": 0}) == {True: 1, False: 0}


def test_dict_key_errors_name_the_key():
    assert json_errors(dict[int, str], {"x": "a", "2": 3}) == [
        ("value.x", "Not a valid key. Must be an integer."),
        ("value.2", "Must be a string."),
    ]
    assert json_errors(dict[Colour, int], {"red": 1}) == [("value.red", f"Not a valid key. {COLOUR}")]


def test_dict_keys_that_read_the_same_are_refused():
    assert json_errors(dict[int, str], {"1": "a", "01": "b"}) == [
        ("value.01", "The same key as another field: send it once.")
    ]


def test_form_dicts():
    assert form(dict[str, int], ("value.a", "1"), ("value.b", "2")) == {"a": 1, "b": 2}


def test_form_marker_alone_is_an_empty_dict():
    assert form(dict[str, int], ("value.", "")) == {}


def test_form_dict_with_integer_keys_from_indexes():
    # A form reads names that are all digits as list indexes; the annotation reads them back as keys.
    assert form(dict[int, str], ("value.0", "a"), ("value.1", "b")) == {0: "a", 1: "b"}
    assert form(dict[int, str], ("value.-1", "a")) == {-1: "a"}


def test_dicts_are_objects_only():
    assert json_errors(dict[str, int], [1]) == [("value", "Must be an object.")]
    assert form_errors(dict[str, int], ("value", "a"), ("value", "b")) == [("value", "Must be an object.")]


# Dataclasses


def test_dataclasses_from_nested_fields():
    fields = [("value.name_gt", "m"), ("value.colours", "RED"), ("value.colours", "BLUE")]
    assert form(Filter, *fields) == Filter("m", [Colour.RED, Colour.BLUE])
    assert body(Filter, {"name_gt": "m", "size": 2}) == Filter("m", size=2)


def test_dataclass_defaults_and_default_factories():
    assert body(Defaults, {}) == Defaults(1, ["new"])
    assert body(Defaults, {"tags": []}) == Defaults(1, [])


def test_form_marker_alone_is_a_dataclass_without_fields():
    assert form(Options, ("value.", "")) == Options()
    assert form(Defaults, ("value.", "")) == Defaults()


def test_form_marker_alone_still_misses_required_fields():
    assert form_errors(Filter, ("value.", "")) == [("value.name_gt", "Required: send a value.")]


def test_dataclass_errors_are_nested():
    assert json_errors(Filter, {"colours": ["PINK"], "colour": 1}) == [
        ("value.name_gt", "Required: send a value."),
        ("value.colours.0", COLOUR),
        ("value.colour", "Not a field of Filter (expected: name_gt, colours, size)."),
    ]
    assert json_errors(Options, {"x": 1}) == [("value.x", "Not a field of Options (expected: none).")]


def test_dataclasses_are_objects_only():
    assert json_errors(Filter, ["a"]) == [("value", "Must be an object.")]
    assert form_errors(Filter, ("value", "a")) == [("value", "Must be an object.")]


def test_three_deep_nesting():
    data = [{"name": "a", "scores": {"RED": [1, 2], "BLUE": []}}, {"name": "b", "scores": {}}]
    expected = [Person("a", {Colour.RED: [1, 2], Colour.BLUE: []}), Person("b", {})]
    assert body(list[Person], data) == expected
    fields = [
        ("value.0.name", "a"),
        ("value.0.scores.RED", "1"),
        ("value.0.scores.RED", "2"),
        ("value.0.scores.BLUE.", ""),
        ("value.1.name", "b"),
        ("value.1.scores.", ""),
    ]
    assert form(list[Person], *fields) == expected
    assert json_errors(list[Person], [{"name": "a", "scores": {"RED": [1, "x"]}}]) == [
        ("value.0.scores.RED.1", INTEGER)
    ]


# The whole body


def search(query: str, page: int, tags: list[str] | None = None, flag: bool = False) -> list[str]:
    return []


SEARCH = Signature.of(search, [])


def test_parameters_with_defaults_may_be_left_out():
    assert decode(SEARCH, {"query": "q", "page": 1}, from_form=False) == {"query": "q", "page": 1}


def test_missing_and_unexpected_arguments():
    assert errors(SEARCH, decode_form([("extra", "1")]), from_form=True) == [
        ("query", "Required: send a value."),
        ("page", "Required: send a value."),
        ("extra", "Not an argument of this method (expected: query, page, tags, flag)."),
    ]


def test_every_problem_is_reported_at_once():
    fields = [("query", "a"), ("query", "b"), ("page", "x"), ("flag", "perhaps")]
    assert errors(SEARCH, decode_form(fields), from_form=True) == [
        ("query", ONCE),
        ("page", INTEGER),
        ("flag", BOOLEAN),
    ]


def test_argument_errors_read_as_text():
    error = ArgumentErrors([("page", INTEGER), ("flag", BOOLEAN)])
    assert str(error) == f"page: {INTEGER}; flag: {BOOLEAN}"


# Models


def share(first: Document, links: list[Link], last: Document | None = None, count: int = 0) -> None:
    pass


SHARE = Signature.of(share, [Document])


def test_models_are_loaded_by_id_in_argument_order():
    loads = Loads()
    data = {"last": "z", "links": [{"document": "l0"}, {"document": "l1", "note": "n"}], "first": "a"}
    arguments = decode(SHARE, data, from_form=False, load=loads)
    assert [public_id for _, public_id in loads.calls] == ["a", "l0", "l1", "z"]
    assert arguments["links"] == [Link(Document("l0")), Link(Document("l1"), "n")]
    assert arguments["first"] == Document("a")


def test_models_from_forms():
    loads = Loads()
    fields = [("first", "a"), ("links.0.document", "b"), ("last", "")]
    assert decode(SHARE, decode_form(fields), from_form=True, load=loads) == {
        "first": Document("a"),
        "links": [Link(Document("b"))],
        "last": None,
    }
    assert loads.calls == [(Document, "a"), (Document, "b")]


def test_models_are_not_loaded_when_an_argument_is_wrong():
    loads = Loads()
    data = {"first": "a", "links": [], "count": "x"}
    with pytest.raises(ArgumentErrors) as caught:
        decode(SHARE, data, from_form=False, load=loads)
    assert caught.value.errors == [("count", INTEGER)]
    assert loads.calls == []


@pytest.mark.parametrize("value", ["", 5, None])
def test_model_ids_are_non_empty_strings(value):
    assert json_errors(Document, value) == [("value", MODEL_ID)]


def test_what_load_model_raises_passes_through():
    class NotFoundError(Exception):
        pass

    def load(cls, public_id, name):
        msg = f"{name}: {public_id}"
        raise NotFoundError(msg)

    with pytest.raises(NotFoundError, match="first: gone"):
        decode(SHARE, {"first": "gone", "links": []}, from_form=False, load=load)


# Signatures


def test_signature_parameters_and_result():
    assert [(p.name, p.annotation, p.default, p.required) for p in SEARCH.parameters] == [
        ("query", str, MISSING, True),
        ("page", int, MISSING, True),
        ("tags", list[str] | None, None, False),
        ("flag", bool, False, False),
    ]
    assert SEARCH.returns == list[str]
    assert SHARE.returns is type(None)


class Request:
    pass


def with_request(request: Request, page: int = 1) -> None:
    pass


def test_parameters_the_caller_supplies_are_not_arguments():
    assert [parameter.name for parameter in Signature.of(with_request, []).parameters] == ["page"]
    assert [parameter.name for parameter in Signature.of(search, [], supplied={"page"}).parameters] == [
        "query",
        "tags",
        "flag",
    ]
    assert errors(Signature.of(with_request, []), {"request": 1}, from_form=False) == [
        ("request", "Not an argument of this method (expected: page).")
    ]
    with pytest.raises(TypeError, match="parameter 'request': unsupported annotation"):
        Signature.of(with_request, [], supplied=())


def unsupported(annotation: Any) -> Any:
    def method(value):
        pass

    method.__annotations__ = {"value": annotation, "return": None}
    return method


@dataclass
class Bad:
    ok: int
    wrong: set[int]


@dataclass
class Tree:
    children: list[Tree]


@dataclass
class Computed:
    a: int
    b: int = field(init=False, default=0)


@pytest.mark.parametrize(
    ("annotation", "message"),
    [
        (object, "unsupported annotation"),
        (Any, "unsupported annotation"),
        (type(None), "unsupported annotation"),
        (tuple[int, int], "unsupported annotation"),
        (int | str, "unsupported annotation"),
        (typing.Union[int, str, None], "unsupported annotation"),  # noqa: UP007 - the old spelling
        (list, "unsupported annotation"),
        (typing.List, "unsupported annotation"),  # noqa: UP006 - the bare generic, without its item type
        (list[object], "unsupported annotation"),
        (dict[float, int], "the keys of dict"),
        (dict[Colour | None, int], "the keys of dict"),
        (dict[Document, int], "the keys of dict"),
        (Bad, "field Bad.wrong: unsupported annotation set"),
        (list[Tree], "field Tree.children: Tree contains itself"),
        (Computed, "field Computed.b is not an argument of Computed"),
    ],
)
def test_unsupported_annotations_are_refused_naming_the_parameter(annotation, message):
    with pytest.raises(TypeError, match=f"parameter 'value': {message}"):
        Signature.of(unsupported(annotation), [Document])


def test_models_must_be_registered():
    with pytest.raises(TypeError, match=r"parameter 'value': field Link\.document: unsupported annotation"):
        Signature.of(unsupported(Link), [])


def test_unsupported_parameters_and_results():
    def positional(a: int, /) -> None: ...
    def rest(*args: int) -> None: ...
    def keywords(**kwargs: int) -> None: ...
    def bare(a) -> None: ...
    def result(a: int) -> object: ...
    def no_result(a: int): ...

    for function, message in [
        (positional, "parameter 'a': arguments are passed by name"),
        (rest, "parameter 'args': arguments are passed by name"),
        (keywords, "parameter 'kwargs': arguments are passed by name"),
        (bare, "parameter 'a': no annotation"),
        (result, "the return annotation: unsupported annotation"),
        (no_result, "no return annotation"),
    ]:
        with pytest.raises(TypeError, match=message):
            Signature.of(function, [])
