"""Server-side sessions named by an HttpOnly cookie."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    from backrest.service import register_services  # noqa: PLC0415
    from backrest.sessions.views import SERVICES  # noqa: PLC0415 - the views need the security policy, which needs the models

    register_services(config, *SERVICES)
