from types import SimpleNamespace

import colander

from backrest.content.declare import ContentType
from backrest.content.models import Content
from backrest.openapi.components import ContentComponents, component_names, representation_schema
from backrest.schema import Body, text_node


def content_type(name, model_name, module="app.models"):
    model = type(model_name, (), {"__module__": module, "__qualname__": model_name})
    return SimpleNamespace(name=name, model=model)


def test_components_are_named_after_the_model():
    assert component_names([content_type("documents", "Document")]) == {"documents": "Document"}


def test_a_name_taken_already_is_qualified_by_its_module():
    names = component_names(
        [
            content_type("documents", "Document"),
            content_type("drafts", "Document", "drafts.models"),
            content_type("pages", "DocumentPage"),
            content_type("errors", "Error"),
        ]
    )
    assert names == {
        "documents": "Document",
        "drafts": "drafts.models.Document",
        "pages": "app.models.DocumentPage",
        "errors": "app.models.Error",
    }


def test_the_representation_has_every_field_without_request_defaults():
    create = {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}, "default": []},
        },
        "required": ["title"],
        "additionalProperties": False,
    }
    assert representation_schema(create) == {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "__meta__": {"$ref": "#/components/schemas/Meta"},
        },
        "required": ["title", "tags", "__meta__"],
    }


class NoteSchema(Body):
    title = text_node(max_length=10)


class Note(Content):
    __abstract__ = True


def note_type(**options):
    return ContentType(**{"name": "notes", "model": Note, "schema": NoteSchema, **options})


def test_an_update_differs_from_a_creation_by_its_optional_fields():
    components = ContentComponents(note_type(), "Note", 1000)
    assert set(components.bodies) == {"NoteCreate", "NoteUpdate"}
    assert components.bodies["NoteCreate"]["required"] == ["title"]
    assert "required" not in components.bodies["NoteUpdate"]
    assert set(components.schemas) == {"Note", "NotePage", "NoteCreate", "NoteUpdate"}


def test_an_update_like_the_creation_is_not_repeated():
    class Optional(Body):
        title = text_node(max_length=10, missing=colander.drop)

    components = ContentComponents(note_type(schema=Optional, shareable=False), "Note", 1000)
    assert list(components.bodies) == ["NoteCreate"]


def test_a_read_only_type_has_no_bodies():
    components = ContentComponents(note_type(read_only=True), "Note", 1000)
    assert components.bodies == {}
    assert components.schemas["NotePage"]["properties"]["count"]["maximum"] == 1000
