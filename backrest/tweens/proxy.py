"""Honour ``X-Forwarded-*`` headers, but only from the proxies we trust.

Behind nginx the app sees nginx's address and its own host; the proxy tells
who the client is, which scheme and host they used, and the prefix the app is
mounted under. A header from anyone else is a lie we must not believe: it
would let a client pick its own address and escape its rate limits.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pyramid.request import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def is_trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(remote_addr: str, forwarded_for: str, networks: Sequence[Network]) -> str:
    """The first address, from the right, that is not one of our proxies."""
    if not is_trusted(remote_addr, networks):
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop, networks):
            return hop
    return hops[0] if hops else remote_addr


def _first(value: str) -> str:
    return value.split(",", maxsplit=1)[0].strip()


def apply_forwarded(request: Request, networks: Sequence[Network]) -> None:
    environ = request.environ
    remote = environ.get("REMOTE_ADDR", "")
    if not is_trusted(remote, networks):
        return
    environ["REMOTE_ADDR"] = client_address(remote, environ.get("HTTP_X_FORWARDED_FOR", ""), networks)
    proto = _first(environ.get("HTTP_X_FORWARDED_PROTO", ""))
    if proto in {"http", "https"}:
        environ["wsgi.url_scheme"] = proto
    host = _first(environ.get("HTTP_X_FORWARDED_HOST", ""))
    if host:
        environ["HTTP_HOST"] = host
    prefix = _first(environ.get("HTTP_X_FORWARDED_PREFIX", "")).rstrip("/")
    if prefix.startswith("/"):
        # A proxy may pass the prefix on in the path or strip it: either way
        # the app routes the path below it and puts it in front of its URLs.
        path = environ.get("PATH_INFO", "")
        if path.startswith(prefix + "/"):
            environ["PATH_INFO"] = path.removeprefix(prefix)
        environ["SCRIPT_NAME"] = prefix + environ.get("SCRIPT_NAME", "")


def believe_proxies(request: Request, networks: Sequence[Network]) -> None:
    """What the request says of its client, as far as the proxies in ``networks`` vouch for it."""
    if networks:
        apply_forwarded(request, networks)
    # WebOb's request.client_addr believes the first X-Forwarded-For hop
    # from anyone: once judged here, the header must not be read again.
    request.environ.pop("HTTP_X_FORWARDED_FOR", None)
