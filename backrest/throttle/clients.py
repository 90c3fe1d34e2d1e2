"""Who a client is, for counting: its IPv4 address, or the /64 network of its IPv6 address.

One IPv6 subscriber gets a whole /64 (often far more), and picks any address
in it at will: counted by full address, it would start afresh with every
request. A /64 is what one subscriber holds, so that is what is counted. An
IPv4 client seen through an IPv6 socket (``::ffff:192.0.2.10``) is the IPv4
client it is. Every throttle counts clients by this key, so that no limit
can be escaped through another.
"""

from __future__ import annotations

import functools
import ipaddress

SUBSCRIBER_PREFIX = 64
"""The bits of an IPv6 address that one subscriber cannot choose."""


@functools.lru_cache(maxsize=4096)
def client_key(address: str) -> str:
    """The part of a client ``address`` that limits count: the IPv4 address, or its IPv6 /64.

    Anything that is no address (an empty one, a Unix socket's name) is
    counted as it is. Every anonymous request asks: parsing and writing an
    IPv6 network costs some 40 µs, a remembered answer well under one.
    """
    if ":" not in address:
        return address  # IPv4, the common case, needs no parsing.
    try:
        ip = ipaddress.IPv6Address(address)
    except ValueError:
        return address
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    # Built from the integer, which leaves out a scope id (``fe80::1%eth0``).
    return str(ipaddress.IPv6Network((int(ip), SUBSCRIBER_PREFIX), strict=False))
