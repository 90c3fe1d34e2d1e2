from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from openapi_spec_validator import validate

from backrest.methods.schemas import (
    NULL_RESULT,
    argument_schema,
    request_schema,
    result_json,
    result_schema,
)
from backrest.methods.shapes import Signature
from backrest.methods.wire import to_wire
from backrest.schema import NUMBER_TEXT


class Colour(enum.Enum):
    RED = 1
    BLUE = 2


class Document:
    def __init__(self, public_id, title=""):
        self.id = public_id
        self.title = title

    def __json__(self, request):
        return {"id": self.id, "title": self.title, "seen_by": request}


MODELS = {Document: "documents"}
INT64 = {"type": "integer", "format": "int64", "minimum": -(2**63), "maximum": 2**63 - 1}
DECIMAL_ARGUMENT = {
    "type": "string",
    "format": "decimal",
    "pattern": f"^{NUMBER_TEXT.pattern}$",
    "description": 'A decimal number as text, such as "23.42"; a JSON number is taken too.',
}
SECONDS = {"type": "number", "description": "Seconds since 1970-01-01T00:00:00Z (UTC)."}
COLOUR = {"type": "string", "enum": ["RED", "BLUE"], "title": "Colour"}


@dataclass
class Item:
    name: str
    price: Decimal
    colour: Colour | None = None
    tags: list[str] = field(default_factory=list)


@dataclass
class Order:
    items: list[Item]
    placed: datetime
    by: Document | None
    notes: dict[str, str]
    quantities: dict[int, int]
    data: bytes


@dataclass
class Empty:
    pass


# One argument


@pytest.mark.parametrize(
    ("annotation", "schema"),
    [
        (bool, {"type": "boolean"}),
        (int, INT64),
        (float, {"type": "number", "format": "double"}),
        (Decimal, DECIMAL_ARGUMENT),
        (str, {"type": "string"}),
        (bytes, {"type": "string", "format": "byte"}),
        (Colour, COLOUR),
        (datetime, SECONDS),
        (Document, {"type": "string", "description": "The id of one of /-/documents/"}),
        (list[int], {"type": "array", "items": INT64}),
        (dict[str, bool], {"type": "object", "additionalProperties": {"type": "boolean"}}),
        (
            dict[int, str],
            {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "Keys are integers, as text.",
            },
        ),
        (
            dict[bool, str],
            {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "Keys are true or false.",
            },
        ),
        (
            dict[Colour, str],
            {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "Keys are names of Colour: RED, BLUE.",
            },
        ),
        (str | None, {"type": "string", "nullable": True}),
        (Colour | None, {**COLOUR, "enum": ["RED", "BLUE", None], "nullable": True}),
        (list[int] | None, {"type": "array", "items": INT64, "nullable": True}),
        (Empty, {"title": "Empty", "type": "object", "properties": {}, "additionalProperties": False}),
    ],
)
def test_argument_schemas(annotation, schema):
    assert argument_schema(annotation, MODELS) == schema


def test_dataclass_argument_schema_requires_fields_without_defaults():
    assert argument_schema(Item, MODELS) == {
        "title": "Item",
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "price": DECIMAL_ARGUMENT,
            "colour": {**COLOUR, "enum": ["RED", "BLUE", None], "nullable": True},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "additionalProperties": False,
        "required": ["name", "price"],
    }


def test_unsupported_annotations_have_no_schema():
    with pytest.raises(TypeError, match="unsupported annotation"):
        argument_schema(set[int], MODELS)
    with pytest.raises(TypeError, match="unsupported annotation"):
        argument_schema(None, MODELS)


# The request


def place(
    order: Order,
    when: datetime | None = None,
    flags: dict[Colour, bool] | None = None,
    documents: list[Document] = (),
    ratio: float = 1.0,
) -> Order:
    return order


def ping() -> None:
    pass


def test_request_schema():
    schema = request_schema(Signature.of(place, MODELS), MODELS)
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["order"]
    assert list(schema["properties"]) == ["order", "when", "flags", "documents", "ratio"]
    assert schema["properties"]["when"] == {**SECONDS, "nullable": True}
    assert schema["properties"]["order"] == argument_schema(Order, MODELS)


def test_request_schema_without_parameters():
    assert request_schema(Signature.of(ping, MODELS), MODELS) == {
        "type": "object",
        "properties": {},
        "additionalProperties": False,
    }


# Results


@pytest.mark.parametrize(
    ("annotation", "schema"),
    [
        (None, NULL_RESULT),
        (type(None), NULL_RESULT),
        (Decimal, {"type": "string", "format": "decimal"}),
        (datetime, {"type": "string", "format": "date-time"}),
        (Document, {"type": "object", "title": "Document"}),
        (
            list[Document | None],
            {"type": "array", "items": {"type": "object", "title": "Document", "nullable": True}},
        ),
        (int, INT64),
    ],
)
def test_result_schemas(annotation, schema):
    assert result_schema(annotation, MODELS) == schema


