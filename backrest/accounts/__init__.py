"""Accounts for a single-page app: signup, login, passwords, addresses, profile."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    from backrest.accounts.views import SERVICES  # noqa: PLC0415 - the views need the security policy, which needs the models
    from backrest.service import register_services  # noqa: PLC0415

    register_services(config, *SERVICES)
