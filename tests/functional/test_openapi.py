"""``/-/openapi.json`` describes every registered service; ``/-/docs`` shows it without any CDN."""

import base64
import gc
import hashlib
import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from openapi_spec_validator import validate
from pyramid.static import static_view
from sqlalchemy import update

from backrest.accounts.models import User
from backrest.openapi.document import REGISTRY_KEY
from backrest.openapi.operations import openapi_path
from backrest.security.permissions import Permission
from backrest.service import Service, register_services
from tests.client import Browser
from tests.conftest import CLIENT, PASSWORD

PROXY = "192.0.2.0/24"
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "api.example", "X-Forwarded-Prefix": "/api"}
ERROR_REFERENCE = {"$ref": "#/components/schemas/Error"}


@pytest.fixture
def document(browser):
    return browser.get("/-/openapi.json").json


def operations(document):
    for path, item in document["paths"].items():
        for method, described in item.items():
            yield path, method, described


def component(document, reference):
    kind, name = reference["$ref"].removeprefix("#/components/").split("/")
    return document["components"][kind][name]


def resolved(document, described):
    """``described``, or the component it refers to."""
    return component(document, described) if "$ref" in described else described


def schema_validator(document, schema):
    """A validator of data against ``schema``, whose references are the document's components."""
    return OAS30Validator({**schema, "components": document["components"]})


def success_headers(document, response):
    return {name: resolved(document, header) for name, header in response.get("headers", {}).items()}


def parameter_names(described, location="query"):
    return [parameter["name"] for parameter in described.get("parameters", ()) if parameter["in"] == location]


def header_parameter(described, name):
    return next(p for p in described["parameters"] if p["in"] == "header" and p["name"] == name)


# The document


@pytest.fixture(params=["default", "testapp"])
def described_app(request, app, app_with):
    """The default application, and one with the test app's toy content types too."""
    if request.param == "default":
        return app
    return app_with(**{"pyramid.includes": "tests.testapp"})


def test_document_is_valid_openapi(described_app):
    validate(Browser(described_app).get("/-/openapi.json").json)


def test_every_registered_method_of_every_service_is_described(described_app):
    document = Browser(described_app).get("/-/openapi.json").json
    expected = {
        (openapi_path(service.path), method.lower())
        for service in described_app.registry["backrest.services"]
        for method in service.defined_methods
    }
    assert expected <= {(path, method) for path, method, _ in operations(document)}


def test_operation_ids_are_unique(document):
    ids = [described["operationId"] for _, _, described in operations(document)]
    assert len(ids) == len(set(ids))


def test_summaries_are_the_service_descriptions(document):
    assert document["paths"]["/-/signup"]["post"]["summary"] == "Create an account."


def test_path_parameters_are_described(document):
    [parameter] = document["paths"]["/-/reset/{token}"]["put"]["parameters"]
    assert parameter == {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}


