"""The content types the default application ships, each declared like any integrator's."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    config.include("backrest.types.documents")
    config.include("backrest.types.files")
    config.include("backrest.types.document_actions")
