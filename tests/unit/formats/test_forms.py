import contextlib
from datetime import date

import colander
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backrest.formats import MAX_DEPTH
from backrest.formats.forms import (
    EmptyGroup,
    FormError,
    Repeated,
    decode_form,
    encode_form,
    form_leaves,
    form_text,
)
from backrest.schema import Body, Flag, Integer, Number, text_node


def decode(query: str):
    return decode_form(pair.split("=", 1) for pair in query.split("&"))


# Reading


def test_flat_fields():
    assert decode("email=a&name=b") == {"email": "a", "name": "b"}


def test_no_fields_is_an_empty_object():
    assert decode_form([]) == {}


def test_dotted_names_are_nested_objects():
    assert decode("address.city=X&address.zip=1") == {"address": {"city": "X", "zip": "1"}}


def test_indexes_are_lists_in_index_order():
    assert decode("tags.1=b&tags.0=a") == {"tags": ["a", "b"]}


def test_lists_of_objects():
    assert decode("people.0.name=a&people.1.name=b") == {"people": [{"name": "a"}, {"name": "b"}]}


def test_repeated_names_are_lists():
    decoded = decode("tags=a&tags=b")
    assert decoded == {"tags": ["a", "b"]}
    assert isinstance(decoded["tags"], Repeated)


def test_one_value_is_a_string():
    assert decode("tags=a") == {"tags": "a"}


def test_indexed_lists_are_not_repeated_values():
    assert type(decode("tags.0=a&tags.1=b")["tags"]) is list


def test_hidden_field_and_checkbox_give_both_values_in_order():
    assert decode("flag=0&flag=1") == {"flag": ["0", "1"]}


def test_marker_alone_is_an_empty_list():
    assert decode("tags.=") == {"tags": []}


def test_marker_alone_is_an_empty_group_that_a_schema_may_read_as_an_object():
    decoded = decode("tags.=&attributes.=")
    assert isinstance(decoded["tags"], EmptyGroup)
    assert Shapes().deserialize(decoded) == {"tags": [], "attributes": {}, "note": None}


def test_marker_value_is_ignored():
    assert decode("tags.=whatever") == {"tags": []}


def test_marker_makes_one_plain_value_a_list():
    assert decode("tags.=&tags=a") == {"tags": ["a"]}
    assert type(decode("tags.=&tags=a&tags=b")["tags"]) is list


def test_marker_beside_indexes_or_names_adds_nothing():
    assert decode("tags.=&tags.0=a") == {"tags": ["a"]}
    assert decode("address.=&address.city=X") == {"address": {"city": "X"}}


def test_nested_marker():
    assert decode("a.b.=") == {"a": {"b": []}}


def test_empty_values_are_kept():
    assert decode("name=&other=x") == {"name": "", "other": "x"}


def test_non_ascii_digits_are_names_not_indexes():
    assert decode_form([("tags.\u0663", "a")]) == {"tags": {"\u0663": "a"}}


# Errors name the field


def error(query: str) -> FormError:
    with pytest.raises(FormError) as caught:
        decode(query)
    return caught.value


def test_value_and_group_conflict():
    caught = error("a=1&a.b=2")
    assert caught.name == "a"
    assert "both as a value and as a group" in str(caught)


def test_group_then_value_conflict():
    assert error("a.b=2&a=1").name == "a"


def test_index_gap():
    caught = error("tags.5=a")
    assert caught.name == "tags"
    assert "without gaps" in str(caught)


def test_huge_index_is_a_gap_not_a_huge_list():
    assert error("tags.999999999=a").name == "tags"
    assert error("tags." + "9" * 5000 + "=a").name == "tags"


def test_leading_zeros_are_refused():
    assert error("tags.00=a").name == "tags"


def test_mixing_indexes_and_names():
    caught = error("a.0=x&a.b=y")
    assert caught.name == "a"
    assert "mixes" in str(caught)


def test_nested_conflicts_name_the_nested_field():
    assert error("a.0.b=1&a.0.b.c=2").name == "a.0.b"


def test_top_level_list_is_refused():
    assert "must describe an object" in str(error("0=a"))


@pytest.mark.parametrize("name", ["", ".", ".a", "a..b"])
def test_empty_names_and_parts(name):
    with pytest.raises(FormError):
        decode_form([(name, "x")])


def test_depth_limit():
    assert decode_form([(".".join(["a"] * MAX_DEPTH), "x")])
    with pytest.raises(FormError, match="nested deeper"):
        decode_form([(".".join(["a"] * (MAX_DEPTH + 1)), "x")])


def test_many_fields_are_fine():
    pairs = [(f"tags.{index}", str(index)) for index in range(50_000)]
    assert len(decode_form(reversed(pairs))["tags"]) == 50_000


# Writing


NESTED = {
    "address": {"city": "X"},
    "tags": ["a", "b"],
    "empty": [],
    "flag": True,
    "none": None,
    "obj": {},
    "count": 2,
    "ratio": 1e-7,
}