def test_signup_body_requires_email_and_password(document):
    body = document["paths"]["/-/signup"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert body["required"] is True
    assert schema["required"] == ["email", "password"]
    assert schema["properties"]["email"]["type"] == "string"
    assert schema["properties"]["email"]["format"] == "email"
    assert schema["properties"]["password"]["type"] == "string"
    assert schema["properties"]["firstname"] == {
        "type": "string",
        "maxLength": 100,
        "default": "",
        "title": "First name",
    }


def test_signup_body_may_be_sent_as_a_form_or_xml(document):
    content = document["paths"]["/-/signup"]["post"]["requestBody"]["content"]
    assert set(content) == {
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/xml",
    }


def test_signup_succeeds_with_201(document):
    assert "201" in document["paths"]["/-/signup"]["post"]["responses"]


def test_creations_of_content_succeed_with_201(document):
    assert "201" in document["paths"]["/-/documents/"]["post"]["responses"]
    assert "201" in document["paths"]["/-/files/"]["post"]["responses"]


def listed(document, path, method):
    return set(document["paths"][path][method]["responses"])


def test_a_new_key_is_the_201_the_document_lists(logged_in, document):
    logged_in.post_json("/-/keys/", {"name": "ci"}, status=201)
    team = logged_in.post_json("/-/teams/", {"name": "Crew"}, status=201).json
    logged_in.post_json(f"/-/teams/{team['__meta__']['id']}/keys/", {"name": "ci"}, status=201)
    for path in ("/-/keys/", "/-/teams/{id}/keys/"):
        assert "201" in listed(document, path, "post")
        assert "200" not in listed(document, path, "post")


def test_sharing_anew_and_again_answer_statuses_the_document_lists(logged_in, document):
    team = logged_in.post_json("/-/teams/", {"name": "Crew"}, status=201).json
    created = logged_in.post_json("/-/documents/", {"title": "Plan"}, status=201)
    share = f"{created.headers['Location']}/shares/{team['__meta__']['id']}"
    logged_in.put(share, status=201)
    logged_in.put(share, status=200)
    assert {"200", "201"} <= listed(document, "/-/documents/{id}/shares/{team_id}", "put")


def test_a_method_naming_an_object_the_caller_cannot_see_is_a_404_the_document_lists(logged_in, document):
    answer = logged_in.post_json(
        "/-/api/documents/set_status", {"documents": ["nothing"], "status": "archived"}, status=404
    )
    assert answer.json["errors"][0]["location"] == "body"
    assert "404" in listed(document, "/-/api/documents/set_status", "post")
    # A method that names no object is never one.
    assert "404" not in listed(document, "/-/api/home/describe_site", "post")


def test_uploads_and_downloads_are_described(document):
    upload = document["paths"]["/-/files/"]["post"]["requestBody"]["content"]
    form = upload["multipart/form-data"]["schema"]
    assert form["properties"]["file"] == {"type": "string", "format": "binary"}
    assert "file" in form["required"]
    assert set(form["properties"]) == {"file", "filename", "description", "public"}
    data = document["paths"]["/-/files/{id}/data"]
    assert data["get"]["responses"]["200"]["content"] == {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
    }
    assert {"206", "304", "416"} <= set(data["get"]["responses"])
    assert data["put"]["requestBody"]["content"]["*/*"]["schema"]["format"] == "binary"
    assert {"412", "413", "415"} <= set(data["put"]["responses"])
    assert data["put"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/File"
    }


def test_deletes_that_answer_no_content_succeed_with_204(document):
    responses = document["paths"]["/-/userprofile"]["delete"]["responses"]
    assert responses["204"]["description"] == "No Content"
    assert "content" not in responses["204"]
    assert "200" not in responses


def test_answers_name_the_rate_limit_headers(document):
    success = document["paths"]["/-/documents/"]["get"]["responses"]["200"]["headers"]
    too_many = document["components"]["responses"]["TooManyRequests"]["headers"]
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert name in success
        assert name in too_many
    assert "Retry-After" in too_many


def test_redirects_name_their_status_and_location(document):
    assert (
        "Location" in document["paths"]["/.well-known/change-password"]["get"]["responses"]["302"]["headers"]
    )


def test_every_error_response_has_the_error_schema(document):
    for _, _, described in operations(document):
        for status, response in described["responses"].items():
            if status == "default" or int(status) >= 400:
                shared = component(document, response)
                assert shared["content"]["application/json"]["schema"] == ERROR_REFERENCE


def test_error_schema_lists_the_contract_locations(document):
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["status", "errors"]
    location = error["properties"]["errors"]["items"]["properties"]["location"]
    assert location["enum"] == ["body", "cookie", "header", "path", "querystring", "request"]


ERRORS = [
    pytest.param(("POST", "/-/signup", 400, {"body": b"{}", "content_type": "application/json"}), id="400"),
    pytest.param(("POST", "/-/signup", 415, {"body": b"x", "content_type": "text/plain"}), id="415"),
    pytest.param(("GET", "/-/userprofile", 401, {}), id="401"),
    pytest.param(("GET", "/-/nowhere", 404, {}), id="404"),
    pytest.param(("DELETE", "/-/signup", 405, {}), id="405"),
]


@pytest.mark.parametrize("call", ERRORS)
def test_error_answers_match_the_error_schema(browser, document, call):
    method, path, status, kwargs = call
    answer = browser.request(path, method=method, status=status, **kwargs).json
    OAS30Validator(document["components"]["schemas"]["Error"]).validate(answer)


def test_protected_operations_need_the_session_and_list_401(document):
    password = document["paths"]["/-/password"]["put"]
    assert password["security"] == [{"session": [], "csrf": []}]
    assert {"401", "403"} <= set(password["responses"])


def test_content_operations_take_a_key_or_a_token_too(document):
    create = document["paths"]["/-/documents/"]["post"]
    assert create["security"] == [
        {"session": [], "csrf": []},
        {"key": []},
        {"basic": []},
        {"bearer": []},
        {"oauth2": ["write"]},
    ]
    assert document["paths"]["/-/documents/"]["get"]["security"] == [
        {"session": []},
        {"key": []},
        {"basic": []},
        {"bearer": []},
        {"oauth2": ["read"]},
    ]


def test_the_oauth2_scheme_names_this_sites_endpoints_and_scopes(document):
    flow = document["components"]["securitySchemes"]["oauth2"]["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == "http://localhost/oauth2/authorize"
    assert flow["tokenUrl"] == "http://localhost/oauth2/token"
    assert set(flow["scopes"]) == {"read", "write"}


def test_public_operations_need_no_security(document):
    assert "security" not in document["paths"]["/-/signup"]["post"]
    assert "401" not in document["paths"]["/-/signup"]["post"]["responses"]


def test_security_schemes_are_the_session_its_csrf_header_and_keys(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["session"] | {"description": ""} == {
        "type": "apiKey",
        "in": "cookie",
        "name": "backrest_session",
        "description": "",
    }
    assert (schemes["csrf"]["in"], schemes["csrf"]["name"]) == ("header", "X-CSRF-Token")
    assert (schemes["key"]["in"], schemes["key"]["name"]) == ("header", "Authorization")
    assert schemes["basic"]["scheme"] == "basic"


def test_security_scheme_follows_the_cookie_name_setting(app_with):
    renamed = Browser(app_with(**{"backrest.session.cookie_name": "sid"}), extra_environ=dict(CLIENT))
    assert renamed.get("/-/openapi.json").json["components"]["securitySchemes"]["session"]["name"] == "sid"


def test_document_is_built_once_when_the_application_starts(app, document):
    assert document["paths"] is not None
    assert app.registry["backrest.openapi"]["paths"] == document["paths"]
    assert "servers" not in app.registry["backrest.openapi"]


# Content types: components


def content_types(app):
    return app.registry["backrest.content_types"].values()


def test_every_content_type_has_its_components(described_app):
    document = Browser(described_app).get("/-/openapi.json").json
    schemas = document["components"]["schemas"]
    for content_type in content_types(described_app):
        name = content_type.model.__name__
        assert schemas[name]["properties"]["__meta__"] == {"$ref": "#/components/schemas/Meta"}
        assert schemas[f"{name}Page"]["properties"]["results"]["items"] == {
            "$ref": f"#/components/schemas/{name}"
        }
        assert (f"{name}Create" in schemas) is not content_type.read_only


def test_the_representation_holds_every_field_of_the_schema_and_meta(document):
    schemas = document["components"]["schemas"]
    fields = set(schemas["DocumentCreate"]["properties"])
    assert {"title", "body", "status", "tags", "attributes", "public"} <= fields
    assert set(schemas["Document"]["required"]) == {*fields, "__meta__"}
    assert set(schemas["Meta"]["required"]) == {
        "id",
        "url",
        "created",
        "modified",
        "owner",
        "version",
        "permissions",
    }


@pytest.mark.parametrize(
    ("component", "added"),
    [
        ("File", {"content_type", "size", "sha256", "download"}),
        ("Team", {"members"}),
        ("Application", {"client_id"}),
    ],
)
def test_the_fields_a_model_adds_are_described_read_only(document, component, added):
    schema = document["components"]["schemas"][component]
    read_only = {name for name, field in schema["properties"].items() if field.get("readOnly")}
    assert read_only == added
    assert added <= set(schema["required"])
    assert not added & set(
        document["components"]["schemas"].get(f"{component}Create", {}).get("properties", {})
    )


def test_a_creation_requires_what_the_schema_requires_and_an_update_nothing(document):
    schemas = document["components"]["schemas"]
    assert schemas["DocumentCreate"]["required"] == ["title"]
    assert "required" not in schemas["DocumentUpdate"]
    assert set(schemas["DocumentUpdate"]["properties"]) == set(schemas["DocumentCreate"]["properties"])


def test_a_read_only_type_has_no_body_components(document):
    schemas = document["components"]["schemas"]
    assert "AuditEntryPage" in schemas
    assert not {"AuditEntryCreate", "AuditEntryUpdate"} & set(schemas)


def test_item_and_list_answers_refer_to_the_components(document):
    collection = document["paths"]["/-/documents/"]
    item = document["paths"]["/-/documents/{id}"]

    def answer(operation, status):
        return operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]

    assert answer(collection["get"], "200") == "#/components/schemas/DocumentPage"
    assert answer(collection["post"], "201") == "#/components/schemas/Document"
    for method in ("get", "put", "patch"):
        assert answer(item[method], "200") == "#/components/schemas/Document"
    assert "content" not in item["delete"]["responses"]["204"]
    assert "content" not in item["head"]["responses"]["200"]


@pytest.mark.parametrize("path", ["/-/documents/", "/-/documents/{id}"])
def test_reads_answer_each_format_in_a_documented_media_type(logged_in, document, path):
    """``?format=`` chooses the answer's media type: the document lists each one."""
    url = logged_in.post_json("/-/documents/", {"title": "One"}, status=201).headers["Location"]
    described = document["paths"][path]["get"]["responses"]["200"]["content"]
    assert described["application/xml"] == described["application/json"]
    assert described["text/html"] == {"schema": {"type": "string"}}
    target = url if "{id}" in path else path
    [choices] = [
        p["schema"]["enum"] for p in document["paths"][path]["get"]["parameters"] if p["name"] == "format"
    ]
    for choice in choices:
        assert logged_in.get(target, {"format": choice}).content_type in described


def test_json_bodies_refer_to_the_components(document):
    def body(path, method):
        return document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]

    assert body("/-/documents/", "post") == {"$ref": "#/components/schemas/DocumentCreate"}
    assert body("/-/documents/{id}", "put") == {"$ref": "#/components/schemas/DocumentUpdate"}
    assert body("/-/documents/{id}", "patch") == {"$ref": "#/components/schemas/DocumentUpdate"}


def assert_matches(document, name, answer):
    schema_validator(document, {"$ref": f"#/components/schemas/{name}"}).validate(answer)


def test_documents_answers_match_their_components(logged_in, document):
    created = logged_in.post_json(
        "/-/documents/", {"title": "One", "tags": ["a"], "attributes": {"language": "fr"}}, status=201
    )
    assert_matches(document, "Document", created.json)
    url = created.headers["Location"]
    read = logged_in.get(url).json
    assert_matches(document, "Document", read)
    # Designed to be posted back: the representation is an update's body.
    assert_matches(document, "DocumentUpdate", read)
    assert_matches(document, "Document", logged_in.put_json(url, read).json)
    assert_matches(document, "DocumentPage", logged_in.get("/-/documents/?page_size=1").json)


def test_other_types_answers_match_their_components(logged_in, document):
    uploaded = logged_in.post(
        "/-/files/", {"description": "Notes"}, upload_files=[("file", "a.txt", b"hi", "text/plain")]
    )
    assert_matches(document, "File", uploaded.json)
    assert not schema_validator(document, {"$ref": "#/components/schemas/File"}).is_valid(
        {**uploaded.json, "size": "two"}
    )
    assert_matches(document, "FilePage", logged_in.get("/-/files/").json)
    team = logged_in.post_json("/-/teams/", {"name": "Crew"}, status=201).json
    assert team["members"]
    assert_matches(document, "Team", team)
    assert_matches(document, "TeamPage", logged_in.get("/-/teams/").json)
    logs = logged_in.get("/-/logs/").json
    assert logs["results"]
    assert_matches(document, "AuditEntryPage", logs)


def test_a_page_that_breaks_its_component_is_refused(logged_in, document):
    page = logged_in.get("/-/documents/").json
    assert not schema_validator(document, {"$ref": "#/components/schemas/DocumentPage"}).is_valid(
        {**page, "results": [{"title": "No meta"}]}
    )


# Every success is typed, and every answer is what its type says


FREE_FORM = {("/-/openapi.json", "get")}
"""Answers no schema here describes: this document, which the OpenAPI specification describes."""
JSON = "application/json"


def flattened(document, schema):
    """``schema`` with its reference followed, and the parts of an ``allOf`` merged into it."""
    schema = resolved(document, schema)
    merged = {key: value for key, value in schema.items() if key != "allOf"}
    for part in schema.get("allOf", ()):
        flat = flattened(document, part)
        merged["properties"] = {**merged.get("properties", {}), **flat.get("properties", {})}
        merged.update({key: value for key, value in flat.items() if key != "properties"})
    return merged


def untyped(document, schema):
    """Any value at all, or an object of any keys and values: nothing is said of it.

    (A typed method that returns nothing answers a ``null`` the schema says,
    without a type: OpenAPI 3.0 has none for it.)
    """
    flat = flattened(document, schema)
    if not flat:
        return True
    return flat.get("type") == "object" and not flat.get("properties") and "additionalProperties" not in flat


def json_successes(document):
    for path, method, described in operations(document):
        for status, response in described["responses"].items():
            schema = resolved(document, response).get("content", {}).get(JSON, {}).get("schema")
            if status.startswith("2") and schema is not None:
                yield (path, method, status), schema


def test_every_json_success_is_typed(described_app):
    document = Browser(described_app).get("/-/openapi.json").json
    found = [
        operation
        for operation, schema in json_successes(document)
        if untyped(document, schema) and operation[:2] not in FREE_FORM
    ]
    assert found == []


def test_an_answer_of_any_object_says_why(document):
    described = dict(json_successes(document))
    for path, method in FREE_FORM:
        assert described[path, method, "200"]["description"]


def test_every_options_answers_the_options_schema(described_app):
    document = Browser(described_app).get("/-/openapi.json").json
    for (_path, method, _status), schema in json_successes(document):
        if method == "options":
            assert schema == {"$ref": "#/components/schemas/Options"}


def undescribed(document, schema, value, where="answer"):
    """The keys in ``value`` that ``schema`` does not name: what a schema of it forgot."""
    schema = flattened(document, schema)
    if isinstance(value, list) and "items" in schema:
        return [
            key
            for n, item in enumerate(value)
            for key in undescribed(document, schema["items"], item, f"{where}.{n}")
        ]
    if not isinstance(value, dict):
        return []
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties")
    found = []
    for key, item in value.items():
        if key in properties or isinstance(extra, dict):
            found += undescribed(document, properties.get(key, extra), item, f"{where}.{key}")
        else:
            found.append(f"{where}.{key}")
    return found


def assert_answers_as_described(document, response, path, method, *, every_key=True):
    """``response`` is valid against its operation's schema (the timestamps' format too), naming every key.

    A content type's representation may hold read-only keys of its model
    that are not described (``every_key=False``): a team's ``members``.
    """
    method = method.lower()
    described = document["paths"][path][method]["responses"][str(response.status_int)]
    schema = described["content"][JSON]["schema"]
    checked = {**schema, "components": document["components"]}
    OAS30Validator(checked, format_checker=oas30_format_checker).validate(response.json)
    if every_key:
        assert undescribed(document, schema, response.json) == []


def test_signup_and_login_answer_as_described(browser, mailbox, document):
    signed_up = browser.post_json("/-/signup", {"email": "ada@example.com", "password": PASSWORD}, status=201)
    assert_answers_as_described(document, signed_up, "/-/signup", "POST")
    assert_answers_as_described(document, browser.get("/-/login"), "/-/login", "GET")
    token = mailbox.last_to("ada@example.com").token
    confirmed = browser.post_json("/-/confirm/", {"token": token})
    assert_answers_as_described(document, confirmed, "/-/confirm/", "POST")
    logged_in = browser.login("ada@example.com", PASSWORD)
    assert_answers_as_described(document, logged_in, "/-/login", "PUT")
    status = browser.get("/-/login")
    assert status.json["authenticated"] is True
    assert_answers_as_described(document, status, "/-/login", "GET")


def test_account_answers_are_as_described(logged_in, document):
    assert_answers_as_described(document, logged_in.get("/-/userprofile"), "/-/userprofile", "GET")
    updated = logged_in.put_json("/-/userprofile", {"lastname": "Lovelace"})
    assert_answers_as_described(document, updated, "/-/userprofile", "PUT")
    changed = logged_in.put_json("/-/password", {"current": PASSWORD, "password": PASSWORD + "!"})
    assert "csrf_token" in changed.json
    assert_answers_as_described(document, changed, "/-/password", "PUT")


def test_keys_answer_as_described(logged_in, document):
    made = logged_in.post_json("/-/keys/", {"name": "ci", "scopes": ["read"]}, status=201)
    assert_answers_as_described(document, made, "/-/keys/", "POST")
    listed = logged_in.get("/-/keys/")
    assert listed.json["results"]
    assert_answers_as_described(document, listed, "/-/keys/", "GET")
    team = logged_in.post_json("/-/teams/", {"name": "Crew"}, status=201).json
    team_keys = f"/-/teams/{team['__meta__']['id']}/keys/"
    made = logged_in.post_json(team_keys, {"name": "ci"}, status=201)
    assert_answers_as_described(document, made, "/-/teams/{id}/keys/", "POST")
    assert_answers_as_described(document, logged_in.get(team_keys), "/-/teams/{id}/keys/", "GET")


def test_sessions_answer_as_described(logged_in, document):
    listed = logged_in.get("/-/sessions/")
    assert listed.json["results"]
    assert_answers_as_described(document, listed, "/-/sessions/", "GET")


@pytest.mark.parametrize("collection", ["documents", "files"])
def test_shares_answer_as_described(logged_in, document, collection):
    team = logged_in.post_json("/-/teams/", {"name": "Crew"}, status=201).json
    if collection == "documents":
        made = logged_in.post_json("/-/documents/", {"title": "Plan"}, status=201)
    else:
        made = logged_in.post("/-/files/", upload_files=[("file", "a.txt", b"hi", "text/plain")], status=201)
    shares = made.headers["Location"].removeprefix("http://localhost") + "/shares/"
    share = f"/-/{collection}/{{id}}/shares/{{team_id}}"
    for status in (201, 200):
        shared = logged_in.put(shares + team["__meta__"]["id"], status=status)
        assert_answers_as_described(document, shared, share, "PUT")
    listed = logged_in.get(shares)
    assert listed.json["results"]
    assert_answers_as_described(document, listed, f"/-/{collection}/{{id}}/shares/", "GET")


def test_invitations_answer_as_described(logged_in, mailbox, document):
    team = logged_in.post_json("/-/teams/", {"name": "Crew"}, status=201).json
    team_url = f"/-/teams/{team['__meta__']['id']}"
    invited = logged_in.post_json(f"{team_url}/members", {"email": "ada@example.com"}, status=202)
    assert_answers_as_described(document, invited, "/-/teams/{id}/members", "POST")
    pending = logged_in.get(f"{team_url}/invitations/")
    assert pending.json["results"]
    assert_answers_as_described(document, pending, "/-/teams/{id}/invitations/", "GET")
    joined = logged_in.post(f"/-/teams/invitations/{mailbox.last_to('ada@example.com').token}")
    assert_answers_as_described(document, joined, "/-/teams/invitations/{token}", "POST", every_key=False)


@pytest.fixture
def admin(logged_in, dbsession):
    """ada@example.com, an admin: she may register applications."""
    dbsession.execute(update(User).where(User.email == "ada@example.com").values(is_admin=True))
    dbsession.commit()
    logged_in.login("ada@example.com", PASSWORD)
    return logged_in


def register(admin, client_type):
    return admin.post_json(
        "/-/applications/",
        {"name": "Notes", "client_type": client_type, "redirect_uris": ["https://app.example/cb"]},
        status=201,
    ).json


def test_a_new_client_secret_answers_as_described(admin, document):
    made = register(admin, "confidential")
    rotated = admin.post(made["__meta__"]["url"].removeprefix("http://localhost") + "/secret")
    assert_answers_as_described(document, rotated, "/-/applications/{id}/secret", "POST", every_key=False)
    assert rotated.json["client_secret"]


def test_oauth_answers_as_described(admin, document):
    client_id = register(admin, "public")["client_id"]
    revoked = admin.post("/oauth2/revoke", {"client_id": client_id, "token": "unknown"})
    assert_answers_as_described(document, revoked, "/oauth2/revoke", "POST")
    metadata = "/.well-known/oauth-authorization-server"
    assert_answers_as_described(document, admin.get(metadata), metadata, "GET")
    assert_answers_as_described(document, admin.get("/-/authorizations/"), "/-/authorizations/", "GET")


def test_discovery_answers_as_described(browser, document):
    for path in ("/-/", "/-/heartbeat", "/-/version"):
        assert_answers_as_described(document, browser.get(path), path, "GET")


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/-/signup", "/-/signup"),
        ("/-/keys/", "/-/keys/"),
        ("/-/documents/", "/-/documents/"),
        ("/-/files/", "/-/files/"),
        ("/-/teams/", "/-/teams/"),
        ("/-/api/home/describe_site", "/-/api/home/describe_site"),
    ],
)
def test_options_answer_as_described(logged_in, document, url, path):
    answer = logged_in.options(url)
    assert answer.json["actions"]
    assert_answers_as_described(document, answer, path, "OPTIONS")


