"""Which redirect URIs may be registered: each refusal names what is wrong."""

import pytest

from backrest.oauth.redirect_uris import is_private_use, problem


@pytest.mark.parametrize(
    "uri",
    [
        "https://app.example.com/oauth/callback",
        "https://app.example.com/oauth/callback?from=backrest",
        "https://app.example.com:8443/callback",
        "https://app.example.com",
        "https://203.0.113.7/callback",
        "https://[2001:db8::7]/callback",
        "https://app.example.com/a%20b",
        "http://127.0.0.1/callback",
        "http://127.0.0.1:3000/callback",
        "http://[::1]/callback",
        "http://[::1]:3000/callback",
        "http://localhost/callback",
        "http://localhost:8080",
        "https://localhost/callback",
        "com.example.app:/oauth/callback",
        "com.example.app://oauth/callback",
        "io.github.ada-lovelace.notes:/callback",
    ],
)
def test_these_may_be_registered(uri):
    assert problem(uri) is None


@pytest.mark.parametrize(
    ("uri", "starts"),
    [
        pytest.param("/oauth/callback", "Must be an absolute URI", id="relative"),
        pytest.param("//app.example.com/callback", "Must be an absolute URI", id="scheme-relative"),
        pytest.param("app.example.com/callback", "Must be an absolute URI", id="no scheme"),
        pytest.param("https://app.example.com/callback#done", "Must not have a fragment", id="fragment"),
        pytest.param("https://app.example.com/callback#", "Must not have a fragment", id="empty fragment"),
        pytest.param("https://ada@app.example.com/callback", "Must not hold a user name", id="user"),
        pytest.param("https://ada:pw@app.example.com/callback", "Must not hold a user name", id="password"),
        pytest.param("https://app.example.com@evil.example/", "Must not hold a user name", id="host as user"),
        pytest.param("com.example.app://ada@host/callback", "Must not hold a user name", id="native user"),
        pytest.param("https://*.example.com/callback", "Must not hold wildcards", id="wildcard host"),
        pytest.param("https://app.example.com/*", "Must not hold wildcards", id="wildcard path"),
        pytest.param("http://app.example.com/callback", "Must use https", id="http elsewhere"),
        pytest.param("http://127.0.0.2/callback", "Must use https", id="http on 127.0.0.2"),
        pytest.param("http://localhost.evil.example/", "Must use https", id="http on localhost's subdomain"),
        pytest.param("http://LOCALHOST/callback", "Must use https", id="http on LOCALHOST"),
        pytest.param("http://[0:0:0:0:0:0:0:1]/callback", "Must use https", id="http on ::1 in long form"),
        pytest.param("HTTPS://app.example.com/callback", "Must use https,", id="scheme in capitals"),
        pytest.param("ftp://files.example.com/", "Must use https,", id="ftp"),
        pytest.param("javascript:alert(1)", "Must use https,", id="javascript"),
        pytest.param("data:text/html,hi", "Must use https,", id="data"),
        pytest.param("file:///etc/passwd", "Must use https,", id="file"),
        pytest.param("myapp:/callback", "Must use https,", id="private scheme without a dot"),
        pytest.param("https:/app.example.com/callback", "Must name a host", id="one slash"),
        pytest.param("https:app.example.com", "Must name a host", id="no slash"),
        pytest.param("https:///callback", "Must name a valid host", id="empty host"),
        pytest.param("https://app.example.com%2eevil/", "Must name a valid host", id="encoded host"),
        pytest.param("https://app_example.com/", "Must name a valid host", id="underscore in the host"),
        pytest.param("https://[::1/", "Must name a valid host", id="unclosed bracket"),
        pytest.param("https://[fe80::1%25eth0]/", "Must name a valid host", id="IPv6 zone"),
        pytest.param("https://[not:an:address]/", "Must name a valid host", id="bad IPv6"),
        pytest.param("https://app.example.com:0/", "Must have a port", id="port zero"),
        pytest.param("https://app.example.com:65536/", "Must have a port", id="port too large"),
        pytest.param("https://app.example.com:/", "Must have a port", id="empty port"),
        pytest.param("https://app.example.com:https/", "Must have a port", id="port by name"),
        pytest.param("com.example.app:", "Must have a path", id="native without path"),
        pytest.param("https://app.example.com/ callback", "Must be printable ASCII", id="space"),
        pytest.param("https://app.example.com/callback\n", "Must be printable ASCII", id="newline"),
        pytest.param("https://app.example.com\\@evil.example/", "Must be printable ASCII", id="backslash"),
        pytest.param("https://app.example.com/<script>", "Must be printable ASCII", id="angle brackets"),
        pytest.param("https://app.exämple.com/", "Must be printable ASCII", id="non-ASCII"),
        pytest.param("", "Must be an absolute URI", id="empty"),
    ],
)
def test_these_may_not(uri, starts):
    found = problem(uri)
    assert found is not None
    assert found.startswith(starts)


@pytest.mark.parametrize(
    ("uri", "private"),
    [
        ("com.example.app:/callback", True),
        ("com.example.app://callback", True),
        ("https://app.example.com/", False),
        ("http://127.0.0.1/", False),
        ("myapp:/callback", False),
        ("/relative", False),
    ],
)
def test_private_use_schemes_are_in_reverse_domain_order(uri, private):
    assert is_private_use(uri) is private
