import colander
import pytest
from pyramid.httpexceptions import HTTPCreated, HTTPFound, HTTPNoContent

from backrest.openapi.answers import AnswerComponents
from backrest.openapi.operations import (
    openapi_path,
    operation,
    parameters,
    request_parts,
    security,
    success_status,
)
from backrest.schema import Body, text_node
from backrest.security.permissions import Permission
from backrest.service import Service
from backrest.validation import body_validator


class NoteSchema(Body):
    title = text_node(max_length=10)


class Query(colander.MappingSchema):
    page = colander.SchemaNode(colander.Int(), missing=1)


class Headers(colander.MappingSchema):
    if_match = colander.SchemaNode(colander.String(), name="If-Match")


class RequestSchema(colander.MappingSchema):
    body = NoteSchema()
    querystring = Query()
    header = Headers()


def definition(service, method="GET"):
    return next((args, view) for defined, view, args in service.definitions if defined == method)


def described(service, method, answers=None):
    args, view = definition(service, method)
    return operation(service, method, view, args, answers=answers or AnswerComponents())


# Paths and parameters


def test_path_with_a_pattern_becomes_a_template():
    assert openapi_path(r"/-/things/{id:\d+}/x") == "/-/things/{id}/x"
    assert openapi_path("/-/reset/{token}") == "/-/reset/{token}"


def test_path_parameters_are_required_strings():
    assert parameters("/-/reset/{token}", {}) == [
        {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}
    ]


def test_path_parameter_pattern_is_anchored():
    [parameter] = parameters(r"/-/things/{id:\d+}", {})
    assert parameter["schema"] == {"type": "string", "pattern": r"^(?:\d+)$"}


def test_body_schema_is_the_body():
    schema = NoteSchema()
    assert request_parts(schema) == {"body": schema}


def test_schema_class_is_instantiated():
    assert [child.name for child in request_parts(NoteSchema)["body"].children] == ["title"]


def test_no_schema_has_no_parts():
    assert request_parts(None) == {}


def test_request_shaped_schema_is_split_into_parts():
    assert sorted(request_parts(RequestSchema())) == ["body", "header", "querystring"]


def test_body_with_a_text_field_named_body_is_a_body():
    class Post(Body):
        body = text_node()

    assert list(request_parts(Post())) == ["body"]


def test_query_and_header_parts_are_parameters():
    found = parameters("/-/notes/", request_parts(RequestSchema()))
    assert found == [
        {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "default": 1}},
        {"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string", "minLength": 1}},
    ]


# Success status


def test_declared_success_status_wins():
    def view(request) -> HTTPNoContent: ...

    assert success_status(view, {"success_status": 201}) == 201


@pytest.mark.parametrize(("returned", "status"), [(HTTPNoContent, 204), (HTTPFound, 302), (HTTPCreated, 201)])
def test_success_status_comes_from_the_returned_exception(returned, status):
    def view(request): ...

    view.__annotations__["return"] = returned
    assert success_status(view, {}) == status


def test_success_status_from_a_string_annotation():
    # As every annotation is under "from __future__ import annotations".
    def view(request) -> "HTTPNoContent": ...

    assert success_status(view, {}) == 204


@pytest.mark.parametrize("annotation", ["dict[str, str]", "Unknown", "HTTPNoContent | None", None])
def test_success_status_is_200_otherwise(annotation):
    def view(request): ...

    view.__annotations__["return"] = annotation
    assert success_status(view, {}) == 200


def test_success_status_of_a_view_without_annotations():
    assert success_status(object(), {}) == 200


# Security


def test_public_methods_need_nothing():
    assert security(Permission.PUBLIC, "POST") is None
    assert security(None, "GET") is None


def test_protected_safe_methods_need_the_session():
    assert security(Permission.ACCOUNT, "GET") == [{"session": []}]


def test_protected_unsafe_methods_need_the_session_and_its_csrf_token():
    assert security(Permission.ACCOUNT, "DELETE") == [{"session": [], "csrf": []}]


# Operations


notes = Service("notes.notes", "/-/notes/{id}", "One note.")


@notes.put(permission=Permission.ACCOUNT, schema=NoteSchema(), validators=(body_validator,))
def update_note(request) -> dict:
    return {}


@notes.get(permission=Permission.PUBLIC, response_schema=NoteSchema(), error_statuses=(412,))
def read_note(request) -> dict:
    return {}


@notes.delete(permission=Permission.ACCOUNT)
def delete_note(request) -> HTTPNoContent:
    return HTTPNoContent()


@notes.post(permission=Permission.PUBLIC, validators=(body_validator,), success_status=201)
def create_note(request) -> dict:
    return {}


def test_operation_names_and_summary_come_from_the_service():
    found = described(notes, "GET")
    assert found["operationId"] == "notes.notes.get"
    assert found["summary"] == "One note."
    assert found["tags"] == ["notes"]


def test_operation_body_is_offered_in_every_format():
    body = described(notes, "PUT")["requestBody"]
    assert body["required"] is True
    assert sorted(body["content"]) == [
        "application/json",
        "application/x-www-form-urlencoded",
        "application/xml",
        "multipart/form-data",
    ]
    assert body["content"]["application/json"]["schema"]["required"] == ["title"]


def test_body_validator_without_schema_takes_any_optional_object():
    body = described(notes, "POST")["requestBody"]
    assert body["required"] is False
    assert body["content"]["application/json"]["schema"] == {"type": "object"}


def test_operation_without_body_validator_or_schema_has_no_body():
    assert "requestBody" not in described(notes, "DELETE")


def test_declared_response_schema_describes_the_success_as_a_named_answer():
    answers = AnswerComponents()
    success = described(notes, "GET", answers)["responses"]["200"]
    assert success["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Note"}
    assert answers.schemas["Note"]["properties"] == {"title": {"type": "string", "maxLength": 10}}


def test_head_success_has_no_body():
    assert "content" not in described(notes, "HEAD")["responses"]["200"]


def test_declared_error_statuses_are_listed():
    assert "412" in described(notes, "GET")["responses"]


def test_inferred_error_statuses():
    responses = described(notes, "PUT")["responses"]
    assert sorted(responses) == ["200", "400", "401", "403", "404", "413", "415", "429", "500", "default"]
    assert responses["400"] == {"$ref": "#/components/responses/BadRequest"}


def test_delete_returning_no_content_is_a_204_without_body():
    responses = described(notes, "DELETE")["responses"]
    assert responses["204"]["description"] == "No Content"
    assert "content" not in responses["204"]


def test_declared_success_status_is_used():
    assert "201" in described(notes, "POST")["responses"]
