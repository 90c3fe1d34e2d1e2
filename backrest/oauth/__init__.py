"""The OAuth2 provider (section 10 of the contract), on oauthlib.

- the client applications admins register at ``/-/applications/``: a
  content type (sections 3 to 7, 11 and 13 apply) with rules of their own:
  redirect URIs (:mod:`~backrest.oauth.redirect_uris`, matched by
  :mod:`~backrest.oauth.redirect_matching`), the grants each client type may
  use (:mod:`~backrest.oauth.client_rules`) and a confidential client's
  secret (:mod:`~backrest.oauth.client_secrets`);
- the authorization endpoint and its pages (:mod:`~backrest.oauth.consent`,
  :mod:`~backrest.oauth.pages`); the token, revocation, introspection and
  metadata endpoints (:mod:`~backrest.oauth.endpoints`); oauthlib's request
  validator on backrest's models (:mod:`~backrest.oauth.validator`);
- what users agreed to (:mod:`~backrest.oauth.grants`), listed and revoked at
  ``/-/authorizations/`` (:mod:`~backrest.oauth.authorizations`);
- ``Authorization: Bearer`` on the whole API (:mod:`~backrest.oauth.bearer`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyramid.events import ContextFound

from backrest.oauth.authorizations import authorization, authorizations
from backrest.oauth.bearer import BearerToken, refuse_tokens_in_urls
from backrest.oauth.consent import authorize
from backrest.oauth.endpoints import CLIENT_PATHS, introspect, metadata, revoke, token
from backrest.oauth.models import Application
from backrest.oauth.schemas import ApplicationIdentity, ApplicationSchema
from backrest.oauth.services import application_services
from backrest.security.permissions import Principal
from backrest.service import register_services
from backrest.throttle import count_apart

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
        read_only_fields=ApplicationIdentity,
    )
    register_services(config, authorize, token, revoke, introspect, metadata, authorizations, authorization)
    for path in CLIENT_PATHS:
        config.add_client_authenticated_path(path)
    # An application's server calls it for every user: not as one anonymous caller.
    count_apart(config, token.path)
    # Only it reads the Bearer scheme: its order matters to no other source.
    config.add_credential_source(BearerToken(), order=150)
    config.add_subscriber(refuse_tokens_in_urls, ContextFound)
