from pyramid.request import Request
from pyramid.response import Response

from tests.unit.tweens.edge import edge

APP = "https://app.example"


def make_tween(*origins: str):
    calls = []

    def handler(request):
        calls.append(request.method)
        return Response(status=200)

    return edge(handler, **{"cors.origins": list(origins)}), calls


def preflight(origin: str) -> Request:
    return Request.blank(
        "/-/login",
        method="OPTIONS",
        headers={"Origin": origin, "Access-Control-Request-Method": "PUT"},
    )


def test_listed_origin_may_send_credentials():
    tween, _ = make_tween(APP)
    response = tween(Request.blank("/-/login", headers={"Origin": APP}))
    assert response.headers["Access-Control-Allow-Origin"] == APP
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "X-Request-Id" in response.headers["Access-Control-Expose-Headers"]
    assert "Origin" in response.vary


def test_unlisted_origin_gets_no_cors_headers():
    tween, _ = make_tween(APP)
    response = tween(Request.blank("/-/login", headers={"Origin": "https://evil.example"}))
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_answers_vary_on_origin_whether_or_not_it_is_listed():
    tween, _ = make_tween(APP)
    for headers in ({"Origin": "https://evil.example"}, {}):
        assert "Origin" in tween(Request.blank("/-/login", headers=headers)).vary


def test_wildcard_never_comes_with_credentials():
    tween, _ = make_tween("*")
    response = tween(Request.blank("/-/login", headers={"Origin": "https://any.example"}))
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_wildcard_keeps_credentials_for_listed_origins():
    tween, _ = make_tween("*", APP)
    response = tween(Request.blank("/-/login", headers={"Origin": APP}))
    assert response.headers["Access-Control-Allow-Origin"] == APP
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_preflight_is_answered_without_the_view():
    tween, calls = make_tween(APP)
    response = tween(preflight(APP))
    assert response.status_int == 204
    assert calls == []
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    assert "X-CSRF-Token" in response.headers["Access-Control-Allow-Headers"]
    assert response.headers["Access-Control-Max-Age"] == "600"
    assert response.headers["Access-Control-Allow-Origin"] == APP


def test_preflight_from_an_unlisted_origin_is_not_answered_with_cors():
    tween, calls = make_tween(APP)
    response = tween(preflight("https://evil.example"))
    assert calls == ["OPTIONS"]
    assert "Access-Control-Allow-Origin" not in response.headers


def test_no_origin_no_cors():
    tween, _ = make_tween(APP)
    response = tween(Request.blank("/-/login"))
    assert "Access-Control-Allow-Origin" not in response.headers
