"""A typed method's arguments from JSON and from form fields (sections 6 and 15), through ``testing.echo``."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest

from tests.conftest import error_fields

ECHO = "/-/api/testing/echo"
WHEN = 1_767_225_600.25  # 2026-01-01T00:00:00.250000Z
REQUIRED = {
    "flag": "true",
    "count": "3",
    "ratio": "0.5",
    "price": "19.99",
    "name": "Ada",
    "data": base64.b64encode(b"\x00\xffbytes").decode(),
    "colour": "GREEN",
    "when": str(WHEN),
}
JSON_REQUIRED = {**REQUIRED, "flag": True, "count": 3, "ratio": 0.5, "when": WHEN}


def form(*pairs: tuple[str, str], **fields: str) -> list[tuple[str, str]]:
    """The required fields (``fields`` replace them), then ``pairs`` as they are."""
    return [*{**REQUIRED, **fields}.items(), *pairs]


def test_every_type_from_form_fields(anonymous):
    echoed = anonymous.post(ECHO, form()).json
    assert echoed == {
        "flag": True,
        "count": 3,
        "ratio": 0.5,
        "price": "19.99",
        "name": "Ada",
        "data": base64.b64encode(b"\x00\xffbytes").decode(),
        "colour": "GREEN",
        "when": "2026-01-01T00:00:00.250000Z",
        "tags": [],
        "scores": {},
        "address": None,
        "addresses": [],
        "nothing": None,
        "tally": None,
    }


def test_every_type_from_json_gives_the_same(anonymous):
    assert anonymous.post_json(ECHO, JSON_REQUIRED).json == anonymous.post(ECHO, form()).json


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ((("flag", "0"), ("flag", "1")), True),
        ((("flag", "1"), ("flag", "0")), False),
        ((("flag", "ON"),), True),
        ((("flag", "No"),), False),
        ((("flag", "yEs"),), True),
    ],
)
def test_a_checkbox_bool_may_come_twice_and_the_last_wins(anonymous, sent, expected):
    fields = [(name, value) for name, value in form() if name != "flag"]
    assert anonymous.post(ECHO, [*fields, *sent]).json["flag"] is expected


def test_lists_of_values_come_as_repeated_names_or_as_indexes(anonymous):
    repeated = anonymous.post(ECHO, form(("tags", "a"), ("tags", "b"))).json["tags"]
    indexed = anonymous.post(ECHO, form(("tags.1", "b"), ("tags.0", "a"))).json["tags"]
    assert repeated == indexed == ["a", "b"]


def test_dotted_names_fill_dataclasses_lists_and_dicts(anonymous):
    echoed = anonymous.post(
        ECHO,
        form(
            ("address.city", "Paris"),
            ("addresses.0.city", "Lyon"),
            ("addresses.0.zip_code", "69001"),
            ("addresses.1.city", "Nice"),
            ("scores.ada", "3"),
            ("scores.bob", "-1"),
        ),
    ).json
    assert echoed["address"] == {"city": "Paris", "zip_code": ""}
    assert echoed["addresses"] == [{"city": "Lyon", "zip_code": "69001"}, {"city": "Nice", "zip_code": ""}]
    assert echoed["scores"] == {"ada": 3, "bob": -1}


def test_the_empty_marker_sends_an_empty_list_dict_or_fieldless_dataclass(anonymous):
    echoed = anonymous.post(ECHO, form(("tags.", ""), ("scores.", ""), ("nothing.", ""))).json
    assert (echoed["tags"], echoed["scores"], echoed["nothing"]) == ([], {}, {})


def test_a_single_value_sent_twice_is_an_error(anonymous):
    response = anonymous.post(ECHO, form(("count", "4")), status=400)
    assert error_fields(response) == [("body", "count")]


def test_every_bad_argument_is_named_at_once_by_its_dotted_path(anonymous):
    response = anonymous.post(
        ECHO,
        form(("addresses.0.zip_code", "1"), ("scores.ada", "many"), ("stray", "x"), count="three"),
        status=400,
    )
    assert sorted(error_fields(response)) == [
        ("body", "addresses.0.city"),
        ("body", "count"),
        ("body", "scores.ada"),
        ("body", "stray"),
    ]
    assert response.json["status"] == "error"


def test_missing_required_arguments_are_named(anonymous):
    response = anonymous.post_json(ECHO, {}, status=400)
    assert sorted(name for _location, name in error_fields(response)) == sorted(JSON_REQUIRED)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("flag", 1),
        ("flag", "true"),
        ("count", 2.5),
        ("count", True),
        ("count", "3"),
        ("count", 2**70),
        ("ratio", "0.5"),
        ("colour", "green"),
        ("colour", "PURPLE"),
        ("when", "2026-01-01"),
        ("data", "not base64!"),
        ("name", None),
        ("name", "a\x00b"),
    ],
)
def test_json_values_of_the_wrong_type_are_refused(anonymous, name, value):
    response = anonymous.post_json(ECHO, {**JSON_REQUIRED, name: value}, status=400)
    assert error_fields(response) == [("body", name)]


def test_a_decimal_keeps_its_digits(anonymous):
    price = "12345678901234567890.123456789"
    assert Decimal(anonymous.post(ECHO, form(price=price)).json["price"]) == Decimal(price)


def test_query_string_arguments_are_refused(anonymous):
    response = anonymous.post(ECHO + "?count=4&name=x", form(), status=400)
    assert sorted(error_fields(response)) == [("querystring", "count"), ("querystring", "name")]


def test_format_may_still_be_asked_in_the_query(anonymous):
    response = anonymous.post(ECHO + "?format=xml", form(), status=200)
    assert response.content_type == "application/xml"


def test_broken_bodies_answer_in_the_error_shape(anonymous):
    response = anonymous.post(ECHO, "{nope", headers={"Content-Type": "application/json"}, status=400)
    assert error_fields(response)[0][0] == "body"
    anonymous.post(ECHO, b"x", headers={"Content-Type": "text/plain"}, status=415)
