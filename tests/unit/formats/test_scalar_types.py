"""The scalar types of backrest.schema read form and XML text, and take a repeated field's last value."""

import colander
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backrest.formats.forms import Repeated, decode_form
from backrest.schema import Body, Flag, Integer, Number, Text


def node(typ: colander.SchemaType, **kwargs) -> colander.SchemaNode:
    return colander.SchemaNode(typ, name="field", **kwargs)


def invalid(typ: colander.SchemaType, value) -> str:
    with pytest.raises(colander.Invalid) as caught:
        node(typ).deserialize(value)
    return caught.value.asdict()["field"]


# Flag


@pytest.mark.parametrize("value", [True, "1", "true", "TRUE", "True", "yes", "YES", "on", "On"])
def test_flag_true(value):
    assert node(Flag()).deserialize(value) is True


@pytest.mark.parametrize("value", [False, "0", "false", "FALSE", "no", "No", "off", "OFF"])
def test_flag_false(value):
    assert node(Flag()).deserialize(value) is False


@pytest.mark.parametrize("value", ["2", "y", "n", "checked", 1, 0, None, [], {}, ["true"], " true"])
def test_flag_refuses_other_values(value):
    assert invalid(Flag(), value).startswith("Must be true or false")


def test_flag_takes_the_last_value_of_a_repeated_field():
    assert node(Flag()).deserialize(Repeated(["false", "true"])) is True
    assert node(Flag()).deserialize(Repeated(["true", "off"])) is False


def test_hidden_field_and_checkbox_idiom():
    class Schema(Body):
        flag = colander.SchemaNode(Flag())

    assert Schema().deserialize(decode_form([("flag", "0"), ("flag", "1")])) == {"flag": True}
    assert Schema().deserialize(decode_form([("flag", "0")])) == {"flag": False}


def test_empty_form_input_is_missing():
    assert node(Flag(), missing=colander.drop).deserialize("") is colander.drop
    assert invalid(Flag(), "") == "Required"


def test_flag_serializes_as_a_boolean():
    assert node(Flag()).serialize(True) is True


# Integer


@pytest.mark.parametrize(("value", "expected"), [(42, 42), ("42", 42), ("-7", -7), ("+3", 3), ("0", 0)])
def test_integer(value, expected):
    assert node(Integer()).deserialize(value) == expected


@pytest.mark.parametrize(
    "value", [True, False, 1.5, 2.0, "1.5", "1e3", "1_000", " 1", "\u0663", "nan", "0x10", None, [1], {}]
)
def test_integer_refuses_other_values(value):
    assert invalid(Integer(), value) == "Must be an integer."


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**4000, "9" * 19])
def test_integer_refuses_integers_out_of_range(value):
    assert invalid(Integer(), value).startswith("Must be an integer between")


def test_integer_refuses_thousands_of_digits_as_text():
    assert invalid(Integer(), "9" * 5000) == "Must be an integer."


def test_integer_takes_the_last_value_of_a_repeated_field():
    assert node(Integer()).deserialize(Repeated(["1", "2"])) == 2


def test_integer_refuses_a_json_list():
    assert invalid(Integer(), [1, 2]) == "Must be an integer."


# Number


@pytest.mark.parametrize(
    ("value", "expected"), [(1.5, 1.5), (3, 3.0), ("1.5", 1.5), ("-2", -2.0), ("1e3", 1000.0), (".5", 0.5)]
)
def test_number(value, expected):
    assert node(Number()).deserialize(value) == expected


@pytest.mark.parametrize("value", [True, "nan", "NaN", "inf", "1_0", "", "1.2.3", None, [1.5]])
def test_number_refuses_other_values(value):
    if value == "":
        assert invalid(Number(), value) == "Required"
    else:
        assert invalid(Number(), value) == "Must be a number."


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), 10**4000, "1e999"])
def test_number_refuses_what_is_not_finite(value):
    assert invalid(Number(), value) == "Must be a finite number."


def test_number_refuses_thousands_of_digits_as_text():
    assert invalid(Number(), "9" * 5000) == "Must be a number."


def test_number_takes_the_last_value_of_a_repeated_field():
    assert node(Number()).deserialize(Repeated(["1", "2.5"])) == 2.5


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_integer_reads_its_own_text(value):
    assert node(Integer()).deserialize(str(value)) == value


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_reads_its_own_text(value):
    assert node(Number()).deserialize(repr(value)) == value


# Text


def test_text_takes_the_last_value_of_a_repeated_field():
    assert node(Text()).deserialize(Repeated(["a", "b"])) == "b"


def test_text_still_refuses_a_json_list():
    assert invalid(Text(), ["a", "b"]) == "Must be a string."
