"""Server-side sessions named by an HttpOnly cookie."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest.service import register_services
from backrest.sessions.source import SessionCookie
from backrest.sessions.views import SERVICES

if TYPE_CHECKING:
    from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    register_services(config, *SERVICES)
    # Last: credentials a request sends itself win over the cookie a browser adds.
    config.add_credential_source(SessionCookie(), order=900)
