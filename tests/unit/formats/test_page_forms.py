"""Forms from JSON Schema: which control each schema gets, and the names and markup they carry."""

import pytest

from backrest.formats.form_markup import Form, render_field, render_form
from backrest.formats.forms import decode_form
from backrest.formats.page_forms import query_label, query_schema
from backrest.formats.schema_fields import FieldReader, label_of
from tests.browsable import page_forms

COMPONENTS = {
    "Address": {
        "type": "object",
        "properties": {"city": {"type": "string", "title": "Town"}, "zip": {"type": "string"}},
        "required": ["city"],
    }
}
SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "maxLength": 200},
        "body": {"type": "string", "maxLength": 100000},
        "status": {"type": "string", "enum": ["draft", "published"], "default": "draft"},
        "count": {"type": "integer", "minimum": 0, "maximum": 5},
        "ratio": {"type": "number"},
        "public": {"type": "boolean"},
        "when": {"type": "string", "format": "date-time"},
        "day": {"type": "string", "format": "date"},
        "email": {"type": "string", "format": "email"},
        "new_password": {"type": "string"},
        "upload": {"type": "string", "format": "binary"},
        "address": {"$ref": "#/components/schemas/Address"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "colours": {"type": "array", "items": {"type": "string", "enum": ["red", "green"]}},
        "addresses": {"type": "array", "items": {"$ref": "#/components/schemas/Address"}},
        "scores": {"type": "object", "additionalProperties": {"type": "integer"}},
        "id": {"type": "string", "readOnly": True},
    },
    "required": ["title"],
}
READER = FieldReader(COMPONENTS)


def fields_by_key(values=None):
    return {field.key: field for field in READER.fields(SCHEMA, values)}


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("title", "text"),
        ("body", "textarea"),
        ("status", "select"),
        ("count", "integer"),
        ("ratio", "number"),
        ("public", "checkbox"),
        ("when", "datetime"),
        ("day", "date"),
        ("email", "email"),
        ("new_password", "password"),
        ("upload", "file"),
        ("address", "object"),
        ("tags", "list"),
        ("colours", "choices"),
        ("addresses", "list"),
        ("scores", "pairs"),
    ],
)
def test_each_schema_gets_its_control(key, kind):
    assert fields_by_key()[key].kind == kind


def test_read_only_properties_are_left_out():
    assert "id" not in fields_by_key()


def test_references_are_resolved_and_nested_names_are_dotted():
    address = fields_by_key({"address": {"city": "Paris"}})["address"]
    assert [(child.path, child.label, child.required, child.value) for child in address.children] == [
        ("address.city", "Town", True, "Paris"),
        ("address.zip", "Zip", False, None),
    ]


def test_lists_hold_their_items_and_a_template_for_the_next():
    tags = fields_by_key({"tags": ["a", "b"]})["tags"]
    assert [(item.path, item.value) for item in tags.children] == [("tags.0", "a"), ("tags.1", "b")]
    assert tags.template.path == "tags.2"
    addresses = fields_by_key({"addresses": [{"city": "Oslo"}]})["addresses"]
    assert [child.path for child in addresses.children[0].children] == ["addresses.0.city", "addresses.0.zip"]


def test_defaults_fill_a_blank_form_and_values_win_over_them():
    assert fields_by_key()["status"].value == "draft"
    assert fields_by_key({"status": "published"})["status"].value == "published"


def test_limits_become_attributes():
    assert fields_by_key()["count"].limits == {"min": 0, "max": 5}
    assert fields_by_key()["title"].limits == {"maxlength": 200}


def test_labels_come_from_titles_else_from_the_name():
    assert label_of({"title": "Town"}, "city") == "Town"
    assert label_of({}, "page_size") == "Page size"


def submitted(values=None):
    """What a browser would send from a form of SCHEMA filled with ``values``, read back."""
    html = render_form(Form("edit", "Edit", "PUT", "https://x.example/", READER.fields(SCHEMA, values)))
    return decode_form(page_forms(html)["edit"].fields())