def test_options_of_an_item_answer_as_described(logged_in, document):
    made = logged_in.post_json("/-/teams/", {"name": "Crew"}, status=201).json
    answer = logged_in.options(made["__meta__"]["url"].removeprefix("http://localhost"))
    assert answer.json["actions"]["PUT"]["permissions"]["choices"]
    assert_answers_as_described(document, answer, "/-/teams/{id}", "OPTIONS")


def test_an_answer_with_a_key_the_schema_forgot_is_refused(logged_in, document):
    schema = {"$ref": "#/components/schemas/SessionList"}
    listed = logged_in.get("/-/sessions/").json
    listed["results"][0]["secret"] = "x"
    assert undescribed(document, schema, listed) == ["answer.results.0.secret"]


# Content types: tags


def test_operations_under_a_content_type_are_tagged_with_its_name(document):
    for path, _method, described in operations(document):
        if path.startswith(("/-/documents/", "/-/files/")):
            assert described["tags"] == [path.split("/")[2]]
    assert document["paths"]["/-/documents/{id}/shares/"]["get"]["tags"] == ["documents"]
    assert document["paths"]["/-/teams/{id}/members"]["post"]["tags"] == ["teams"]


def test_each_content_type_is_a_tag_with_its_description(app, document):
    tags = {tag["name"]: tag.get("description") for tag in document["tags"]}
    for content_type in content_types(app):
        assert tags[content_type.name] == content_type.description


