import colander
import pytest

from backrest.openapi.converter import constraints, to_schema
from backrest.schema import Body, Flag, Integer, Number, Text, email_node, text_node


def node(typ, *children, **kwargs):
    return colander.SchemaNode(typ, *children, **kwargs)


# Types


@pytest.mark.parametrize(
    ("typ", "expected"),
    [
        (colander.String(), {"type": "string"}),
        (Text(allow_empty=True), {"type": "string"}),
        (colander.Int(), {"type": "integer"}),
        (Integer(), {"type": "integer", "format": "int64"}),
        (colander.Float(), {"type": "number"}),
        (Number(), {"type": "number"}),
        (colander.Boolean(), {"type": "boolean"}),
        (Flag(), {"type": "boolean"}),
        (colander.Decimal(), {"type": "string", "format": "decimal"}),
        (colander.DateTime(), {"type": "string", "format": "date-time"}),
        (colander.Date(), {"type": "string", "format": "date"}),
        (colander.Time(), {"type": "string", "format": "time"}),
    ],
)
def test_scalar_types(typ, expected):
    assert to_schema(node(typ, missing=colander.drop)) == expected


def test_unknown_type_is_any_value():
    assert to_schema(node(colander.GlobalObject(package=None), missing=colander.drop)) == {}


def test_required_string_needs_one_character():
    assert to_schema(node(Text())) == {"type": "string", "minLength": 1}


def test_required_string_that_allows_empty_has_no_minimum():
    assert to_schema(node(Text(allow_empty=True))) == {"type": "string"}


def test_mapping_lists_properties_and_required_ones():
    class Address(colander.MappingSchema):
        city = node(colander.String())
        zip = node(colander.String(), missing=colander.drop)

    schema = to_schema(Address())
    assert schema["type"] == "object"
    assert set(schema["properties"]) == {"city", "zip"}
    assert schema["required"] == ["city"]


def test_mapping_without_required_children_has_no_required_list():
    class Optional(Body):
        name = text_node(missing=colander.drop)

    assert "required" not in to_schema(Optional())


def test_mapping_that_refuses_unknown_keys_says_so():
    strict = node(colander.Mapping(unknown="raise"), missing=colander.drop)
    assert to_schema(strict) == {"type": "object", "properties": {}, "additionalProperties": False}


def test_body_allows_unknown_keys():
    assert "additionalProperties" not in to_schema(Body())


def test_nested_mappings_are_nested_objects():
    class Inner(colander.MappingSchema):
        city = node(colander.String())

    class Outer(colander.MappingSchema):
        address = Inner()

    schema = to_schema(Outer())
    assert schema["properties"]["address"]["properties"]["city"] == {"type": "string", "minLength": 1}
    assert schema["required"] == ["address"]


def test_sequence_describes_its_items():
    tags = node(colander.Sequence(), node(colander.Int(), name="tag"), missing=colander.drop)
    assert to_schema(tags) == {"type": "array", "items": {"type": "integer"}}


# Validators


def test_length_bounds_a_string():
    assert to_schema(node(colander.String(), validator=colander.Length(2, 5), missing="")) == {
        "type": "string",
        "minLength": 2,
        "maxLength": 5,
        "default": "",
    }


def test_length_bounds_a_sequence():
    tags = node(colander.Sequence(), node(colander.String()), validator=colander.Length(max=3))
    assert to_schema(tags)["maxItems"] == 3
    assert "minItems" not in to_schema(tags)


def test_length_minimum_above_one_is_kept_for_a_required_string():
    assert to_schema(node(Text(), validator=colander.Length(min=8)))["minLength"] == 8


def test_range_bounds_a_number():
    assert constraints(colander.Range(0, 5), "integer") == {"minimum": 0, "maximum": 5}
    assert constraints(colander.Range(min=0.5), "number") == {"minimum": 0.5}


def test_range_on_something_else_than_a_number_adds_nothing():
    assert constraints(colander.Range(0, 5), "string") == {}


def test_one_of_is_an_enum():
    assert constraints(colander.OneOf(["draft", "published"]), "string") == {"enum": ["draft", "published"]}


def test_regex_is_a_pattern():
    assert constraints(colander.Regex(r"^[a-z]+$"), "string") == {"pattern": r"^[a-z]+$"}


def test_colander_email_is_a_format():
    assert constraints(colander.Email(), "string") == {"format": "email"}


def test_email_node_is_a_bounded_email():
    assert to_schema(email_node()) == {"type": "string", "format": "email", "maxLength": 320, "minLength": 1}


def test_all_merges_its_validators():
    validator = colander.All(colander.Length(max=10), colander.OneOf(["a", "b"]))
    assert constraints(validator, "string") == {"maxLength": 10, "enum": ["a", "b"]}


def test_custom_validator_adds_nothing():
    def even(node, value):
        if value % 2:
            raise colander.Invalid(node, "Must be even.")

    assert constraints(even, "integer") == {}


# Defaults, nullability, descriptions


@pytest.mark.parametrize(
    ("missing", "default"), [("", ""), (0, 0), (False, False), ((), []), ({}, {}), (["a"], ["a"])]
)
def test_missing_value_is_the_default(missing, default):
    assert to_schema(node(colander.String(), missing=missing))["default"] == default


@pytest.mark.parametrize("missing", [colander.drop, colander.null, colander.required])
def test_colander_markers_are_no_default(missing):
    assert "default" not in to_schema(node(colander.String(allow_empty=True), missing=missing))


def test_missing_none_is_nullable():
    assert to_schema(node(colander.String(), missing=None)) == {"type": "string", "nullable": True}


def test_description_is_kept():
    described = node(colander.String(), missing=colander.drop, description="The title.")
    assert to_schema(described) == {"type": "string", "description": "The title."}
