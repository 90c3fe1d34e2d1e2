"""Accounts for a single-page app: signup, login, passwords, addresses, profile."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    # Imported here: the views need the sessions, which need this package's models.
    from backrest.accounts.basic import PasswordBasic  # noqa: PLC0415
    from backrest.accounts.views import SERVICES  # noqa: PLC0415
    from backrest.service import register_services  # noqa: PLC0415

    register_services(config, *SERVICES)
    # After the API keys sent as Basic (200): this takes any Basic left.
    config.add_credential_source(PasswordBasic(), order=300)
