"""Each request's transaction: pyramid_tm commits or aborts it, pyramid_retry runs it again.

A request that lost a race (a serialization failure, a concurrent insert)
runs again from the start, up to three times in all, unless its body is a
file (:func:`attempts`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest.validation import parsed

if TYPE_CHECKING:
    from pyramid.config import Configurator
    from pyramid.request import Request

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def attempts(request: Request) -> int | None:
    """How many times pyramid_retry may run ``request``: once if its body is a file.

    To run a request again, pyramid_retry first copies its whole body to a
    temporary file; a file's body would be written twice. Bodies the API
    parses (JSON, urlencoded forms, XML) keep the configured attempts.
    """
    content_type = request.content_type
    if request.method in BODY_METHODS and (content_type == "multipart/form-data" or not parsed(content_type)):
        return 1
    return None


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    # pyramid_tm would look up the caller before the exception views are in
    # place: a database failure there would escape the one error shape.
    settings["tm.annotate_user"] = False
    settings.setdefault("retry.attempts", 3)
    settings.setdefault("retry.activate_hook", attempts)
    config.include("pyramid_tm")
    config.include("pyramid_retry")
