"""The OpenAPI document of every registered service, and the interactive page that reads it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest.openapi.options import openapi_options
from backrest.openapi.page import STATIC_DIRECTORY, STATIC_MAX_AGE, STATIC_NAME
from backrest.openapi.views import SERVICES
from backrest.service import register_services

if TYPE_CHECKING:
    from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    config.add_view_deriver(openapi_options)
    config.add_static_view(STATIC_NAME, STATIC_DIRECTORY, cache_max_age=STATIC_MAX_AGE)
    register_services(config, *SERVICES)
