import pytest
from pyramid.request import Request
from pyramid.response import Response

from backrest.tweens.headers import HSTS
from tests.unit.tweens.edge import edge


def make_tween(*, hsts: bool, response: Response | None = None):
    return edge(lambda _request: response or Response(status=404), hsts=hsts)


def test_security_headers_on_every_response():
    response = make_tween(hsts=False)(Request.blank("/"))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_when_configured():
    response = make_tween(hsts=True)(Request.blank("/"))
    assert response.headers["Strict-Transport-Security"] == HSTS


@pytest.mark.parametrize(
    ("name", "value"),
    [("Referrer-Policy", "no-referrer"), ("Content-Security-Policy", "default-src 'self'")],
)
def test_a_views_own_policy_is_kept(name, value):
    response = make_tween(hsts=False, response=Response(headers={name: value}))(Request.blank("/"))
    assert response.headers[name] == value
