"""Which redirect URIs an application may register.

A redirect URI is where the authorization endpoint sends a user back with
a code: one that an attacker can steer sends them the code. So a URI is
registered whole and later matched exactly (:mod:`backrest.oauth.redirect_matching`),
and only URIs whose owner is clear are taken (RFC 6749 section 3.1.2, RFC 8252
sections 7 and 8, the OAuth 2.0 Security Best Current Practice):

- absolute, in printable ASCII, without a fragment, user name or password,
  nor any wildcard;
- ``https`` with a host name or address; ``http`` only on the loopback
  interface (``127.0.0.1``, ``[::1]``, ``localhost``), where a native app
  listens on a port it picks at each authorization;
- a private-use scheme in reverse domain order (``com.example.app:/callback``),
  which a native app claims on its device. Native apps are public clients:
  :mod:`backrest.oauth.client_rules` refuses these URIs for confidential ones.
"""

from __future__ import annotations

import ipaddress
import re

MAX_LENGTH = 2000
LOOPBACK_HOSTS = ("127.0.0.1", "[::1]", "localhost")

# Whitespace, control and non-ASCII characters, and those RFC 3986 leaves out
# of URIs; browsers read a backslash as a slash, which hides a host.
UNSAFE = re.compile(r'[^\x21-\x7e]|["<>\\^`{|}]')
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
PRIVATE_USE_SCHEME = re.compile(r"[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+")
AUTHORITY = re.compile(r"(?P<host>\[[^\]]*\]|[^:\[\]]*)(?::(?P<port>[^:]*))?")
PORT = re.compile(r"[1-9][0-9]{0,4}")
HOST_NAME = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)
MAX_PORT = 65535

WEB_SCHEMES = ("https", "http")


def scheme_of(uri: str) -> str | None:
    """The scheme as written (``None`` for a relative reference)."""
    match = SCHEME.match(uri)
    return match.group(1) if match else None


def is_private_use(uri: str) -> bool:
    """Whether ``uri``'s scheme is a private-use one, in reverse domain order."""
    scheme = scheme_of(uri)
    return scheme is not None and PRIVATE_USE_SCHEME.fullmatch(scheme) is not None


def problem(uri: str) -> str | None:
    """What makes ``uri`` no redirect URI to register, or ``None`` when it is one."""
    found = _text_problem(uri)
    if found is not None:
        return found
    scheme = scheme_of(uri)
    if scheme is None:
        return "Must be an absolute URI, with a scheme."
    rest = uri[len(scheme) + 1 :]
    if scheme in WEB_SCHEMES:
        return _web_problem(scheme, rest)
    if PRIVATE_USE_SCHEME.fullmatch(scheme):
        return _private_use_problem(rest)
    return (
        "Must use https, http on a loopback address (127.0.0.1, [::1], localhost), "
        "or a private-use scheme in reverse domain order (com.example.app:/callback)."
    )


def _text_problem(uri: str) -> str | None:
    """What is wrong with ``uri`` whatever its scheme."""
    if UNSAFE.search(uri):
        return (
            "Must be printable ASCII, without spaces, quotes, angle brackets, braces, "
            "backslashes, carets, backquotes or vertical bars (percent-encode them)."
        )
    if "*" in uri:
        return "Must not hold wildcards: redirect URIs are matched exactly."
    if "#" in uri:
        return "Must not have a fragment."
    return None


def _authority(rest: str) -> str:
    """The authority of a hierarchical URI's part after ``scheme:``, which starts with ``//``."""
    return re.split(r"[/?]", rest[2:], maxsplit=1)[0]


def _web_problem(scheme: str, rest: str) -> str | None:
    if not rest.startswith("//"):
        return f"Must name a host: {scheme}://host/path."
    authority = _authority(rest)
    if "@" in authority:
        return "Must not hold a user name or password."
    match = AUTHORITY.fullmatch(authority)
    host = match.group("host") if match else ""
    if not _valid_host(host):
        return "Must name a valid host: a domain name or an IP address."
    port = match.group("port")
    if port is not None and not (PORT.fullmatch(port) and int(port) <= MAX_PORT):
        return f"Must have a port from 1 to {MAX_PORT}, or none."
    if scheme == "http" and host not in LOOPBACK_HOSTS:
        return "Must use https: http is only for loopback addresses (127.0.0.1, [::1], localhost)."
    return None


def _valid_host(host: str) -> bool:
    """A domain name, an IPv4 address (a name of digits), or an IPv6 address in brackets, without zone."""
    if not host.startswith("["):
        return HOST_NAME.fullmatch(host) is not None
    try:
        address = ipaddress.IPv6Address(host[1:-1])
    except ValueError:
        return False
    return address.scope_id is None


def _private_use_problem(rest: str) -> str | None:
    if not rest:
        return "Must have a path after the scheme: com.example.app:/callback."
    if rest.startswith("//") and "@" in _authority(rest):
        return "Must not hold a user name or password."
    return None