def test_encode_nested():
    assert encode_form(NESTED) == [
        ("address.city", "X"),
        ("tags.0", "a"),
        ("tags.1", "b"),
        ("empty.", ""),
        ("flag", "true"),
        ("none", ""),
        ("obj.", ""),
        ("count", "2"),
        ("ratio", "1e-07"),
    ]


def test_leaves_keep_their_types():
    leaves = dict(form_leaves(NESTED))
    assert (leaves["flag"], leaves["none"], leaves["count"], leaves["obj."]) == (True, None, 2, "")


def test_empty_form_has_no_fields():
    assert encode_form({}) == []


@pytest.mark.parametrize(
    ("value", "text"), [(None, ""), (False, "false"), (0, "0"), (-1.5, "-1.5"), (1e300, "1e+300"), ("é", "é")]
)
def test_form_text(value, text):
    assert form_text(value) == text


# Properties

KEYS = st.text(min_size=1, max_size=8).filter(
    lambda key: "." not in key and not (key.isascii() and key.isdigit())
)
TEXT = st.text(max_size=10)
# An empty object is written as the marker and reads back as an empty group,
# which only a schema tells from an empty list: see the schema's round trip.
VALUES = st.recursive(
    TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, min_size=1, max_size=4),
    max_leaves=20,
)
OBJECTS = st.dictionaries(KEYS, VALUES, max_size=5)


# Generating nested values costs more than checking them: modest counts.
@settings(max_examples=50)
@given(OBJECTS)
def test_round_trip(value):
    assert decode_form(encode_form(value)) == value


@settings(max_examples=50)
@given(OBJECTS, st.randoms())
def test_round_trip_in_any_field_order(value, random):
    fields = encode_form(value)
    random.shuffle(fields)
    assert decode_form(fields) == value


class Inner(Body):
    name = text_node(missing=colander.drop)
    size = colander.SchemaNode(Integer(), missing=colander.drop)


class Shapes(Body):
    """A field of each kind a representation may hold."""

    text = text_node(missing=colander.drop)
    body = text_node(allow_empty=True, missing=colander.drop)
    note = text_node(missing=None)
    count = colander.SchemaNode(Integer(), missing=colander.drop)
    ratio = colander.SchemaNode(Number(), missing=colander.drop)
    flag = colander.SchemaNode(Flag(), missing=colander.drop)
    price = colander.SchemaNode(colander.Decimal(), missing=colander.drop)
    day = colander.SchemaNode(colander.Date(), missing=colander.drop)
    tags = colander.SchemaNode(colander.Sequence(), text_node(name="tag"), missing=colander.drop)
    grid = colander.SchemaNode(
        colander.Sequence(),
        colander.SchemaNode(colander.Sequence(), colander.SchemaNode(Integer(), name="cell"), name="row"),
        missing=colander.drop,
    )
    attributes = Inner(missing=colander.drop)
    people = colander.SchemaNode(colander.Sequence(), Inner(name="person"), missing=colander.drop)


# What the schema's text types take: no NUL, no lone surrogates; and a text
# that is given (an empty one is a value not given, unless the field allows it).
SCHEMA_TEXT = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=8
)
INTEGERS = st.integers(-(2**63), 2**63 - 1)
INNER = st.fixed_dictionaries({}, optional={"name": SCHEMA_TEXT, "size": INTEGERS})
# Shapes as the JSON representation shows them: decimals and dates as strings.
SHAPES = st.fixed_dictionaries(
    {"note": st.none() | SCHEMA_TEXT},
    optional={
        "text": SCHEMA_TEXT,
        "body": st.just("") | SCHEMA_TEXT,
        "count": INTEGERS,
        "ratio": st.floats(allow_nan=False, allow_infinity=False),
        "flag": st.booleans(),
        "price": st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
        "day": st.dates(min_value=date(1900, 1, 1)).map(date.isoformat),
        "tags": st.lists(SCHEMA_TEXT, max_size=3),
        "grid": st.lists(st.lists(INTEGERS, max_size=3), max_size=3),
        "attributes": INNER,
        "people": st.lists(INNER, max_size=3),
    },
)


@settings(max_examples=50)
@given(SHAPES)
def test_round_trip_through_the_schema(value):
    assert Shapes().deserialize(decode_form(encode_form(value))) == Shapes().deserialize(value)


@given(st.lists(st.tuples(st.text(alphabet="ab0.1 ", max_size=8), TEXT), max_size=12))
def test_any_fields_decode_or_raise_form_error(pairs):
    decoded = None
    with contextlib.suppress(FormError):
        decoded = decode_form(pairs)
    assert decoded is None or isinstance(decoded, dict)


@given(st.lists(st.tuples(st.text(max_size=20), st.text(max_size=5)), max_size=12))
def test_any_unicode_names_decode_or_raise_form_error(pairs):
    with contextlib.suppress(FormError):
        decode_form(pairs)
