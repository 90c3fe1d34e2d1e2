"""``GET /-/openapi.json`` and ``GET /-/docs``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backrest.openapi.document import document
from backrest.openapi.page import docs_page
from backrest.security.permissions import Permission
from backrest.service import Service

if TYPE_CHECKING:
    from pyramid.request import Request
    from pyramid.response import Response

openapi = Service("openapi.openapi", "/-/openapi.json", "The OpenAPI document of this API.")
docs = Service("openapi.docs", "/-/docs", "This API's interactive documentation.")

SERVICES = (openapi, docs)
DOCUMENT = {
    "type": "object",
    "description": "This document: OpenAPI 3.0, whose own specification describes it.",
    "externalDocs": {"url": "https://spec.openapis.org/oas/v3.0.3"},
}


@openapi.get(permission=Permission.PUBLIC, response_schema=DOCUMENT)
def openapi_view(request: Request) -> dict[str, Any]:
    return document(request)


@docs.get(permission=Permission.PUBLIC, response_media_type="text/html")
def docs_view(request: Request) -> Response:
    return docs_page(request)
