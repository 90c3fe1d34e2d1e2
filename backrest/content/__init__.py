"""The content framework: declare a content type once, get its whole REST API.

Public API: :class:`Content` (the model base), :class:`ContentType` and the
``config.add_content_type(...)`` directive, :func:`id_factory`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyramid_retry import mark_error_retryable
from sqlalchemy.orm.exc import StaleDataError

from backrest.content.cache import cache_from_url
from backrest.content.declare import ContentType, add_content_kind, add_content_type
from backrest.content.models import Content
from backrest.content.resources import id_factory
from backrest.errors import http_error

if TYPE_CHECKING:
    from pyramid.config import Configurator
    from pyramid.httpexceptions import HTTPException
    from pyramid.request import Request

__all__ = ["Content", "ContentType", "add_content_kind", "add_content_type", "id_factory"]


def includeme(config: Configurator) -> None:
    config.add_directive("add_content_type", add_content_type)
    config.add_directive("add_content_kind", add_content_kind)
    settings = config.get_settings()
    config.registry["backrest.page_cache"] = cache_from_url(
        settings["backrest.cache.url"], settings["backrest.cache.ttl"]
    )
    # Another writer changed the object between our read and our write: run
    # the request again on the new version. A write that sent If-Match then
    # fails with 412; one that did not is applied on top of the other's.
    mark_error_retryable(StaleDataError)
    config.add_exception_view(lost_race_view, context=StaleDataError, last_retry_attempt=True)


def lost_race_view(exc: StaleDataError, request: Request) -> HTTPException:
    """Another writer won every attempt (or the request could run only once, as an upload does)."""
    return http_error(
        409,
        "request",
        None,
        "Another request changed this object at the same moment: get it again, then retry.",
    )