# Content types: list parameters


def expected_filters(content_type):
    return [
        field if lookup == "exact" else f"{field}__{lookup}"
        for field, lookups in content_type.filters.items()
        for lookup in lookups
    ]


def test_list_parameters_of_documents(app, document):
    documents = app.registry["backrest.content_types"]["documents"]
    listed = document["paths"]["/-/documents/"]["get"]
    assert parameter_names(listed) == [
        "page",
        "page_size",
        *expected_filters(documents),
        "search",
        "ordering",
        "modified_since",
        "format",
    ]
    by_name = {parameter["name"]: parameter for parameter in listed["parameters"]}
    assert by_name["public"]["schema"] == {"type": "boolean"}
    assert by_name["created__gte"]["schema"] == {"type": "string", "format": "date-time"}
    assert by_name["status__in"]["schema"]["type"] == "array"
    assert (by_name["status__in"]["style"], by_name["status__in"]["explode"]) == ("form", False)
    # Each declared field, ascending and descending.
    assert set(by_name["ordering"]["schema"]["items"]["enum"]) == {
        choice for field in documents.ordering for choice in (field, f"-{field}")
    }
    assert by_name["format"]["schema"]["enum"] == ["json", "xml", "api"]
    assert by_name["page_size"]["schema"]["maximum"] == app.registry.settings["backrest.page_size.max"]
    assert by_name["page_size"]["schema"]["default"] == app.registry.settings["backrest.page_size.default"]


