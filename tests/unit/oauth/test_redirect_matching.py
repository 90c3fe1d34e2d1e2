"""Redirect URIs match as strings, exactly, but for the port of an http URI on a loopback host."""

import pytest

from backrest.oauth.redirect_matching import redirect_uri_allowed

WEB = "https://app.example.com/oauth/callback"
QUERY = "https://app.example.com/oauth/callback?from=backrest"
NATIVE = "com.example.app:/oauth/callback"
LOOPBACK_V4 = "http://127.0.0.1/callback"
LOOPBACK_V6 = "http://[::1]/callback"
LOCALHOST = "http://localhost/callback"
LOOPBACK_WITH_PORT = "http://127.0.0.1:3000/callback"


@pytest.mark.parametrize("uri", [WEB, QUERY, NATIVE, LOOPBACK_V4, LOOPBACK_V6, LOCALHOST, LOOPBACK_WITH_PORT])
def test_a_registered_uri_matches_itself(uri):
    assert redirect_uri_allowed([uri], uri)


def test_any_of_the_registered_uris_matches():
    assert redirect_uri_allowed([WEB, NATIVE], NATIVE)


def test_nothing_matches_when_nothing_is_registered():
    assert not redirect_uri_allowed([], WEB)


@pytest.mark.parametrize(
    "requested",
    [
        pytest.param("https://app.example.com/oauth/callback/evil", id="extra path"),
        pytest.param("https://app.example.com/oauth/callbackevil", id="prefix"),
        pytest.param("https://app.example.com/oauth/callback/", id="trailing slash added"),
        pytest.param("https://app.example.com/oauth", id="shorter path"),
        pytest.param("https://app.example.com/oauth/callback?next=https://evil.example", id="query added"),
        pytest.param("https://app.example.com/oauth/callback#evil", id="fragment"),
        pytest.param("https://app.example.com/oauth/callback#", id="empty fragment"),
        pytest.param("https://APP.example.com/oauth/callback", id="host case"),
        pytest.param("HTTPS://app.example.com/oauth/callback", id="scheme case"),
        pytest.param("https://app.example.com/OAuth/callback", id="path case"),
        pytest.param("https://app.example.com/oauth/%63allback", id="percent-encoded letter"),
        pytest.param("https://app.example.com/oauth/callback/%2e%2e/%2e%2e/evil", id="encoded dot segments"),
        pytest.param("https://app.example.com/oauth/callback/../../evil", id="dot segments"),
        pytest.param("https://app.example.com%40evil.example/oauth/callback", id="encoded at sign"),
        pytest.param("https://app.example.com@evil.example/oauth/callback", id="userinfo of the host"),
        pytest.param("https://user@app.example.com/oauth/callback", id="userinfo added"),
        pytest.param("https://app.example.com.evil.example/oauth/callback", id="host suffix"),
        pytest.param("https://evil.example/oauth/callback", id="other host"),
        pytest.param("http://app.example.com/oauth/callback", id="http instead of https"),
        pytest.param("https://app.example.com:443/oauth/callback", id="default port written"),
        pytest.param("https://app.example.com:8443/oauth/callback", id="port on a host that is no loopback"),
        pytest.param("https://app.example.com\\@evil.example/oauth/callback", id="backslash"),
        pytest.param(" https://app.example.com/oauth/callback", id="leading space"),
        pytest.param("https://app.example.com/oauth/callback\n", id="trailing newline"),
        pytest.param("//app.example.com/oauth/callback", id="scheme-relative"),
        pytest.param("", id="empty"),
    ],
)
def test_a_web_uri_matches_nothing_but_itself(requested):
    assert not redirect_uri_allowed([WEB], requested)


def test_a_registered_query_must_be_sent_as_it_is():
    assert not redirect_uri_allowed([QUERY], WEB)
    assert not redirect_uri_allowed([QUERY], QUERY + "&x=1")


@pytest.mark.parametrize(
    "requested",
    [
        pytest.param("com.example.app:/oauth/callback/evil", id="extra path"),
        pytest.param("com.example.app:/oauth/callback#x", id="fragment"),
        pytest.param("com.example.evil:/oauth/callback", id="other scheme"),
        pytest.param("com.example.app.evil:/oauth/callback", id="scheme suffix"),
        pytest.param("Com.Example.App:/oauth/callback", id="scheme case"),
        pytest.param("com.example.app://oauth/callback", id="authority instead of path"),
    ],
)
def test_a_private_use_uri_matches_nothing_but_itself(requested):
    assert not redirect_uri_allowed([NATIVE], requested)


