from backrest.openapi.forms import form_fields

TEXT = {"type": "string"}


def test_nested_fields_have_dotted_names():
    schema = {
        "type": "object",
        "properties": {
            "title": TEXT,
            "address": {
                "type": "object",
                "properties": {"city": TEXT, "geo": {"type": "object", "properties": {"lat": TEXT}}},
            },
        },
    }
    flat, encoding = form_fields(schema)
    assert list(flat["properties"]) == ["title", "address.city", "address.geo.lat"]
    assert encoding == {}


def test_lists_of_values_are_repeated_fields():
    tags = {"type": "array", "items": TEXT}
    flat, encoding = form_fields({"type": "object", "properties": {"tags": tags}})
    assert flat["properties"]["tags"] == tags
    assert encoding == {"tags": {"style": "form", "explode": True}}


def test_a_field_of_an_optional_object_is_not_required():
    schema = {
        "type": "object",
        "properties": {
            "name": TEXT,
            "needed": {"type": "object", "properties": {"city": TEXT}, "required": ["city"]},
            "optional": {"type": "object", "properties": {"city": TEXT}, "required": ["city"]},
        },
        "required": ["name", "needed"],
    }
    assert form_fields(schema)[0]["required"] == ["name", "needed.city"]


def test_lists_of_objects_and_free_objects_stay_one_field():
    rows = {"type": "array", "items": {"type": "object", "properties": {"a": TEXT}}}
    anything = {"type": "object", "additionalProperties": TEXT}
    flat, encoding = form_fields({"type": "object", "properties": {"rows": rows, "extra": anything}})
    assert flat["properties"] == {"rows": rows, "extra": anything}
    assert encoding == {}


def test_a_schema_without_fields_is_kept():
    assert form_fields({"type": "object"}) == ({"type": "object"}, {})


def test_refused_unknown_fields_stay_refused():
    flat, _ = form_fields({"type": "object", "properties": {"a": TEXT}, "additionalProperties": False})
    assert flat["additionalProperties"] is False