def test_page_size_follows_the_settings(app_with):
    settings = {"backrest.page_size.max": "50", "backrest.page_size.default": "10"}
    document = Browser(app_with(**settings), extra_environ=dict(CLIENT)).get("/-/openapi.json").json
    [page_size] = [p for p in document["paths"]["/-/files/"]["get"]["parameters"] if p["name"] == "page_size"]
    assert (page_size["schema"]["maximum"], page_size["schema"]["default"]) == (50, 10)


def test_a_type_without_search_fields_has_no_search_parameter(document):
    assert "search" not in parameter_names(document["paths"]["/-/logs/"]["get"])
    assert "search" in parameter_names(document["paths"]["/-/teams/"]["get"])


def sample(schema):
    """A value of ``schema`` as a query string sends it."""
    if schema.get("type") == "array":
        return sample(schema["items"])
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("format") == "date-time":
        return "2026-01-01T00:00:00Z"
    return {"boolean": "true", "integer": "1"}.get(schema.get("type"), "x")


@pytest.mark.parametrize("collection", ["documents", "files", "teams", "logs"])
def test_the_server_reads_every_list_parameter_the_document_names(logged_in, document, collection):
    listed = document["paths"][f"/-/{collection}/"]["get"]
    for parameter in listed["parameters"]:
        if parameter["in"] == "query":
            logged_in.get(f"/-/{collection}/", {parameter["name"]: sample(parameter["schema"])}, status=200)
    # And refuses those it does not name.
    logged_in.get(f"/-/{collection}/", {"unknown__gte": "1"}, status=400)


