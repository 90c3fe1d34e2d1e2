"""API keys: ``KEYID:SECRET`` credentials for scripts, sent in a header, as Basic, or in a body."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyramid.events import ContextFound

from backrest.errors import http_error
from backrest.keys.credentials import in_query_string
from backrest.keys.sources import KeyBasic, KeyField, KeyToken
from backrest.keys.views import SERVICES
from backrest.service import register_services

if TYPE_CHECKING:
    from pyramid.config import Configurator


def refuse_keys_in_urls(event: ContextFound) -> None:
    """Refuse a key in the URL before any view runs, wherever else the request sends credentials."""
    request = event.request
    name = in_query_string(request)
    if name is not None:
        raise http_error(
            400,
            "querystring",
            name,
            "API keys must not be sent in URLs, which end up in logs: "
            "send 'Authorization: Token KEYID:SECRET' instead. Revoke this key.",
        )


def includeme(config: Configurator) -> None:
    register_services(config, *SERVICES)
    config.add_subscriber(refuse_keys_in_urls, ContextFound)
    config.add_credential_source(KeyToken(), order=100)
    # Before the account password's Basic source (300), which takes any Basic left.
    config.add_credential_source(KeyBasic(), order=200)
    # Before the session cookie (900): a script's key wins over a browser's session.
    config.add_credential_source(KeyField(), order=400)
