"""Whether the redirect URI of an authorization request is one the application registered.

The comparison is of strings, character for character: no case folding,
no percent-decoding, no dot segments resolved, no trailing slash added or
dropped. Every normalization is a way for two parties to disagree on which
URI is meant, and an attacker lives in that gap (the OAuth 2.0 Security
Best Current Practice, section 4.1.3).

One exception, RFC 8252 section 7.3: a native app receives its redirect on
the loopback interface, on a port the operating system gives it at that
moment. A registered ``http`` URI on ``127.0.0.1``, ``[::1]`` or
``localhost`` therefore matches a request that differs only by its port
(present, absent or any other), and in nothing else.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from backrest.oauth.redirect_uris import LOOPBACK_HOSTS, MAX_PORT

if TYPE_CHECKING:
    from collections.abc import Iterable

LOOPBACK = re.compile(
    r"(?P<origin>http://(?:" + "|".join(map(re.escape, LOOPBACK_HOSTS)) + r"))"
    # A port, then nothing but the path or the query: an "@" would make
    # the loopback host a user name, and the host another.
    r"(?::(?P<port>[1-9][0-9]{0,4}))?(?=[/?]|$)"
)


def _loopback_without_port(uri: str) -> str | None:
    """``uri`` without its port when it is an ``http`` URI on a loopback host, else ``None``."""
    match = LOOPBACK.match(uri)
    if match is None or (match.group("port") is not None and int(match.group("port")) > MAX_PORT):
        return None
    return match.group("origin") + uri[match.end() :]


def redirect_uri_allowed(registered: Iterable[str], requested: str) -> bool:
    """Whether ``requested`` is one of the ``registered`` redirect URIs (see the module's rules)."""
    for uri in registered:
        if requested == uri:
            return True
        loopback = _loopback_without_port(uri)
        if loopback is not None and _loopback_without_port(requested) == loopback:
            return True
    return False
