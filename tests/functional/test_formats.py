"""Section 6 of the contract: JSON, XML and the browsable page out; JSON, forms and XML in."""

import re

import pytest
import webtest
from sqlalchemy import func, select

from backrest.accounts.models import User
from backrest.formats.xml import parse_xml
from tests.client import Browser
from tests.conftest import CLIENT, PASSWORD, error_fields

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
NEW = {"email": "ada@example.com", "password": PASSWORD, "firstname": "Ada"}


def count_users(dbsession):
    return dbsession.scalar(select(func.count()).select_from(User))


# Responses


def test_json_by_default(browser):
    response = browser.get("/-/version")
    assert response.content_type == "application/json"
    assert set(response.json) == {"name", "version"}


def test_negotiated_responses_vary_on_accept(browser):
    assert "Accept" in browser.get("/-/version").headers["Vary"]
    assert "Accept" in browser.get("/-/version", headers={"Accept": "application/xml"}).headers["Vary"]


def test_json_when_asked(browser):
    response = browser.get("/-/version", headers={"Accept": "application/json"})
    assert response.content_type == "application/json"


def test_xml_when_asked(browser):
    response = browser.get("/-/version", headers={"Accept": "application/xml"})
    assert response.content_type == "application/xml"
    assert response.charset == "utf-8"
    assert response.text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<root><name>backrest</name>')
    assert parse_xml(response.body) == browser.get("/-/version").json


def test_xml_of_nested_services(browser):
    document = parse_xml(browser.get("/-/", headers={"Accept": "application/xml"}).body)
    assert document["services"]["signup"]["url"] == "http://localhost/-/signup"


def test_xml_with_booleans_and_timestamps(logged_in):
    status = parse_xml(logged_in.get("/-/login", headers={"Accept": "application/xml"}).body)
    assert (status["authenticated"], status["email_verified"]) == (True, True)
    sessions = parse_xml(logged_in.get("/-/sessions/", headers={"Accept": "application/xml"}).body)
    [session] = sessions["results"]
    assert session["created"].endswith("Z")


def test_html_for_a_browser(browser):
    response = browser.get("/-/", headers={"Accept": BROWSER_ACCEPT})
    assert response.content_type == "text/html"
    assert '<a href="http://localhost/-/signup">' in response.text
    assert "&#34;services&#34;" in response.text


@pytest.mark.parametrize(
    ("query", "accept", "content_type"),
    [
        ("?format=json", BROWSER_ACCEPT, "application/json"),
        ("?format=xml", "application/json", "application/xml"),
        ("?format=api", "application/json", "text/html"),
        ("?format=json", "image/png", "application/json"),
    ],
)
def test_format_parameter_overrides_accept(browser, query, accept, content_type):
    assert browser.get("/-/version" + query, headers={"Accept": accept}).content_type == content_type


def test_unacceptable_accept_is_406_in_the_error_shape(browser):
    response = browser.get("/-/version", headers={"Accept": "image/png"}, status=406)
    assert response.content_type == "application/json"
    assert error_fields(response) == [("header", "Accept")]
    assert response.headers["Cache-Control"] == "no-store"


def test_unknown_format_is_406_on_the_query_string(browser):
    response = browser.get("/-/version?format=yaml", status=406)
    assert error_fields(response) == [("querystring", "format")]


def test_406_comes_before_the_view_acts(browser, dbsession, mailbox):
    browser.post_json("/-/signup", NEW, headers={"Accept": "image/png"}, status=406)
    assert count_users(dbsession) == 0
    assert mailbox.new() == []


def test_errors_stay_json_whatever_was_asked(browser):
    for accept in ("application/xml", "text/html"):
        response = browser.get("/-/userprofile", headers={"Accept": accept}, status=401)
        assert response.content_type == "application/json"
        assert error_fields(response) == [("header", "Authorization")]


def test_answers_without_a_body_are_negotiated_too(logged_in):
    logged_in.delete("/-/sessions/", headers={"Accept": "image/png"}, status=406)
    assert len(logged_in.get("/-/sessions/").json["results"]) == 1


def test_json_output_is_unchanged(logged_in):
    response = logged_in.get("/-/sessions/")
    assert response.content_type == "application/json"
    assert response.json["results"][0]["created"].endswith("Z")


# The browsable page


def browsable(browser, path, **kwargs):
    return browser.get(path, headers={"Accept": "text/html"}, **kwargs)


def test_page_escapes_what_it_shows(logged_in):
    logged_in.put_json("/-/userprofile", {"firstname": "<script>alert(1)</script>"})
    html = browsable(logged_in, "/-/login").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script") == 1


def test_page_allows_only_its_own_script(browser):
    response = browsable(browser, "/-/")
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert f'<script nonce="{nonce}">' in response.text
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_other_formats_keep_the_frame_only_policy(browser):
    assert browser.get("/-/").headers["Content-Security-Policy"] == "frame-ancestors 'none'"


def test_page_links_to_the_other_formats(browser):
    html = browsable(browser, "/-/version").text
    assert 'href="http://localhost/-/version?format=json"' in html
    assert 'href="http://localhost/-/version?format=xml"' in html


def test_page_tells_where_to_get_the_csrf_token(browser):
    assert 'data-csrf-source="http://localhost/-/login"' in browsable(browser, "/-/").text


def test_page_behind_a_proxy_prefix_links_with_the_prefix(app_with):
    proxied = Browser(app_with(**{"backrest.trusted_proxies": "192.0.2.0/24"}), extra_environ=dict(CLIENT))
    headers = {"Accept": "text/html", "X-Forwarded-Prefix": "/api", "X-Forwarded-Host": "api.example"}
    html = proxied.get("/-/", headers=headers).text
    assert '<a href="http://api.example/api/-/signup">' in html
    assert 'data-csrf-source="http://api.example/api/-/login"' in html


