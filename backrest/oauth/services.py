"""The services of applications: the content type's, and the rotation of a confidential client's secret."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest.content.declare import content_services
from backrest.content.resources import id_factory
from backrest.oauth.schemas import ClientSecret
from backrest.oauth.views import ApplicationViews
from backrest.security.permissions import Permission
from backrest.service import Service

if TYPE_CHECKING:
    from collections.abc import Iterable

    from backrest.content.declare import ContentType


def application_services(content_type: ContentType) -> Iterable[Service]:
    views = ApplicationViews(content_type)
    # The answer to a creation may hold the new client's secret: no cache keeps it.
    collection, item = content_services(content_type, views, create_options={"no_store": True})
    secret = Service(
        "applications.secret",
        f"/-/{content_type.name}/{{id}}/secret",
        "A new secret for a confidential application, shown once; the old one stops working.",
        factory=id_factory(content_type.model),
    )
    secret.add_view(
        "POST",
        views.rotate_secret,
        permission=Permission.EDIT,
        no_store=True,
        answers_representation=True,
        response_schema=ClientSecret(),
    )
    return collection, item, secret
