"""Every OPTIONS answers the one ``Options`` schema, whose fields nest."""

from openapi_schema_validator import OAS30Validator

from backrest.openapi.operations import Additions
from backrest.openapi.options_body import SCHEMAS, with_options_body

BODY = {
    "name": "documents",
    "description": "Documents.",
    "renders": ["application/json"],
    "parses": ["application/json"],
    "actions": {
        "POST": {
            "status": {
                "type": "choice",
                "required": False,
                "read_only": False,
                "label": "Status",
                "choices": [{"value": "draft", "display_name": "draft"}],
            },
            "attributes": {
                "type": "nested object",
                "required": False,
                "read_only": False,
                "label": "Attributes",
                "children": {
                    "priority": {
                        "type": "integer",
                        "required": False,
                        "read_only": False,
                        "label": "Priority",
                        "min_value": 0,
                        "max_value": 5,
                    }
                },
            },
            "tags": {
                "type": "list",
                "required": False,
                "read_only": False,
                "label": "Tags",
                "child": {
                    "type": "string",
                    "required": True,
                    "read_only": False,
                    "label": "Tag",
                    "max_length": 9,
                },
            },
        }
    },
}


def validator():
    return OAS30Validator({"$ref": "#/components/schemas/Options", "components": {"schemas": SCHEMAS}})


def test_options_operations_answer_the_options_schema_with_their_other_additions():
    found = with_options_body(Additions(tags=("notes",)))
    assert found.response_schema == {"$ref": "#/components/schemas/Options"}
    assert found.tags == ("notes",)


def test_nested_fields_are_fields_too():
    validator().validate(BODY)


def test_a_field_without_its_type_is_refused():
    tags = BODY["actions"]["POST"]["tags"]
    broken = {**BODY, "actions": {"POST": {"tags": {**tags, "child": {"label": "Tag"}}}}}
    assert not validator().is_valid(broken)