# Content types: headers and conditional requests


def test_answers_name_their_validators_and_the_server_sends_them(logged_in, document):
    collection = document["paths"]["/-/documents/"]
    item = document["paths"]["/-/documents/{id}"]
    created = logged_in.post_json("/-/documents/", {"title": "One"}, status=201)
    listed = logged_in.get("/-/documents/")
    read = logged_in.get(created.headers["Location"])
    for described, answer, status, headers in [
        (collection["post"], created, "201", {"Location", "ETag"}),
        (collection["get"], listed, "200", {"ETag", "Last-Modified", "X-Page-Generated"}),
        (item["get"], read, "200", {"ETag", "Last-Modified"}),
        (item["put"], logged_in.put_json(created.headers["Location"], {}), "200", {"ETag"}),
    ]:
        named = success_headers(document, described["responses"][status])
        assert headers <= set(named)
        assert all(answer.headers[name] for name in headers)
    assert "X-Count-Exact" in success_headers(document, collection["get"]["responses"]["200"])
    assert success_headers(document, collection["get"]["responses"]["200"])["X-Page-Generated"]["schema"] == {
        "type": "string",
        "format": "date-time",
    }


def test_every_success_names_the_rate_limit_headers(document):
    for _path, _method, described in operations(document):
        for status, response in described["responses"].items():
            if status != "default" and int(status) < 400:
                assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(
                    success_headers(document, response)
                )


