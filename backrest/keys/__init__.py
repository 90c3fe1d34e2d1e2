"""API keys: ``KEYID:SECRET`` credentials for scripts, sent in a header, as Basic, or in a body."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyramid.events import ContextFound

from backrest.errors import http_error
from backrest.keys.authentication import may_carry_credentials
from backrest.keys.credentials import in_query_string

if TYPE_CHECKING:
    from pyramid.config import Configurator


def check_credentials(event: ContextFound) -> None:
    """Refuse a key in the URL, and bad credentials, before any view runs.

    A view that never asks who the caller is would otherwise take a request
    with a wrong key as an anonymous one.
    """
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
    if may_carry_credentials(request):
        request.identity  # noqa: B018 - raises the 401 of bad credentials


def includeme(config: Configurator) -> None:
    from backrest.keys.views import SERVICES  # noqa: PLC0415 - the views need the security policy
    from backrest.service import register_services  # noqa: PLC0415

    register_services(config, *SERVICES)
    config.add_subscriber(check_credentials, ContextFound)
