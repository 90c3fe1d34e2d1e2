"""Declared answers: read as an answer holds them, each mapping class of ours a named schema."""

import colander
import pytest

from backrest.openapi.answers import AnswerComponents
from backrest.openapi.converter import answer_schema
from backrest.schema import Body, text_node


def reference(name):
    return {"$ref": f"#/components/schemas/{name}"}


class Grant(colander.MappingSchema):
    id = colander.SchemaNode(colander.String())
    name = text_node(missing="")
    last_used = colander.SchemaNode(colander.DateTime(), missing=None)
    hint = colander.SchemaNode(colander.String(), missing=colander.drop)


class GrantList(colander.MappingSchema):
    results = colander.SequenceSchema(Grant())


class GrantSchema(colander.MappingSchema):
    description = "Said by the class."
    id = colander.SchemaNode(colander.String())


class Pair(colander.MappingSchema):
    first = Grant(description="The first one.")
    second = Grant(missing=None)


# Read as an answer


def test_an_answer_holds_every_field_but_those_it_may_drop():
    assert answer_schema(Grant())["required"] == ["id", "name", "last_used"]


def test_a_field_that_may_be_null_is_nullable():
    assert answer_schema(Grant())["properties"]["last_used"] == {
        "type": "string",
        "format": "date-time",
        "nullable": True,
    }


def test_request_defaults_and_refusals_say_nothing_of_an_answer():
    assert answer_schema(Grant())["properties"]["name"] == {"type": "string"}


def test_validators_still_describe_the_values():
    status = colander.SchemaNode(colander.String(), validator=colander.OneOf(["success"]))
    assert answer_schema(status) == {"type": "string", "enum": ["success"]}


# Named schemas


def test_a_mapping_class_is_a_component_named_after_it():
    answers = AnswerComponents()
    assert answers.body(Grant()) == reference("Grant")
    assert answers.schemas["Grant"] == answer_schema(Grant())


def test_a_class_is_described_once_and_referred_to_wherever_it_is():
    answers = AnswerComponents()
    assert answers.body(GrantList) == reference("GrantList")
    assert answers.body(Grant()) == reference("Grant")
    assert answers.schemas["GrantList"]["properties"]["results"] == {
        "type": "array",
        "items": reference("Grant"),
    }
    assert sorted(answers.schemas) == ["Grant", "GrantList"]


def test_a_schema_suffix_is_left_out_and_the_class_description_kept():
    answers = AnswerComponents()
    assert answers.body(GrantSchema()) == reference("Grant")
    assert answers.schemas["Grant"]["description"] == "Said by the class."


def test_a_name_taken_already_is_qualified_by_the_module():
    answers = AnswerComponents(taken={"Grant"})
    assert answers.body(Grant()) == reference(f"{__name__}.Grant")


def test_two_classes_of_one_name_get_two_names():
    first = type("Twin", (colander.MappingSchema,), {"id": colander.SchemaNode(colander.String())})
    second = type("Twin", (colander.MappingSchema,), {"n": colander.SchemaNode(colander.Int())})
    answers = AnswerComponents()
    assert answers.body(first()) == reference("Twin")
    assert answers.body(second()) != reference("Twin")
    assert len(answers.schemas) == 2


def test_what_a_use_says_beyond_its_class_wraps_the_reference():
    answers = AnswerComponents()
    answers.body(Pair())
    properties = answers.schemas["Pair"]["properties"]
    assert properties["first"] == {"allOf": [reference("Grant")], "description": "The first one."}
    assert properties["second"] == {"allOf": [reference("Grant")], "nullable": True}


def test_colanders_own_mappings_and_sequences_stay_inline():
    answers = AnswerComponents()
    inline = colander.SchemaNode(colander.Mapping(), colander.SchemaNode(colander.Int(), name="n"))
    assert answers.body(inline) == {
        "type": "object",
        "properties": {"n": {"type": "integer"}},
        "required": ["n"],
    }
    assert answers.schemas == {}


def test_a_dict_is_used_as_it_is():
    answers = AnswerComponents()
    assert answers.body({"type": "string"}) == {"type": "string"}


def test_a_request_body_class_is_named_too():
    class Note(Body):
        title = text_node()

    answers = AnswerComponents()
    assert answers.body(Note) == reference("Note")


def test_the_representation_is_referred_to_by_its_name():
    assert AnswerComponents().represented(None, "Document") == reference("Document")


def test_fields_beside_the_representation_are_all_of_both():
    found = AnswerComponents().represented(Grant(), "Document")
    assert found == {"allOf": [reference("Document"), reference("Grant")]}


def test_a_representation_needs_a_content_type():
    with pytest.raises(ValueError, match="content type"):
        AnswerComponents().represented(None, None)