@pytest.mark.parametrize(
    ("registered", "requested"),
    [
        (LOOPBACK_V4, "http://127.0.0.1:51004/callback"),
        (LOOPBACK_V4, "http://127.0.0.1:1/callback"),
        (LOOPBACK_V4, "http://127.0.0.1:65535/callback"),
        (LOOPBACK_V6, "http://[::1]:51004/callback"),
        (LOCALHOST, "http://localhost:8080/callback"),
        (LOOPBACK_WITH_PORT, "http://127.0.0.1:51004/callback"),
        (LOOPBACK_WITH_PORT, "http://127.0.0.1/callback"),
        ("http://127.0.0.1", "http://127.0.0.1:8080"),
        ("http://127.0.0.1?client=cli", "http://127.0.0.1:8080?client=cli"),
    ],
)
def test_a_loopback_uri_matches_on_any_port(registered, requested):
    assert redirect_uri_allowed([registered], requested)


@pytest.mark.parametrize(
    ("registered", "requested"),
    [
        pytest.param(LOOPBACK_V4, "http://127.0.0.1:8080/callback/evil", id="extra path"),
        pytest.param(LOOPBACK_V4, "http://127.0.0.1:8080/callback/", id="trailing slash"),
        pytest.param(LOOPBACK_V4, "http://127.0.0.1:8080/callback#x", id="fragment"),
        pytest.param(LOOPBACK_V4, "http://127.0.0.1:8080/callback?x=1", id="query added"),
        pytest.param(LOOPBACK_V4, "http://127.0.0.1:8080@evil.example/callback", id="loopback as userinfo"),
        pytest.param(LOOPBACK_V4, "http://127.0.0.1@evil.example/callback", id="loopback as user name"),
        pytest.param(LOOPBACK_V4, "http://127.0.0.1.evil.example/callback", id="loopback as a host prefix"),
        pytest.param(LOOPBACK_V4, "http://127.0.0.1:8080.evil.example/callback", id="port as a host prefix"),
        pytest.param(LOOPBACK_V4, "http://127.0.0.1%3A8080/callback", id="encoded colon"),
        pytest.param(LOOPBACK_V4, "http://127.0.0.1:8080%2Fcallback", id="encoded slash"),
        pytest.param(LOOPBACK_V4, "http://127.0.0.1:/callback", id="empty port"),
        pytest.param(LOOPBACK_V4, "http://127.0.0.1:0/callback", id="port zero"),
        pytest.param(LOOPBACK_V4, "http://127.0.0.1:08080/callback", id="port with a leading zero"),
        pytest.param(LOOPBACK_V4, "http://127.0.0.1:65536/callback", id="port out of range"),
        pytest.param(LOOPBACK_V4, "http://127.0.0.1:99999/callback", id="port far out of range"),
        pytest.param(LOOPBACK_V4, "http://127.0.0.1:80:81/callback", id="two ports"),
        pytest.param(LOOPBACK_V4, "http://127.0.0.1:8o8o/callback", id="port not a number"),
        pytest.param(LOOPBACK_V4, "https://127.0.0.1:8080/callback", id="other scheme"),
        pytest.param(LOOPBACK_V4, "HTTP://127.0.0.1:8080/callback", id="scheme case"),
        pytest.param(LOOPBACK_V4, "http://[::1]:8080/callback", id="the other loopback address"),
        pytest.param(LOOPBACK_V4, "http://localhost:8080/callback", id="localhost for an address"),
        pytest.param(LOOPBACK_V4, "http://127.0.0.2:8080/callback", id="another address of 127/8"),
        pytest.param(LOOPBACK_V4, "http://127.1:8080/callback", id="short form of the address"),
        pytest.param(LOOPBACK_V4, "http://2130706433:8080/callback", id="address as a number"),
        pytest.param(LOOPBACK_V6, "http://[0:0:0:0:0:0:0:1]:8080/callback", id="long form of ::1"),
        pytest.param(LOOPBACK_V6, "http://[::1%25eth0]:8080/callback", id="IPv6 zone"),
        pytest.param(LOOPBACK_V6, "http://[::ffff:127.0.0.1]:8080/callback", id="IPv4-mapped loopback"),
        pytest.param(LOOPBACK_V6, "http://::1:8080/callback", id="IPv6 without brackets"),
        pytest.param(LOCALHOST, "http://LOCALHOST:8080/callback", id="localhost case"),
        pytest.param(LOCALHOST, "http://localhost.:8080/callback", id="localhost with a final dot"),
        pytest.param(
            LOCALHOST, "http://localhost.evil.example:8080/callback", id="localhost as a host prefix"
        ),
    ],
)
def test_a_loopback_uri_differs_in_nothing_but_the_port(registered, requested):
    assert not redirect_uri_allowed([registered], requested)


@pytest.mark.parametrize(
    ("registered", "requested"),
    [
        pytest.param("https://127.0.0.1/callback", "https://127.0.0.1:8443/callback", id="https on loopback"),
        pytest.param(WEB, "https://app.example.com:8080/oauth/callback", id="web host"),
    ],
)
def test_only_http_on_loopback_has_a_free_port(registered, requested):
    assert not redirect_uri_allowed([registered], requested)
