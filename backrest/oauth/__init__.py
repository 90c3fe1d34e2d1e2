"""The OAuth2 provider: the client applications admins register at ``/-/applications/``.

Applications are a content type (sections 3 to 7, 11 and 13 of the contract
apply) with rules of their own: redirect URIs (:mod:`backrest.oauth.redirect_uris`,
matched by :mod:`backrest.oauth.redirect_matching`), the grants each client
type may use (:mod:`backrest.oauth.client_rules`) and a confidential client's
secret (:mod:`backrest.oauth.client_secrets`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest.oauth.models import Application
from backrest.oauth.schemas import ApplicationSchema
from backrest.oauth.services import application_services
from backrest.security.permissions import Principal

if TYPE_CHECKING:
    from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    config.add_content_kind(Application, "application", application_services)
    config.add_content_type(
        name="applications",
        model=Application,
        schema=ApplicationSchema,
        description="OAuth client applications: what may ask users for access, and how. Admins only.",
        filters={"name": ("exact",), "client_type": ("exact", "in")},
        search=("name",),
        ordering=("name", "created", "modified"),
        default_ordering="name",
        creators=(Principal.ADMIN,),
        shareable=False,
    )