def test_result_schemas_of_dataclasses_require_every_field():
    schema = result_schema(Item, MODELS)
    assert schema["required"] == ["name", "price", "colour", "tags"]
    assert schema["properties"]["price"] == {"type": "string", "format": "decimal"}


def test_a_hook_supplies_the_schemas_of_models():
    def model_ref(model):
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    assert result_schema(Document, MODELS, model_ref) == {"$ref": "#/components/schemas/Document"}
    assert result_schema(Document | None, MODELS, model_ref) == {
        "allOf": [{"$ref": "#/components/schemas/Document"}],
        "nullable": True,
    }


# Results as JSON


def test_result_json():
    when = datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=UTC)
    item = Item("pen", Decimal("2.50"), Colour.RED, ["a"])
    value = {"when": when, "item": item, "document": Document("d1", "Doc"), "data": b"hi", "none": None}
    assert result_json(value, "request") == {
        "when": "2026-11-22T10:00:00.123456Z",
        "item": {"name": "pen", "price": "2.50", "colour": "RED", "tags": ["a"]},
        "document": {"id": "d1", "title": "Doc", "seen_by": "request"},
        "data": "aGk=",
        "none": None,
    }
    assert result_json({Colour.RED: [1.5]}, None) == {"RED": [1.5]}


def test_result_json_refuses_what_is_not_a_result():
    with pytest.raises(TypeError, match="cannot be a result"):
        result_json(object(), None)
    with pytest.raises(ValueError, match="must be aware"):
        result_json(datetime(2026, 1, 1), None)  # noqa: DTZ001 - the point


# Schemas as an OpenAPI document reads them, and data as they describe it


def model_ref(model):
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def document_schema():
    return {
        "type": "object",
        "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "seen_by": {"type": "string"}},
        "required": ["id"],
    }


ORDER = Order(
    items=[Item("pen", Decimal("2.5")), Item("ink", Decimal("-1E+3"), Colour.BLUE, ["x"])],
    placed=datetime(2026, 11, 22, 10, tzinfo=UTC),
    by=Document("d1"),
    notes={"gift": "yes"},
    quantities={1: 2, -3: 4},
    data=b"\x00\xff",
)


def rich(order: Order, colours: list[Colour | None], extra: dict[str, list[Item]] | None = None) -> Order:
    return order


def listing(documents: list[Document], since: datetime) -> list[Document | None]:
    return documents


def summary(price: Decimal = Decimal(0), empty: Empty | None = None) -> dict[int, list[Item | None]]:
    return {}


SAMPLES = [
    (rich, {"order": ORDER, "colours": [Colour.RED, None], "extra": {"k": []}}, ORDER),
    (
        listing,
        {"documents": [Document("a")], "since": datetime(2026, 1, 1, tzinfo=UTC)},
        [Document("a"), None],
    ),
    (summary, {"price": Decimal("0.1"), "empty": Empty()}, {1: [None, ORDER.items[0]]}),
    (ping, {}, None),
]


@pytest.mark.parametrize(("function", "arguments", "result"), SAMPLES)
def test_schemas_make_a_valid_openapi_document(function, arguments, result):
    signature = Signature.of(function, MODELS)
    validate(
        {
            "openapi": "3.0.3",
            "info": {"title": "Methods", "version": "1"},
            "paths": {
                "/-/api/shop/method": {
                    "post": {
                        "requestBody": {
                            "content": {"application/json": {"schema": request_schema(signature, MODELS)}}
                        },
                        "responses": {
                            "200": {
                                "description": "The result.",
                                "content": {
                                    "application/json": {
                                        "schema": result_schema(signature.returns, MODELS, model_ref)
                                    }
                                },
                            }
                        },
                    }
                }
            },
            "components": {"schemas": {"Document": document_schema()}},
        }
    )


def validate_data(instance, schema):
    OAS30Validator(schema, format_checker=oas30_format_checker).validate(instance)


@pytest.mark.parametrize(("function", "arguments", "result"), SAMPLES)
def test_data_fit_their_schemas(function, arguments, result):
    signature = Signature.of(function, MODELS)
    validate_data(to_wire(arguments), request_schema(signature, MODELS))
    # Without model_ref: a strict validator refuses null under allOf and a $ref (see schemas.py).
    validate_data(result_json(result, "request"), result_schema(signature.returns, MODELS))


def test_schemas_refuse_data_that_do_not_fit():
    schema = request_schema(Signature.of(listing, MODELS), MODELS)
    for wrong in [{"documents": [], "since": 0, "extra": 1}, {"documents": [1], "since": 0}, {"since": 0}]:
        assert not OAS30Validator(schema).is_valid(wrong)
