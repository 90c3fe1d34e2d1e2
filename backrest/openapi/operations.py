"""One OpenAPI operation for each method of a registered service.

Everything comes from the method's definition: its path parameters, its
``schema`` (a body schema, or Cornice's request-shaped one with ``body``,
``querystring``, ``path``, ``header`` and ``cookies`` mappings), its
validators, its ``permission``, and the optional view options of
:mod:`backrest.openapi.options`. Without ``success_status`` the status comes
from the view's return annotation when it is an HTTP exception
(``-> HTTPNoContent`` is a 204), else it is 200.

What the definition does not say but the service's place in the API does
(a content type's list parameters, validators, components; the body of
every ``OPTIONS``) comes as :class:`Additions`; the definition's own options
win over them. The named schemas of declared answers are collected in the
document's :class:`~backrest.openapi.answers.AnswerComponents`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import colander
from pyramid.httpexceptions import HTTPException

from backrest.openapi.components import schema_reference
from backrest.openapi.converter import schema_node, to_schema
from backrest.openapi.forms import form_fields
from backrest.openapi.headers import shared
from backrest.openapi.responses import (
    DEFAULT_REFERENCE,
    JSON,
    error_reference,
    error_statuses,
    success_response,
)
from backrest.security.permissions import Permission
from backrest.service import colander_body_validator
from backrest.validation import body_validator

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from backrest.openapi.answers import AnswerComponents
    from backrest.service import Service

PATH_PARAMETER = re.compile(r"\{(?P<name>\w+)(?::(?P<pattern>[^}]*))?\}")
FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
BODY_MEDIA_TYPES = (JSON, *FORM_MEDIA_TYPES, "application/xml")
BODY_VALIDATORS = (body_validator, colander_body_validator)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Cornice's request-shaped schemas name their parts; OpenAPI names where parameters are.
PARAMETER_PARTS = {"querystring": "query", "path": "path", "header": "header", "cookies": "cookie"}
REQUEST_PARTS = frozenset({"body", *PARAMETER_PARTS})


@dataclass(frozen=True)
class Additions:
    """What the document adds to an operation beyond its definition."""

    tags: tuple[str, ...] = ()
    parameters: tuple[dict[str, Any], ...] = ()
    response_schema: dict[str, Any] | None = None
    """The successful answer's body, unless the definition gives ``response_schema``."""
    headers: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    """Header objects of the successful answer."""
    media_types: tuple[str, ...] = ()
    """Other media types of the successful answer than the definition's (those ``?format=`` chooses)."""
    responses: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    """Other answers that are no errors (a 304)."""
    other_successes: tuple[int, ...] = ()
    """Other statuses of the successful answer, with the same body and headers."""
    representation: str | None = None
    """The name of the representation of the content type the service belongs to."""
    error_statuses: frozenset[int] = frozenset()
    schemas: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    """Named schemas: a body that is one of them is written as a reference to it."""


NOTHING = Additions()


def openapi_path(path: str) -> str:
    r"""``/-/things/{id:\d+}`` is ``/-/things/{id}``."""
    return PATH_PARAMETER.sub(lambda match: "{" + match["name"] + "}", path)


def request_parts(schema: Any) -> dict[str, colander.SchemaNode]:
    """The schema of each part of the request that ``schema`` describes."""
    if schema is None:
        return {}
    schema = schema_node(schema)
    children = schema.children
    if children and all(
        child.name in REQUEST_PARTS and isinstance(child.typ, colander.Mapping) for child in children
    ):
        return {child.name: child for child in children}
    return {"body": schema}


def parameters(path: str, parts: dict[str, colander.SchemaNode]) -> list[dict[str, Any]]:
    declared_path = {child.name: child for child in getattr(parts.get("path"), "children", ())}
    found = []
    for match in PATH_PARAMETER.finditer(path):
        name = match["name"]
        schema = to_schema(declared_path[name]) if name in declared_path else {"type": "string"}
        if match["pattern"]:
            schema["pattern"] = f"^(?:{match['pattern']})$"
        found.append({"name": name, "in": "path", "required": True, "schema": schema})
    for part, location in PARAMETER_PARTS.items():
        if part == "path" or part not in parts:
            continue
        found.extend(
            {"name": child.name, "in": location, "required": child.required, "schema": to_schema(child)}
            for child in parts[part].children
        )
    return found


def body_content(schema: dict[str, Any]) -> dict[str, Any]:
    """The content of a body in every media type the API reads: forms by dotted names (API section 6)."""
    flat, encoding = form_fields(schema)
    form = {"schema": flat, "encoding": encoding} if encoding else {"schema": flat}
    return {
        media_type: form if media_type in FORM_MEDIA_TYPES else {"schema": schema}
        for media_type in BODY_MEDIA_TYPES
    }


def request_body(node: colander.SchemaNode | None) -> dict[str, Any]:
    schema = to_schema(node) if node is not None else {"type": "object"}
    return {"required": bool(schema.get("required")), "content": body_content(schema)}