def test_reads_take_if_none_match_and_answer_304(logged_in, document):
    url = logged_in.post_json("/-/documents/", {"title": "One"}, status=201).headers["Location"]
    for path in ("/-/documents/", "/-/documents/{id}", "/-/files/{id}/data"):
        for method in ("get", "head"):
            described = document["paths"][path][method]
            assert parameter_names(described, "header")[-2:] == ["If-None-Match", "If-Modified-Since"]
            assert "ETag" in success_headers(document, described["responses"]["304"])
            assert "content" not in described["responses"]["304"]
    for target in ("/-/documents/", url):
        etag = logged_in.get(target).headers["ETag"]
        logged_in.get(target, headers={"If-None-Match": etag}, status=304)


def test_writes_take_if_match_and_answer_412(logged_in, document):
    for method in ("put", "patch", "delete"):
        described = document["paths"]["/-/documents/{id}"][method]
        assert header_parameter(described, "If-Match")["required"] is False
        assert "412" in described["responses"]
        assert "428" not in described["responses"]
    url = logged_in.post_json("/-/documents/", {"title": "One"}, status=201).headers["Location"]
    logged_in.put_json(url, {"title": "Two"}, headers={"If-Match": '"stale"'}, status=412)


def test_if_match_is_required_with_428_where_the_settings_demand_it(app_with, signup):
    strict = Browser(app_with(**{"backrest.require_if_match": "true"}), extra_environ=dict(CLIENT))
    document = strict.get("/-/openapi.json").json
    for path, method in [
        ("/-/documents/{id}", "put"),
        ("/-/documents/{id}", "delete"),
        ("/-/files/{id}/data", "put"),
    ]:
        described = document["paths"][path][method]
        assert header_parameter(described, "If-Match")["required"] is True
        assert "428" in described["responses"]
    assert "PreconditionRequired" in document["components"]["responses"]
    strict.login(signup(), PASSWORD)
    url = strict.post_json("/-/documents/", {"title": "One"}, status=201).headers["Location"]
    strict.put_json(url, {"title": "Two"}, status=428)


# Forms and uploads


def test_form_bodies_have_dotted_names_and_repeated_lists(document):
    content = document["paths"]["/-/documents/"]["post"]["requestBody"]["content"]
    for media_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = content[media_type]
        properties = form["schema"]["properties"]
        assert {"attributes.language", "attributes.color", "attributes.priority"} <= set(properties)
        assert "attributes" not in properties
        assert properties["tags"]["type"] == "array"
        assert form["encoding"] == {"tags": {"style": "form", "explode": True}}
        assert form["schema"]["required"] == ["title"]


def test_a_form_of_the_documented_names_is_read_as_the_json_body(logged_in, document):
    properties = document["paths"]["/-/documents/"]["post"]["requestBody"]["content"][
        "application/x-www-form-urlencoded"
    ]["schema"]["properties"]
    fields = [("title", "One"), ("attributes.language", "fr"), ("tags", "a"), ("tags", "b")]
    assert {name for name, _ in fields} <= set(properties)
    created = logged_in.post("/-/documents/", fields, status=201).json
    assert (created["attributes"], created["tags"]) == ({"language": "fr"}, ["a", "b"])


