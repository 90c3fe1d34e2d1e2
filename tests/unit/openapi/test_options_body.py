"""Every OPTIONS answers the one ``Options`` schema, whose fields nest."""

from openapi_schema_validator import OAS30Validator

from backrest.content.options import OPTIONS_BODY, add_options
from backrest.openapi.components import OPTIONS, schema_reference
from backrest.openapi.options_body import SCHEMAS
from backrest.service import Service

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


def test_options_operations_answer_the_options_schema():
    service = Service("notes.notes", "/-/notes/")
    add_options(service)
    [(_method, _view, arguments)] = service.definitions
    assert arguments["response_schema"] == {"$ref": "#/components/schemas/Options"}
    assert schema_reference(OPTIONS) == OPTIONS_BODY


def test_nested_fields_are_fields_too():
    validator().validate(BODY)


def test_a_field_without_its_type_is_refused():
    tags = BODY["actions"]["POST"]["tags"]
    broken = {**BODY, "actions": {"POST": {"tags": {**tags, "child": {"label": "Tag"}}}}}
    assert not validator().is_valid(broken)
