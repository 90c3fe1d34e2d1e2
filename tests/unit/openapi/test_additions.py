"""What the document adds to an operation (a content type's contract), and what the definition keeps."""

import colander
import pytest

from backrest.openapi.answers import AnswerComponents
from backrest.openapi.operations import Additions, operation
from backrest.schema import Body, text_node
from backrest.security.permissions import Permission
from backrest.service import Service
from backrest.validation import body_validator


class NoteSchema(Body):
    title = text_node(max_length=10)


class Query(colander.MappingSchema):
    page = colander.SchemaNode(colander.Int(), missing=1)


class RequestSchema(colander.MappingSchema):
    querystring = Query()


class NoteSecret(colander.MappingSchema):
    secret = colander.SchemaNode(colander.String())


NOTE = {"$ref": "#/components/schemas/Note"}
PAGE = {"name": "page", "in": "query", "required": False, "schema": {"type": "string"}}
notes = Service("notes.notes", "/-/notes/", "Notes.")


@notes.get(permission=Permission.PUBLIC, schema=RequestSchema())
def list_notes(request) -> dict:
    return {}


@notes.post(
    permission=Permission.PUBLIC,
    schema=NoteSchema(),
    validators=(body_validator,),
    response_schema={"type": "string"},
    openapi_tags=["mine"],
)
def create_note(request) -> dict:
    return {}


@notes.put(permission=Permission.PUBLIC, answers_representation=True)
def join_note(request) -> dict:
    return {}


@notes.patch(permission=Permission.PUBLIC, answers_representation=True, response_schema=NoteSecret())
def rotate_note_secret(request) -> dict:
    return {}


def described(method, additions, answers=None):
    args, view = next((args, view) for defined, view, args in notes.definitions if defined == method)
    return operation(notes, method, view, args, additions, answers=answers or AnswerComponents())


def test_additions_describe_what_the_definition_does_not():
    found = described(
        "GET",
        Additions(
            tags=("notes",),
            parameters=(
                PAGE,
                {"name": "size", "in": "query", "required": False, "schema": {"type": "integer"}},
            ),
            response_schema=NOTE,
            headers={"ETag": {"schema": {"type": "string"}}},
            responses={"304": {"description": "Not Modified"}},
            error_statuses=frozenset({412}),
        ),
    )
    assert found["tags"] == ["notes"]
    # The definition's own parameter of that name wins.
    assert [(p["name"], p["schema"]["type"]) for p in found["parameters"]] == [
        ("page", "integer"),
        ("size", "integer"),
    ]
    success = found["responses"]["200"]
    assert success["content"]["application/json"]["schema"] == NOTE
    assert "ETag" in success["headers"]
    assert list(found["responses"]) == ["200", "304", "400", "412", "429", "500", "default"]


def test_other_media_types_of_the_success_are_added_to_its_json():
    formats = ("application/xml", "text/html")
    content = described("GET", Additions(response_schema=NOTE, media_types=formats))["responses"]["200"][
        "content"
    ]
    assert content == {
        "application/json": {"schema": NOTE},
        "application/xml": {"schema": NOTE},
        "text/html": {"schema": {"type": "string"}},
    }


def test_the_definitions_options_win_over_additions():
    found = described("POST", Additions(tags=("notes",), response_schema=NOTE))
    assert found["tags"] == ["mine"]
    assert found["responses"]["200"]["content"]["application/json"]["schema"] == {"type": "string"}


def test_a_body_that_is_a_named_schema_refers_to_it():
    title = {"type": "string", "maxLength": 10, "minLength": 1}
    named = {"type": "object", "properties": {"title": title}, "required": ["title"]}
    content = described("POST", Additions(schemas={"NoteCreate": named}))["requestBody"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/NoteCreate"}
    assert content["application/xml"]["schema"] == {"$ref": "#/components/schemas/NoteCreate"}
    other = described("POST", Additions(schemas={"Other": {"type": "object"}}))["requestBody"]["content"]
    assert other["application/json"]["schema"] == named


def test_other_successes_answer_the_same_body_and_headers():
    responses = described("GET", Additions(response_schema=NOTE, other_successes=(201,)))["responses"]
    assert responses["201"]["description"] == "Created"
    assert responses["201"]["content"] == responses["200"]["content"]
    assert responses["201"]["headers"] == responses["200"]["headers"]


def test_an_answer_that_is_the_representation_refers_to_it_with_its_etag():
    success = described("PUT", Additions(representation="Note"))["responses"]["200"]
    assert success["content"]["application/json"]["schema"] == NOTE
    assert success["headers"]["ETag"] == {"$ref": "#/components/headers/ETag"}


def test_fields_beside_the_representation_are_a_named_schema_of_their_own():
    answers = AnswerComponents()
    success = described("PATCH", Additions(representation="Note"), answers)["responses"]["200"]
    assert success["content"]["application/json"]["schema"] == {
        "allOf": [NOTE, {"$ref": "#/components/schemas/NoteSecret"}]
    }
    assert answers.schemas["NoteSecret"]["required"] == ["secret"]


def test_only_a_content_types_service_answers_its_representation():
    with pytest.raises(ValueError, match="content type"):
        described("PUT", Additions())