def test_a_filled_form_sends_back_what_it_shows():
    values = {
        "title": "Hello",
        "public": True,
        "address": {"city": "Paris", "zip": "75001"},
        "tags": ["a", "b"],
        "colours": ["green"],
        "addresses": [{"city": "Oslo", "zip": "0150"}],
        "scores": {"maths": 3},
        "when": "2026-12-05T10:00:00.123456Z",
    }
    sent = submitted(values)
    assert sent["title"] == "Hello"
    assert sent["public"] == ["false", "true"]
    assert sent["address"] == {"city": "Paris", "zip": "75001"}
    assert sent["tags"] == ["a", "b"]
    assert sent["colours"] == ["green"]
    assert sent["addresses"] == [{"city": "Oslo", "zip": "0150"}]
    assert sent["scores"] == {"maths": "3"}
    assert sent["when"] == "2026-12-05T10:00:00.123"


def test_optional_lists_and_numbers_left_empty_are_not_sent():
    sent = submitted({"title": "x"})
    assert not {"tags", "colours", "count", "when", "address"} & set(sent)


def test_a_list_that_held_items_is_sent_as_the_empty_marker_once_they_are_gone():
    html = render_form(
        Form("edit", "Edit", "PUT", "https://x.example/", READER.fields(SCHEMA, {"tags": ["a"]}))
    )
    without_items = [
        (name, value) for name, value in page_forms(html)["edit"].fields() if not name.startswith("tags.0")
    ]
    assert decode_form(without_items)["tags"] == []


def test_a_required_list_is_always_sent():
    schema = {
        "type": "object",
        "properties": {"ids": {"type": "array", "items": {"type": "string"}}},
        "required": ["ids"],
    }
    html = render_form(Form("call", "Call", "POST", "https://x.example/", READER.fields(schema)))
    assert decode_form(page_forms(html)["call"].fields()) == {"ids": []}


def test_a_form_with_a_file_is_multipart():
    html = render_form(Form("create", "Create", "POST", "https://x.example/", READER.fields(SCHEMA)))
    assert page_forms(html)["create"].attributes["enctype"] == "multipart/form-data"


def test_every_value_is_escaped():
    field = READER.field(
        "t", "t", {"type": "string", "description": "<b>"}, required=False, value='"><script>'
    )
    html = render_field(field, 'f"><script>')
    assert "<script>" not in html
    assert "<b>" not in html


def test_each_control_has_a_label_or_a_name_for_screen_readers():
    html = render_form(
        Form("edit", "Edit", "PUT", "https://x.example/", READER.fields(SCHEMA, {"tags": ["a"]}))
    )
    form = page_forms(html)["edit"]
    for control in form.controls:
        if control.type == "hidden" or control.in_template or control.attributes.get("class") == "pair-key":
            continue
        labelled = control.attributes.get("id") in form.labels or "aria-label" in control.attributes
        assert labelled or control.attributes.get("name") == "colours", control


@pytest.mark.parametrize(
    ("parameter", "expected"),
    [
        ({"name": "public", "schema": {"type": "boolean"}}, {"type": "string", "enum": ["true", "false"]}),
        (
            {
                "name": "ordering",
                "schema": {"type": "array", "items": {"type": "string", "enum": ["a", "-a"]}},
            },
            {"type": "string", "enum": ["a", "-a"]},
        ),
        (
            {"name": "status__in", "schema": {"type": "array", "items": {"type": "string"}}},
            {"type": "string"},
        ),
    ],
)
def test_query_parameters_become_one_control_each(parameter, expected):
    schema = query_schema(parameter)
    assert {key: schema[key] for key in expected} == expected


def test_query_labels_say_the_lookup_in_words():
    assert query_label("created__gte") == "Created, at least"
    assert query_label("status__in") == "Status, one of"
    assert query_label("page_size") == "Page size"
