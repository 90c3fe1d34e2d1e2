"""An optional server-side cache of list pages, in memory or in Redis.

A page is cached under the collection's *generation*, which every committed
write to the collection advances: a write makes every cached page of its
collection unreachable at once, without having to find them. Keys also hold
the caller (pages are filtered by rights) and the full URL, the application's
included: a page's links are absolute, built from the scheme, host and prefix
the request came with, so a page made for one host is never another's. Item
reads are not cached: loading the object is one indexed query, needed
anyway to check the caller's rights.

Writes that bypass the framework (an owner's account deleted) are seen once
the entry expires (``backrest.cache.ttl``).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlparse

from backrest.security.identity import visibility_key

if TYPE_CHECKING:
    from pyramid.request import Request


MEMORY_ENTRIES = 10_000


class PageCache(Protocol):
    def generation(self, collection: str) -> str | None:
        """The collection's generation, part of its pages' keys; ``None`` when the cache cannot be reached."""

    def advance(self, collection: str) -> None: ...
    def get(self, key: str) -> bytes | None: ...
    def set(self, key: str, value: bytes) -> None: ...
    def works(self) -> bool:
        """Whether the cache answers, for the heartbeat."""


class MemoryCache:
    """One process's cache: right when one process serves the site."""

    def __init__(self, ttl: int, entries: int = MEMORY_ENTRIES) -> None:
        self.ttl = ttl
        self.entries = entries
        self._generations: dict[str, int] = {}
        self._values: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def generation(self, collection: str) -> str | None:
        return str(self._generations.get(collection, 0))

    def advance(self, collection: str) -> None:
        with self._lock:
            self._generations[collection] = self._generations.get(collection, 0) + 1

    def get(self, key: str) -> bytes | None:
        with self._lock:
            found = self._values.get(key)
            if found is None or found[0] < time.monotonic():
                return None
            self._values.move_to_end(key)
            return found[1]

    def set(self, key: str, value: bytes) -> None:
        with self._lock:
            self._values[key] = (time.monotonic() + self.ttl, value)
            self._values.move_to_end(key)
            while len(self._values) > self.entries:
                self._values.popitem(last=False)

    def works(self) -> bool:
        return True


def cache_from_url(url: str, ttl: int) -> PageCache | None:
    if not url:
        return None
    if urlparse(url).scheme == "memory":
        return MemoryCache(ttl)
    # Imported here: the Redis client costs every process that has no use for it 10 MB.
    from backrest.content.redis_cache import RedisCache  # noqa: PLC0415

    return RedisCache(url, ttl)


def page_key(request: Request, collection: str, generation: str) -> str:
    # Everything that decides what the caller sees: a new team or grant is a new key.
    return f"{collection}:{generation}:{visibility_key(request.identity)!r}:{request.url}"
