"""What the client sends reads back as what it meant, in JSON and in forms.

Annotations are generated, three deep (lists, dicts, optionals and dataclasses
made on the fly around the single-value types), then values of them. Two
known limits of forms stay out of the form test (see backrest.methods.wire):
``None`` for an ``Optional[str]``, and dict keys that a form field's name
cannot carry.

Datetimes travel as float seconds, exact to the microsecond between 1698 and
2241: the values are drawn from there (and a test below checks the precision
beyond).
"""

import enum
import itertools
import json
import string
import typing
from dataclasses import field, make_dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backrest.formats.forms import decode_form
from backrest.methods.arguments import Context, decode_arguments
from backrest.methods.shapes import Signature
from backrest.methods.wire import to_form_fields, to_wire
from backrest.schema import INTEGER_RANGE


class Colour(enum.Enum):
    RED = 1
    GREEN = 2
    BLUE = 3


class Document:
    def __init__(self, public_id):
        self.id = public_id

    def __eq__(self, other):
        return isinstance(other, Document) and other.id == self.id

    __hash__ = None

    def __repr__(self):
        return f"Document({self.id!r})"


CONTEXT = Context({Document: "documents"}, lambda cls, public_id, _name: cls(public_id))
SINGLE = [bool, int, float, Decimal, str, bytes, Colour, datetime, Document]
KEYS = [str, int, bool, Colour]
NAMES = itertools.count()


def record(annotations: list[typing.Any]) -> type:
    """A dataclass with a field per annotation; optional fields come last and default to None."""
    fields = [(f"f{index}", annotation) for index, annotation in enumerate(annotations)]
    required = [(name, annotation) for name, annotation in fields if not is_optional(annotation)]
    optional = [
        (name, annotation, field(default=None)) for name, annotation in fields if is_optional(annotation)
    ]
    return make_dataclass(f"Record{next(NAMES)}", required + optional)


def is_optional(annotation: typing.Any) -> bool:
    return typing.get_origin(annotation) is typing.Union


def annotations(depth: int = 3) -> st.SearchStrategy:
    single = st.sampled_from(SINGLE)
    if depth == 0:
        return single
    inner = annotations(depth - 1)
    return st.one_of(
        single,
        inner.map(lambda item: list[item]),
        st.tuples(st.sampled_from(KEYS), inner).map(lambda pair: dict[pair[0], pair[1]]),
        inner.map(lambda item: typing.Optional[item]),  # noqa: UP045 - the spelling that works on any annotation
        st.lists(inner, max_size=3).map(record),
    )


TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=8)
# Names a form field can carry as a key: no dots, not empty, not all digits.
FORM_NAMES = st.text(string.ascii_letters + string.digits + "_-", min_size=1, max_size=6).filter(
    lambda name: not name.isdigit()
)
SECONDS_EXACT = (datetime(1698, 1, 1), datetime(2241, 12, 31))  # noqa: DTZ001 - bounds of st.datetimes
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))])


def keys(annotation: type, form: bool) -> st.SearchStrategy:
    if annotation is str:
        return FORM_NAMES if form else TEXT
    if annotation is int:
        # In a form, names of digits read as list indexes: negative keys only.
        return st.integers(INTEGER_RANGE.start, -1 if form else INTEGER_RANGE.stop - 1)
    return values(annotation, form)


SINGLE_VALUES = {
    bool: st.booleans(),
    int: st.integers(INTEGER_RANGE.start, INTEGER_RANGE.stop - 1),
    float: st.floats(allow_nan=False, allow_infinity=False),
    Decimal: st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=0, min_value=-(10**30), max_value=10**30),
        st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-(10**9), max_value=10**9),
    ),
    str: TEXT,
    bytes: st.binary(max_size=8),
    Colour: st.sampled_from(Colour),
    datetime: st.datetimes(*SECONDS_EXACT, timezones=ZONES),
    Document: st.text(string.ascii_letters + string.digits, min_size=1, max_size=8).map(Document),
}


def values(annotation: typing.Any, form: bool) -> st.SearchStrategy:
    """Values of ``annotation``; with ``form``, only those a form can send."""
    if annotation in SINGLE_VALUES:
        return SINGLE_VALUES[annotation]
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list:
        return st.lists(values(arguments[0], form), max_size=3)
    if origin is dict:
        return st.dictionaries(keys(arguments[0], form), values(arguments[1], form), max_size=3)
    if origin is typing.Union:
        inner = values(arguments[0], form)
        return inner if form and arguments[0] is str else st.one_of(st.none(), inner)
    hints = typing.get_type_hints(annotation)
    return st.builds(annotation, **{name: values(hint, form) for name, hint in hints.items()})


def annotated_values(form: bool) -> st.SearchStrategy:
    return annotations().flatmap(lambda annotation: st.tuples(st.just(annotation), values(annotation, form)))


def signature_of(annotation):
    def method(value):
        return value

    method.__annotations__ = {"value": annotation, "return": None}
    return Signature.of(method, [Document])


ROUND_TRIPS = settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@ROUND_TRIPS
@given(annotated_values(form=False))
def test_json_round_trip(annotated):
    annotation, value = annotated
    sent = json.loads(json.dumps(to_wire({"value": value})))
    assert decode_arguments(signature_of(annotation), sent, CONTEXT, from_form=False) == {"value": value}


@ROUND_TRIPS
@given(annotated_values(form=True))
def test_form_round_trip(annotated):
    annotation, value = annotated
    sent = decode_form(to_form_fields({"value": value}))
    assert decode_arguments(signature_of(annotation), sent, CONTEXT, from_form=True) == {"value": value}


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30), timezones=st.just(UTC)))  # noqa: DTZ001
def test_datetimes_round_trip_within_16_microseconds_from_year_1_to_9999(value):
    decoded = decode_arguments(signature_of(datetime), {"value": to_wire(value)}, CONTEXT, from_form=False)
    assert abs(decoded["value"] - value) <= timedelta(microseconds=16)


def test_form_limits_send_json_instead():
    # The two cases the form test leaves out, as JSON carries them.
    for annotation, value in [(str | None, None), (dict[str, int], {"a.b": 1, "": 2, "7": 3})]:
        sent = json.loads(json.dumps(to_wire({"value": value})))
        assert decode_arguments(signature_of(annotation), sent, CONTEXT, from_form=False) == {"value": value}
    assert decode_arguments(
        signature_of(str | None), decode_form(to_form_fields({"value": None})), CONTEXT, from_form=True
    ) == {"value": ""}
