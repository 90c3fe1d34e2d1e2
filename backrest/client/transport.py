"""HTTP for the client: one connection pool, credentials, retries after 429, typed errors, 304 reuse.

An :class:`~backrest.client.API` and the copies made from it share one
:class:`Pool`: one ``httpx.Client``, whose connections are reused across
calls and threads (``callasync``, ``broadcast``). Each copy sends requests
through a :class:`Transport` of its own, with its own credentials, headers
and timeout.

Credentials go in the ``Authorization`` header, to the API's own origin
only: a URL that an answer names elsewhere (a ``next`` link, a download) is
refused rather than sent a key. They are never put in a URL nor logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from importlib.metadata import version
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx

from backrest.client.errors import RateLimited, error_from_response

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from backrest.client.credentials import Credential

log = logging.getLogger("backrest.client")

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
"""Methods that may be sent again after a 429 without asking (RFC 9110, 9.2.2)."""
CACHE_SIZE = 256
"""How many answers (objects, list pages) a transport keeps for ``If-None-Match``."""
ASYNC_THREADS = 8
DEFAULT_TIMEOUT = 30.0
"""Seconds to wait for a connection, or for each read or write of one."""
POSITION = "X-Backrest-Position"
"""The header of the primary's position after a write, which reads send back to see that write."""
USER_AGENT = f"backrest-client/{version('backrest')} python-httpx/{httpx.__version__}"


@dataclass(frozen=True)
class Options:
    """How requests are sent; an API's ``api(...)`` copies change some of them."""

    credential: Credential | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float | httpx.Timeout = DEFAULT_TIMEOUT
    max_retries: int = 3
    """How many times a request refused with 429 is sent again."""
    max_retry_wait: float = 60.0
    """The longest ``Retry-After`` waited for; a longer one raises ``RateLimited`` at once."""
    retry_unsafe: bool = False
    """Whether POST and PATCH are sent again after a 429 too."""


class Pool:
    """What an API shares with its copies: the ``httpx.Client``, the threads of ``callasync``, the indexes."""

    def __init__(self) -> None:
        # No cookie jar: the API's copies share this client, and each sends its own credential alone.
        no_cookies = CookieJar(DefaultCookiePolicy(allowed_domains=[]))
        self.http = httpx.Client(
            headers={"Accept": "application/json", "User-Agent": USER_AGENT}, cookies=no_cookies
        )
        self.indexes: dict[str, dict[str, Any]] = {}
        """``GET /-/`` of each root URL, once discovered."""
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(ASYNC_THREADS, thread_name_prefix="backrest-client")
            return self._executor

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
            self.http.close()


class ResponseCache:
    """The last answers to GETs that had an ``ETag``, by URL, for ``If-None-Match``; thread-safe."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, url: str) -> tuple[str, Any] | None:
        with self._lock:
            entry = self._entries.get(url)
            if entry is not None:
                self._entries.move_to_end(url)
            return entry

    def put(self, url: str, etag: str, body: Any) -> None:
        with self._lock:
            self._entries[url] = (etag, body)
            self._entries.move_to_end(url)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def discard(self, url: str) -> None:
        with self._lock:
            self._entries.pop(url, None)


def origin(url: str | httpx.URL) -> tuple[str, str, int | None]:
    parsed = httpx.URL(url)
    return parsed.scheme, parsed.host, parsed.port


class Transport:
    """Requests with one set of :class:`Options`, to one API root's origin."""

    def __init__(self, pool: Pool, options: Options, root_url: str, cache: ResponseCache) -> None:
        self.pool = pool
        self.options = options
        self.origin = origin(root_url)
        self.cache = cache
        self.position: str | None = None
        """The position a write was answered with, sent with every request after it (read-your-writes)."""

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
        replayable: bool = True,
        form: Sequence[tuple[str, str]] | None = None,
        **content: Any,
    ) -> httpx.Response:
        """Send a request and answer its successful response, or raise the :class:`APIError` it answered.

        ``form`` is sent as ``application/x-www-form-urlencoded`` fields, in
        order; ``content`` is httpx's (``json``, ``data``, ``files``).
        With ``stream``, the body is left to read, and the caller closes the
        response. A 429 is waited out and the request sent again, for
        idempotent methods or with ``retry_unsafe``, and only if its body can
        be sent again (``replayable``).
        """
        if origin(url) != self.origin:
            msg = f"{url} is not on the API's origin: credentials are sent there only"
            raise ValueError(msg)
        headers = self._headers(headers)
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            content["content"] = urlencode(form).encode()
        request = self.pool.http.build_request(
            method, url, headers=headers, timeout=self.options.timeout, **content
        )
        may_retry = replayable and (method in IDEMPOTENT or self.options.retry_unsafe)
        attempt = 0
        while True:
            response = self.pool.http.send(request, stream=stream)
            position = response.headers.get(POSITION)
            if position is not None:
                self.position = position
            log.debug(
                "%s %s: %s (request %s)",
                method,
                url,
                response.status_code,
                response.headers.get("X-Request-Id"),
            )
            if not response.is_error:
                return response
            response.read()
            response.close()
            error = error_from_response(response)
            if not (may_retry and attempt < self.options.max_retries and self._waits_out(error)):
                raise error
            attempt += 1

    def _waits_out(self, error: Exception) -> bool:
        """Whether ``error`` is a 429 worth waiting for; if so, it has been waited for."""
        if not isinstance(error, RateLimited) or error.retry_after is None:
            return False
        if error.retry_after > self.options.max_retry_wait:
            return False
        log.info(
            "rate limited: sending again in %s seconds (request %s)", error.retry_after, error.request_id
        )
        time.sleep(error.retry_after)
        return True

    def _headers(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = {**self.options.headers, **(extra or {})}
        if self.options.credential is not None:
            headers["Authorization"] = self.options.credential.authorization
        if self.position is not None:
            headers[POSITION] = self.position
        return headers

    def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> tuple[Any, str | None]:
        """``GET`` JSON and its ``ETag``; an answer read before is asked for with ``If-None-Match``."""
        if params:
            url = str(httpx.URL(url, params=params))
        cached = self.cache.get(url)
        headers = {"If-None-Match": cached[0]} if cached else None
        response = self.request("GET", url, headers=headers)
        if response.status_code == httpx.codes.NOT_MODIFIED and cached:
            return cached[1], cached[0]
        body, etag = response.json(), response.headers.get("ETag")
        if etag:
            self.cache.put(url, etag, body)
        return body, etag
