"""``/-/openapi.json`` describes every registered service; ``/-/docs`` shows it without any CDN."""

import base64
import hashlib
import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from backrest.openapi.operations import openapi_path
from tests.client import Browser
from tests.conftest import CLIENT

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
    assert schema["properties"]["firstname"] == {"type": "string", "maxLength": 100, "default": ""}


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


def test_uploads_and_downloads_are_described(document):
    upload = document["paths"]["/-/files/"]["post"]["requestBody"]["content"]
    form = upload["multipart/form-data"]["schema"]
    assert form["properties"]["file"] == {"type": "string", "format": "binary"}
    assert "file" in form["required"]
    data = document["paths"]["/-/files/{id}/data"]
    assert list(data["get"]["responses"]["200"]["content"]) == ["application/octet-stream"]
    assert "416" in data["get"]["responses"]
    assert data["put"]["requestBody"]["content"]["*/*"]["schema"]["format"] == "binary"
    assert {"412", "413", "415"} <= set(data["put"]["responses"])


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