# The hooks of other parts of the code: a response schema as a dict, tags


WORDS = {"type": "array", "items": {"type": "string"}}
words = Service("testing.words", "/-/testing/words", "Some words.")


@words.get(permission=Permission.PUBLIC, response_schema=WORDS, openapi_tags=["api.testing", "words"])
def words_view(request):
    return ["some", "words"]


def includeme(config):
    """Registers ``words``: ``pyramid.includes = tests.functional.test_openapi``."""
    config.include("cornice")
    register_services(config, words)


@pytest.fixture
def with_words(app_with):
    return Browser(app_with(**{"pyramid.includes": __name__}), extra_environ=dict(CLIENT))


def test_a_response_schema_given_as_a_dict_and_tags_are_used_as_they_are(with_words):
    document = with_words.get("/-/openapi.json").json
    validate(document)
    described = document["paths"]["/-/testing/words"]["get"]
    assert described["responses"]["200"]["content"]["application/json"]["schema"] == WORDS
    assert described["tags"] == ["api.testing", "words"]
    schema_validator(document, WORDS).validate(with_words.get("/-/testing/words").json)


# Servers


def test_server_is_the_url_the_application_was_reached_at(document):
    assert document["servers"] == [{"url": "http://localhost"}]


def test_server_follows_a_trusted_proxy(app_with):
    behind_proxy = Browser(app_with(**{"backrest.trusted_proxies": PROXY}), extra_environ=dict(CLIENT))
    document = behind_proxy.get("/-/openapi.json", headers=FORWARDED).json
    assert document["servers"] == [{"url": "https://api.example/api"}]


def test_server_ignores_forwarded_headers_from_untrusted_clients(browser):
    document = browser.get("/-/openapi.json", headers=FORWARDED).json
    assert document["servers"] == [{"url": "http://localhost"}]


# The interactive page


class Links(HTMLParser):
    """The URLs a page loads, and its inline scripts."""

    def __init__(self):
        super().__init__()
        self.urls = []
        self.data_urls = []
        self.scripts = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.urls.extend(attributes[name] for name in ("src", "href") if name in attributes)
        if "data-url" in attributes:
            self.data_urls.append(attributes["data-url"])
        self._in_script = tag == "script" and "src" not in attributes

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)

    def handle_endtag(self, tag):
        self._in_script = False


def links(response):
    parser = Links()
    parser.feed(response.text)
    return parser


@pytest.mark.parametrize("path", ["/-/docs", "/-/docs/"])
def test_docs_page_loads_only_local_files_that_exist(browser, path):
    page = browser.get(path)
    assert page.content_type == "text/html"
    found = links(page)
    assert found.urls
    for url in found.urls:
        assert not re.match(r"(https?:)?//", url)
        absolute = urljoin(f"http://localhost{path}", url)
        assert absolute.startswith("http://localhost/-/docs/static/")
        browser.get(absolute, status=200)


@pytest.mark.parametrize("path", ["/-/docs", "/-/docs/"])
def test_docs_page_points_at_the_document_by_a_relative_url(browser, path):
    [url] = links(browser.get(path)).data_urls
    assert not url.startswith("/")
    assert urljoin(f"http://localhost{path}", url) == "http://localhost/-/openapi.json"


def test_docs_page_allows_only_its_own_files_and_its_one_inline_script(browser):
    page = browser.get("/-/docs")
    policy = dict(part.split(" ", 1) for part in page.headers["Content-Security-Policy"].split("; "))
    [script] = links(page).scripts
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert policy["script-src"] == f"'self' 'sha256-{digest}'"
    assert policy["default-src"] == "'none'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"


def test_swagger_ui_script_is_served_and_cached(browser):
    response = browser.get("/-/docs/static/swagger-ui-bundle.js", status=200)
    assert response.content_type in {"text/javascript", "application/javascript"}
    assert response.headers["Cache-Control"] == "max-age=31536000"


def test_missing_static_file_is_a_404_in_the_error_shape(browser):
    response = browser.get("/-/docs/static/nothing.js", status=404)
    assert response.json["status"] == "error"


def test_root_lists_the_document_and_the_page(browser):
    services = browser.get("/-/").json["services"]
    assert services["openapi"]["url"] == "http://localhost/-/openapi.json"
    assert services["docs"]["url"] == "http://localhost/-/docs"


def test_the_document_is_built_when_first_asked_for_and_kept(app_with):
    other = app_with()
    assert REGISTRY_KEY not in other.registry
    client = Browser(other, extra_environ=dict(CLIENT))
    first = client.get("/-/openapi.json").json
    kept = other.registry[REGISTRY_KEY]
    assert client.get("/-/openapi.json").json == first
    assert other.registry[REGISTRY_KEY] is kept


def test_the_docs_assets_keep_nothing_of_the_paths_asked_for(app, browser):
    for number in range(20):
        browser.get(f"/-/docs/static/nothing-{number}.js", status=404)
    kept = [view.filemap for view in gc.get_objects() if isinstance(view, static_view)]
    assert kept
    assert all(not filemap for filemap in kept)
