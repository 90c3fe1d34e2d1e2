"""A request leaves nothing for the cyclic garbage collector: what it made goes when its answer leaves.

A reference cycle through the request (a resource holding it, an identity's
loader, WebOb's parsed query, an error's traceback) kept each request's
environ, body, rows and answer alive until Python's cyclic collector ran,
which under load is seconds and megabytes later: the served process grew by
about a megabyte per thread. Each request here is made once first, so that
what a first request builds and keeps (pools, caches) is not counted.
"""

from __future__ import annotations

import contextlib
import gc
from typing import TYPE_CHECKING, Any

import pytest

from tests.functional.content.conftest import document, url_of

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tests.client import Browser


@contextlib.contextmanager
def cyclic_garbage() -> Iterator[list[Any]]:
    """What the cyclic garbage collector finds of what was made meanwhile."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    found: list[Any] = []
    try:
        yield found
        gc.collect()
        found.extend(gc.garbage)
    finally:
        gc.garbage.clear()
        gc.set_debug(0)
        gc.enable()


def left_behind(call: Callable[[], Any]) -> list[str]:
    """The types of the objects ``call`` (a request) leaves to the cyclic collector, after one warm-up."""
    call()
    with cyclic_garbage() as found:
        call()
    return sorted({type(obj).__name__ for obj in found})


def api_key(browser: Browser) -> dict[str, str]:
    made = browser.post_json("/-/keys", {"name": "script", "scopes": ["read", "write"]}, status=201).json
    return {"Authorization": f"Token {made['key']}"}


REQUESTS: dict[str, Callable[[Browser, str, dict[str, str]], Any]] = {
    "item": lambda browser, url, key: browser.get(url, headers=key, status=200),
    "item by session": lambda browser, url, _key: browser.get(url, status=200),
    "list": lambda browser, _url, key: browser.get("/-/documents/?ordering=-modified&title=A", headers=key),
    "not modified": lambda browser, url, key: browser.get(
        url, headers={**key, "If-None-Match": browser.get(url, headers=key).headers["ETag"]}, status=304
    ),
    "change": lambda browser, url, key: browser.patch_json(url, {"title": "B"}, headers=key, status=200),
    "create": lambda browser, _url, key: browser.post_json("/-/documents/", {"title": "C"}, headers=key),
    "not found": lambda browser, _url, key: browser.get("/-/documents/none", headers=key, status=404),
    "stale If-Match": lambda browser, url, key: browser.patch_json(
        url, {"title": "D"}, headers={**key, "If-Match": '"stale"'}, status=412
    ),
    "method not allowed": lambda browser, _url, key: browser.put_json(
        "/-/documents/", {}, headers=key, status=405
    ),
    "bad credentials": lambda browser, url, _key: browser.get(
        url, headers={"Authorization": "Token x"}, status=401
    ),
    "login state": lambda browser, _url, _key: browser.get("/-/login", status=200),
}


@pytest.mark.parametrize("name", REQUESTS)
def test_a_request_leaves_no_cycle(logged_in: Browser, name: str) -> None:
    key = api_key(logged_in)
    url = url_of(document(logged_in))
    assert left_behind(lambda: REQUESTS[name](logged_in, url, key)) == []


def test_an_invalid_body_leaves_only_colanders_own_closure(logged_in: Browser) -> None:
    """colander's ``Invalid.asdict`` makes a function that refers to itself; nothing of the request stays."""
    key = api_key(logged_in)
    found = left_behind(
        lambda: logged_in.post_json("/-/documents/", {"title": 5, "status": "x"}, headers=key, status=400)
    )
    assert found in ([], ["cell", "function", "tuple"])
