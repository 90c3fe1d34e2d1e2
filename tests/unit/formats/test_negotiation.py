import json

import pytest
from pyramid.httpexceptions import HTTPNotAcceptable
from pyramid.request import Request

from backrest.formats.negotiation import FORMATS, negotiate

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def chosen(accept: str | None = None, query: str = "") -> str:
    headers = {} if accept is None else {"Accept": accept}
    return negotiate(Request.blank("/-/version" + query, headers=headers)).name


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "json"),
        ("", "json"),
        ("*/*", "json"),
        ("application/json", "json"),
        ("application/*", "json"),
        ("application/xml", "xml"),
        ("text/xml", "xml"),
        ("text/html", "api"),
        ("text/*", "api"),
        (BROWSER, "api"),
        ("application/json;q=0.5, application/xml", "xml"),
        ("application/xml;q=0.5, application/json;q=0.9", "json"),
        ("image/png, application/json;q=0.1", "json"),
        ("this is ;;; not a header", "json"),
    ],
)
def test_accept_chooses(accept, expected):
    assert chosen(accept) == expected


@pytest.mark.parametrize(("name", "expected"), [("json", "json"), ("xml", "xml"), ("api", "api")])
def test_format_parameter_wins_over_accept(name, expected):
    assert chosen("image/png", f"?format={name}") == expected
    assert chosen(BROWSER, f"?format={name}") == expected


def refusal(accept: str | None = None, query: str = "") -> dict:
    with pytest.raises(HTTPNotAcceptable) as caught:
        chosen(accept, query)
    return json.loads(caught.value.text)


@pytest.mark.parametrize("accept", ["image/png", "application/json;q=0", "text/plain"])
def test_nothing_acceptable_is_406_on_the_accept_header(accept):
    body = refusal(accept)
    assert body["errors"][0]["location"] == "header"
    assert body["errors"][0]["name"] == "Accept"
    assert "application/json, application/xml, text/html" in body["errors"][0]["description"]


def test_unknown_format_is_406_on_the_query_string():
    error = refusal(None, "?format=yaml")["errors"][0]
    assert (error["location"], error["name"]) == ("querystring", "format")
    assert "json, xml, api" in error["description"]


def test_every_format_has_its_content_type_first():
    assert [format_.content_type for format_ in FORMATS] == [
        "application/json",
        "application/xml",
        "text/html",
    ]
