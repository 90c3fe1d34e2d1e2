"""The API root, the heartbeat and the version: what is here and whether it works."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    from backrest.discovery.views import SERVICES  # noqa: PLC0415 - the views need the security policy, which needs the models
    from backrest.service import register_services  # noqa: PLC0415

    register_services(config, *SERVICES)
    config.scan("backrest.discovery.site")
