"""The OpenAPI document of every registered service, built once, when it is first asked for.

A process that never serves it (an API behind its own documentation site,
a benchmark) never holds it: built, it is about a megabyte.

Only ``servers`` depends on the request: it is the application's URL as the
caller reached it, behind a trusted proxy too. Content types add their
components, their tags and what the contract says of their operations
(:mod:`backrest.openapi.content`); the answers that definitions declare add
theirs (:mod:`backrest.openapi.answers`); every ``OPTIONS`` view declares
that it answers ``Options`` (:mod:`backrest.openapi.options_body`).
"""

from __future__ import annotations

import threading
from importlib.metadata import version as package_version
from typing import TYPE_CHECKING, Any

from pyramid.interfaces import IDefaultCSRFOptions

from backrest.oauth.scope_words import DESCRIPTIONS as SCOPES
from backrest.openapi.answers import AnswerComponents
from backrest.openapi.components import META, META_SCHEMA, RESERVED
from backrest.openapi.content import ContentDescriptions
from backrest.openapi.converter import to_schema
from backrest.openapi.headers import SHARED as HEADERS
from backrest.openapi.operations import openapi_path, operation
from backrest.openapi.options_body import SCHEMAS as OPTIONS_SCHEMAS
from backrest.openapi.responses import error_components
from backrest.openapi.schemas import ErrorSchema

if TYPE_CHECKING:
    from pyramid.registry import Registry
    from pyramid.request import Request

# The bundled Swagger UI (4.x) renders 3.0 documents, not 3.1 ones.
OPENAPI_VERSION = "3.0.3"
REGISTRY_KEY = "backrest.openapi"
_BUILDING = threading.Lock()


def paths(
    registry: Registry, content: ContentDescriptions, answers: AnswerComponents
) -> dict[str, dict[str, Any]]:
    """Every method of every service, in the order they were registered."""
    found: dict[str, dict[str, Any]] = {}
    for service in registry["backrest.services"]:
        item = found.setdefault(openapi_path(service.path), {})
        for method, view, args in service.definitions:
            # Cornice may define one method several times (by predicate); the first describes it.
            name = method.lower()
            if name in item:
                continue
            item[name] = operation(
                service, method, view, args, content.additions(service, method), answers=answers
            )
    return found


def _error_statuses(found: dict[str, dict[str, Any]]) -> set[int]:
    return {
        int(status)
        for item in found.values()
        for described in item.values()
        for status in described["responses"]
        if status.isdigit() and int(status) >= 400  # noqa: PLR2004 - the error range
    }


def security_schemes(registry: Registry) -> dict[str, Any]:
    settings = registry.settings
    csrf_header = registry.getUtility(IDefaultCSRFOptions).header
    return {
        "session": {
            "type": "apiKey",
            "in": "cookie",
            "name": settings["backrest.session.cookie_name"],
            "description": "The session cookie that PUT /-/login sets.",
        },
        "csrf": {
            "type": "apiKey",
            "in": "header",
            "name": csrf_header,
            "description": "The session's CSRF token, from GET /-/login: "
            "unsafe requests authenticated by the session cookie must send it.",
        },
        "key": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An API key from POST /-/keys, as 'Token KEYID:SECRET'.",
        },
        "basic": {
            "type": "http",
            "scheme": "basic",
            "description": "HTTP Basic with an API key (KEYID:SECRET) as the password.",
        },
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An OAuth2 access token from POST /oauth2/token, as 'Bearer ACCESS_TOKEN'.",
        },
    }


def oauth2_scheme(base: str) -> dict[str, Any]:
    """The OAuth2 flows a client generator or Swagger UI can run: its URLs are absolute, so per request."""
    return {
        "type": "oauth2",
        "description": "The authorization code flow with PKCE (S256), for applications an admin registered.",
        "flows": {
            "authorizationCode": {
                "authorizationUrl": f"{base}/oauth2/authorize",
                "tokenUrl": f"{base}/oauth2/token",
                "refreshUrl": f"{base}/oauth2/token",
                "scopes": dict(SCOPES),
            }
        },
    }


def build(registry: Registry) -> dict[str, Any]:
    """The document, without ``servers``."""
    content = ContentDescriptions(registry)
    answers = AnswerComponents(taken={*RESERVED, *content.schemas()})
    found = paths(registry, content, answers)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "backrest",
            "version": registry.settings["backrest.version"] or package_version("backrest"),
            "description": "Generated from the services this application registers. "
            "Every error answers in the Error schema.",
        },
        "tags": content.tags(),
        "paths": found,
        "components": {
            "schemas": {
                "Error": to_schema(ErrorSchema()),
                META: META_SCHEMA,
                **OPTIONS_SCHEMAS,
                **content.schemas(),
                **answers.schemas,
            },
            "responses": error_components(sorted(_error_statuses(found))),
            "headers": HEADERS,
            "securitySchemes": security_schemes(registry),
        },
    }


def built(registry: Registry) -> dict[str, Any]:
    """The document without ``servers``: built by the first request that needs it, then kept."""
    found = registry.get(REGISTRY_KEY)
    if found is None:
        with _BUILDING:
            found = registry.get(REGISTRY_KEY)
            if found is None:
                found = registry[REGISTRY_KEY] = build(registry)
    return found


def document(request: Request) -> dict[str, Any]:
    """The document for ``request``, with the URL it reached the application at."""
    built_once = built(request.registry)
    base = request.application_url
    schemes = {**built_once["components"]["securitySchemes"], "oauth2": oauth2_scheme(base)}
    return {
        **built_once,
        "components": {**built_once["components"], "securitySchemes": schemes},
        "servers": [{"url": base}],
    }
