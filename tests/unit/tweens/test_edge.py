"""The edge tween as one pass: every answer, the handler's or its own, gets all of its headers."""

from pyramid.request import Request
from pyramid.response import Response

from tests.unit.tweens.edge import edge

APP = "https://app.example"


def test_an_undecodable_url_is_a_400_with_every_header_and_no_call_of_the_handler():
    calls = []
    tween = edge(lambda request: calls.append(request) or Response())
    request = Request.blank("/-/documents/")
    request.environ["QUERY_STRING"] = "q=%FF"
    response = tween(request)
    assert response.status_int == 400
    assert response.json["errors"][0]["location"] == "querystring"
    assert calls == []
    assert response.headers["X-Request-Id"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Vary"] == "Origin"


def test_a_views_vary_is_kept_with_origin_added():
    response = edge(lambda _request: Response(headers={"Vary": "Accept, Cookie"}))(Request.blank("/"))
    assert response.headers.getall("Vary") == ["Accept, Cookie, Origin"]


def test_a_views_own_request_id_header_is_replaced_by_the_requests():
    tween = edge(lambda _request: Response(headers={"X-Request-Id": "from-the-view"}))
    request = Request.blank("/", headers={"X-Request-Id": "incoming-3"})
    assert tween(request).headers.getall("X-Request-Id") == ["incoming-3"]


def test_a_preflight_answer_has_the_security_headers_too():
    tween = edge(lambda _request: Response(), **{"cors.origins": [APP]})
    request = Request.blank(
        "/-/login", method="OPTIONS", headers={"Origin": APP, "Access-Control-Request-Method": "PUT"}
    )
    response = tween(request)
    assert response.status_int == 204
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Access-Control-Allow-Origin"] == APP
