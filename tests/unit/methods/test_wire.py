import enum
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from backrest.methods.wire import to_form_fields, to_wire


class Colour(enum.Enum):
    RED = 1
    BLUE = 2


class Size(enum.IntEnum):
    SMALL = 1


class Mode(enum.StrEnum):
    FAST = "fast"


class Document:
    def __init__(self, public_id):
        self.id = public_id


@dataclass
class Address:
    city: str
    tags: list[str] = field(default_factory=list)


@dataclass
class Account:
    id: str  # a dataclass is sent by its fields, whatever they are named
    address: Address


@pytest.mark.parametrize("value", [None, True, False, 0, -(2**63), 1.5, -0.0, "", "text"])
def test_json_values_are_sent_as_they_are(value):
    sent = to_wire(value)
    assert sent == value
    assert type(sent) is type(value)


@pytest.mark.parametrize(
    ("value", "expected"), [(Colour.BLUE, "BLUE"), (Size.SMALL, "SMALL"), (Mode.FAST, "FAST")]
)
def test_enums_are_sent_by_name(value, expected):
    assert to_wire(value) == expected


@pytest.mark.parametrize(("value", "expected"), [(Decimal("23.42"), "23.42"), (Decimal("1E+3"), "1E+3")])
def test_decimals_are_text(value, expected):
    assert to_wire(value) == expected


def test_bytes_are_base64():
    assert to_wire(b"hello") == "aGVsbG8="
    assert to_wire(b"") == ""


def test_datetimes_are_seconds_since_1970():
    assert to_wire(datetime(1970, 1, 1, tzinfo=UTC)) == 0.0
    assert to_wire(datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)) == 1700000000.5
    paris = timezone(timedelta(hours=1))
    assert to_wire(datetime(1970, 1, 1, 1, tzinfo=paris)) == 0.0


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="must be aware"):
        to_wire(datetime(2026, 1, 1))  # noqa: DTZ001 - the point


@pytest.mark.parametrize(
    "value", [math.nan, math.inf, -math.inf, Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity")]
)
def test_numbers_that_are_not_finite_are_refused(value):
    with pytest.raises(ValueError, match="must be finite"):
        to_wire(value)


@pytest.mark.parametrize("value", [date(2026, 1, 1), {1, 2}, object(), 1j, type("Model", (), {"id": 5})()])
def test_other_values_are_refused(value):
    with pytest.raises(TypeError, match="cannot be sent"):
        to_wire(value)


def test_content_models_are_sent_by_id():
    assert to_wire(Document("abc")) == "abc"
    assert to_wire([Document("a"), {"x": Document("b")}]) == ["a", {"x": "b"}]


def test_dataclasses_are_objects_of_their_fields():
    account = Account("acc", Address("Paris", ["a"]))
    assert to_wire(account) == {"id": "acc", "address": {"city": "Paris", "tags": ["a"]}}


def test_lists_and_tuples_are_lists():
    assert to_wire((1, [Colour.RED, b"a"])) == [1, ["RED", "YQ=="]]


def test_dict_keys_are_text_as_a_form_sends_it():
    assert to_wire({1: "a", -2: "b"}) == {"1": "a", "-2": "b"}
    assert to_wire({True: 1, Colour.RED: 2, "x": 3}) == {"true": 1, "RED": 2, "x": 3}


def test_dict_keys_must_be_single_values():
    with pytest.raises(TypeError, match="keys must be single values"):
        to_wire({(1, 2): "a"})


def test_form_fields():
    arguments = {
        "query": "q",
        "page": 2,
        "ratio": 0.1,
        "flag": False,
        "since": datetime(1970, 1, 1, 0, 0, 1, 250000, tzinfo=UTC),
        "tags": ["a", "b"],
        "none": [],
        "empty": {},
        "nothing": None,
        "address": Address("Paris"),
        "scores": {Colour.RED: [1]},
    }
    assert to_form_fields(arguments) == [
        ("query", "q"),
        ("page", "2"),
        ("ratio", "0.1"),
        ("flag", "false"),
        ("since", "1.25"),
        ("tags.0", "a"),
        ("tags.1", "b"),
        ("none.", ""),
        ("empty.", ""),
        ("nothing", ""),
        ("address.city", "Paris"),
        ("address.tags.", ""),
        ("scores.RED.0", "1"),
    ]


def test_no_arguments_are_no_fields():
    assert to_form_fields({}) == []
