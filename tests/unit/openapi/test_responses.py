import pytest

from backrest.openapi.responses import error_components, error_name, error_statuses, success_response

NOTHING = {
    "reads_input": False,
    "reads_body": False,
    "protected": False,
    "unsafe": False,
    "finds_object": False,
}


def test_every_operation_may_be_throttled_or_fail():
    assert error_statuses(**NOTHING) == {429, 500}


@pytest.mark.parametrize(
    ("fact", "statuses"),
    [
        ("reads_input", {400}),
        ("reads_body", {413, 415}),
        ("protected", {401, 403}),
        ("unsafe", {403}),
        ("finds_object", {404}),
    ],
)
def test_each_fact_adds_its_errors(fact, statuses):
    assert error_statuses(**{**NOTHING, fact: True}) == {429, 500, *statuses}


@pytest.mark.parametrize(
    ("status", "name"),
    [(400, "BadRequest"), (404, "NotFound"), (428, "PreconditionRequired"), (500, "InternalServerError")],
)
def test_error_names(status, name):
    assert error_name(status) == name


def test_error_components_share_the_error_schema_and_add_a_default():
    components = error_components([401, 409])
    assert sorted(components) == ["Conflict", "Error", "Unauthorized"]
    for response in components.values():
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


@pytest.mark.parametrize(
    ("status", "headers"),
    [
        (401, ["WWW-Authenticate"]),
        (405, ["Allow"]),
        (429, ["Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]),
    ],
)
def test_error_components_name_the_contract_headers(status, headers):
    response = error_components([status])[error_name(status)]
    assert list(response["headers"]) == headers


def test_success_without_schema_is_any_json_object():
    response = success_response(200, None, "application/json", with_body=True)
    assert response["content"] == {"application/json": {"schema": {"type": "object"}}}


def test_successes_name_the_rate_limit_headers():
    response = success_response(200, None, "application/json", with_body=True)
    assert list(response["headers"]) == ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]


def test_success_of_another_media_type_is_a_string():
    response = success_response(200, None, "text/html", with_body=True)
    assert response["content"] == {"text/html": {"schema": {"type": "string"}}}


def test_success_in_other_media_types_holds_the_same_data_or_the_page():
    page = {"$ref": "#/components/schemas/NotePage"}
    response = success_response(
        200, page, "application/json", with_body=True, also=("application/xml", "text/html")
    )
    assert response["content"] == {
        "application/json": {"schema": page},
        "application/xml": {"schema": page},
        "text/html": {"schema": {"type": "string"}},
    }
    assert "content" not in success_response(
        200, page, "application/json", with_body=False, also=("text/html",)
    )


def test_created_success_has_the_given_schema():
    response = success_response(201, {"type": "object", "properties": {}}, "application/json", with_body=True)
    assert response["description"] == "Created"
    assert response["content"]["application/json"]["schema"] == {"type": "object", "properties": {}}


def test_no_content_has_no_body():
    response = success_response(204, None, "application/json", with_body=True)
    assert response["description"] == "No Content"
    assert "content" not in response


def test_redirect_has_a_location_and_no_body():
    response = success_response(302, None, "application/json", with_body=True)
    assert "content" not in response
    assert response["headers"]["Location"]["schema"] == {"type": "string", "format": "uri"}


def test_success_without_body_has_no_content():
    response = success_response(200, None, "application/json", with_body=False)
    assert response["description"] == "OK"
    assert "content" not in response
