"""``no_store=True`` on a view: its answers, errors included, are never cached.

Account, credential and token responses carry personal data and secrets
that no browser or proxy cache may keep.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.config import Configurator
    from pyramid.request import Request
    from pyramid.response import Response


def _no_store(request: Request, response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"


def no_store_view(view: Callable[..., Any], info: Any) -> Callable[..., Any]:
    if not info.options.get("no_store"):
        return view

    def wrapper(context: Any, request: Request) -> Any:
        request.add_response_callback(_no_store)
        return view(context, request)

    return wrapper


no_store_view.options = ("no_store",)


def includeme(config: Configurator) -> None:
    config.add_view_deriver(no_store_view)