def test_document_page_etag_lets_its_form_write(logged_in):
    created = logged_in.post_json("/-/documents/", {"title": "Minutes"}, status=201)
    page = browsable(logged_in, created.location)
    logged_in.patch_json(created.location, {"title": "Agenda"}, headers={"If-Match": page.headers["ETag"]})
    assert logged_in.get(created.location).json["title"] == "Agenda"


# Request bodies


def test_signup_as_a_urlencoded_form(browser, mailbox):
    browser.post("/-/signup", NEW, status=201)
    browser.login("ada@example.com", PASSWORD, status=200)
    assert browser.get("/-/login").json["firstname"] == "Ada"


def test_signup_as_multipart(browser, mailbox):
    browser.post("/-/signup", NEW, content_type="multipart/form-data", status=201)
    browser.login("ada@example.com", PASSWORD, status=200)
    assert browser.get("/-/login").json["firstname"] == "Ada"


@pytest.mark.parametrize("content_type", ["application/xml", "text/xml"])
def test_signup_as_xml(browser, mailbox, content_type):
    body = (
        f"<signup><email>ada@example.com</email><password>{PASSWORD}</password>"
        "<firstname>Ada</firstname></signup>"
    )
    browser.post("/-/signup", body, content_type=content_type, status=201)
    browser.login("ada@example.com", PASSWORD, status=200)
    assert browser.get("/-/login").json["firstname"] == "Ada"


def test_repeated_form_fields_take_the_last_value(browser, mailbox):
    body = f"email=bob%40example.com&email=ada%40example.com&password={PASSWORD}"
    browser.post("/-/signup", body, content_type="application/x-www-form-urlencoded", status=201)
    browser.login("ada@example.com", PASSWORD, status=200)


def test_conflicting_form_names_are_400_on_the_field(browser, dbsession):
    body = f"email=ada%40example.com&password={PASSWORD}&firstname=A&firstname.x=B"
    response = browser.post("/-/signup", body, content_type="application/x-www-form-urlencoded", status=400)
    assert error_fields(response) == [("body", "firstname")]
    assert count_users(dbsession) == 0


def test_form_field_errors_name_the_field(browser):
    response = browser.post("/-/signup", {"email": "ada@example", "password": PASSWORD}, status=400)
    assert error_fields(response) == [("body", "email")]


@pytest.mark.parametrize("content_type", ["text/plain", "application/yaml", "text/csv"])
def test_other_body_types_are_415(browser, content_type):
    response = browser.post("/-/signup", "email=ada", content_type=content_type, status=415)
    assert error_fields(response) == [("header", "Content-Type")]


@pytest.mark.parametrize(
    "body",
    [
        "<signup><email>ada@example.com</email>",
        "<signup><email>ada@example.com</signup>",
        "not xml at all",
        "<signup>text<email/></signup>",
        "<signup><item>1</item></signup>",
        '<signup><email type="number">ada@example.com</email></signup>',
        '<signup><email type="date">ada@example.com</email></signup>',
    ],
)
def test_broken_xml_is_400_on_the_body(browser, dbsession, body):
    response = browser.post("/-/signup", body, content_type="application/xml", status=400)
    assert error_fields(response) == [("body", None)]
    assert count_users(dbsession) == 0


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE signup [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + level)} "{("&" + chr(97 + level) + ";") * 10}">' for level in range(8))
    + "]><signup><email>&i;</email></signup>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE signup [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    "<signup><email>&secret;</email></signup>"
)


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion laughs", "XXE"])
def test_entity_attacks_are_400(browser, body):
    response = browser.post("/-/signup", body, content_type="application/xml", status=400)
    assert error_fields(response) == [("body", None)]
    assert "passwd" not in response.text
    assert "root:" not in response.text


# Body size


@pytest.fixture
def small(app_with):
    return Browser(app_with(**{"backrest.max_body_size": "200"}), extra_environ=dict(CLIENT))


def test_body_over_the_limit_is_413(small, dbsession):
    response = small.post_json("/-/signup", {**NEW, "firstname": "A" * 300}, status=413)
    assert error_fields(response) == [("body", None)]
    assert response.json["errors"][0]["description"] == "The body is larger than 200 bytes."
    assert count_users(dbsession) == 0


def test_body_within_the_limit_is_read(small, mailbox):
    small.post_json("/-/signup", NEW, status=201)


def test_chunked_body_over_the_limit_is_413(small):
    request = webtest.TestRequest.blank(
        "/-/signup", method="POST", body=b"a=" + b"x" * 1000, content_type="application/x-www-form-urlencoded"
    )
    del request.environ["CONTENT_LENGTH"]
    request.environ["wsgi.input_terminated"] = True
    request.headers["Transfer-Encoding"] = "chunked"
    response = small.do_request(request, status=413)
    assert error_fields(response) == [("body", None)]


def test_chunked_body_within_the_limit_is_read(small, mailbox):
    body = f"email=ada%40example.com&password={PASSWORD.replace(' ', '+')}".encode()
    request = webtest.TestRequest.blank(
        "/-/signup", method="POST", body=body, content_type="application/x-www-form-urlencoded"
    )
    del request.environ["CONTENT_LENGTH"]
    request.environ["wsgi.input_terminated"] = True
    small.do_request(request, status=201)
    small.login("ada@example.com", PASSWORD, status=200)