def with_references(body: dict[str, Any], schemas: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """``body`` whose media types' schemas that are among the named ``schemas`` refer to them."""

    def referred(media: dict[str, Any]) -> dict[str, Any]:
        name = next((name for name, schema in schemas.items() if schema == media.get("schema")), None)
        return media if name is None else {**media, "schema": schema_reference(name)}

    return {**body, "content": {media_type: referred(media) for media_type, media in body["content"].items()}}


def returned_exception(view: Callable[..., Any]) -> type[HTTPException] | None:
    """The HTTP exception class the view's return annotation names, if it names one."""
    returned = getattr(view, "__annotations__", {}).get("return")
    if isinstance(returned, str):
        head, *rest = returned.split(".")
        returned = getattr(view, "__globals__", {}).get(head)
        for name in rest:
            returned = getattr(returned, name, None)
    if isinstance(returned, type) and issubclass(returned, HTTPException):
        return returned
    return None


def success_status(view: Callable[..., Any], args: dict[str, Any]) -> int:
    if args.get("success_status"):
        return args["success_status"]
    exception = returned_exception(view)
    return getattr(exception, "code", None) or 200


def security(permission: Any, method: str) -> list[dict[str, list[str]]] | None:
    """Protected methods take the session cookie (with its CSRF token to change anything), a key or a token.

    The account's own operations take the session only: API keys and OAuth
    tokens never manage the account (reading who one is, ``identity``, takes
    them too). A token needs the ``read`` scope for safe methods, ``write``
    for the others.
    """
    if permission in {None, Permission.PUBLIC}:
        return None
    session = [{"session": []}] if method in SAFE_METHODS else [{"session": [], "csrf": []}]
    if permission == Permission.ACCOUNT:
        return session
    needed = "read" if method in SAFE_METHODS else "write"
    return [*session, {"key": []}, {"basic": []}, {"bearer": []}, {"oauth2": [needed]}]


def response_schema(
    args: dict[str, Any], additions: Additions, answers: AnswerComponents
) -> dict[str, Any] | None:
    """The successful answer's body: the definition's (:mod:`backrest.openapi.answers`), or the additions'."""
    declared = args.get("response_schema")
    if args.get("answers_representation"):
        return answers.represented(declared, additions.representation)
    if declared is None:
        return additions.response_schema
    return answers.body(declared)


def success_headers(args: dict[str, Any], additions: Additions) -> Mapping[str, dict[str, Any]]:
    """The successful answer's headers: an object's representation comes with its ETag."""
    if args.get("answers_representation"):
        return {**additions.headers, **shared("ETag")}
    return additions.headers


def unique(params: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One parameter of each name and place: the definition's own first."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for param in params:
        found.setdefault((param["name"], param["in"]), param)
    return list(found.values())


def operation(
    service: Service,
    method: str,
    view: Callable[..., Any],
    args: dict[str, Any],
    additions: Additions = NOTHING,
    *,
    answers: AnswerComponents,
) -> dict[str, Any]:
    """The operation object of one method of ``service``, as Cornice defined it.

    The named schemas of its answer go to ``answers``.
    """
    parts = request_parts(args.get("schema"))
    params = unique([*parameters(service.path, parts), *additions.parameters])
    reads_body = (
        "body" in parts
        or "request_body" in args
        or any(check in BODY_VALIDATORS for check in args.get("validators", ()))
    )
    requirement = security(args.get("permission"), method)
    statuses = error_statuses(
        reads_input=reads_body or bool(params),
        reads_body=reads_body,
        protected=requirement is not None,
        unsafe=method not in SAFE_METHODS,
        finds_object=any(param["in"] == "path" for param in params),
    )
    statuses.update(args.get("error_statuses", ()), additions.error_statuses)
    body = response_schema(args, additions, answers)
    successes = {
        str(status): success_response(
            status,
            body,
            args.get("response_media_type", JSON),
            with_body=method != "HEAD",
            headers=success_headers(args, additions),
            also=additions.media_types,
        )
        for status in (success_status(view, args), *additions.other_successes)
    }
    responses = {
        **successes,
        **additions.responses,
        **{str(code): error_reference(code) for code in statuses},
    }
    found: dict[str, Any] = {
        "operationId": f"{service.name}.{method.lower()}",
        "summary": service.description,
        "tags": list(args.get("openapi_tags") or additions.tags or [service.name.partition(".")[0]]),
        "responses": {
            **{code: responses[code] for code in sorted(responses, key=int)},
            "default": DEFAULT_REFERENCE,
        },
    }
    if params:
        found["parameters"] = params
    if "request_body" in args:
        found["requestBody"] = with_references(args["request_body"](parts.get("body")), additions.schemas)
    elif reads_body:
        found["requestBody"] = with_references(request_body(parts.get("body")), additions.schemas)
    if requirement is not None:
        found["security"] = requirement
    return found
