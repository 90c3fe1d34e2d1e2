"""``OPTIONS`` on every service: what the caller may do there, and with which fields.

The answer lists only the methods the caller may use, and describes the
fields each writing method takes, from the same colander schema that
validates them (in the style of Django REST Framework's metadata). Every
registered service answers it (:func:`backrest.service.register_services`
calls :func:`add_options`): a content type's collection and items, and the
account, session, key and team services alike. A service without a colander
schema may describe its fields itself (``options_fields``, as typed methods
do from their annotations).

A field whose valid values are known only once the application is
configured (a team's permissions, from the registered content types) gives
them as a deferred ``choices`` attribute of its node: OPTIONS binds the
schema to the request, which resolves it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import colander

from backrest import schema
from backrest.formats.negotiation import FORMATS
from backrest.security.permissions import Permission
from backrest.service import service_key
from backrest.validation import PARSERS

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.request import Request

    from backrest.service import Service

RENDERS = [format_.content_type for format_ in FORMATS]
OPTIONS_BODY = {"$ref": "#/components/schemas/Options"}
"""What every OPTIONS answers, in OpenAPI (:mod:`backrest.openapi.options_body`)."""
PARSES = list(PARSERS)
WRITING = ("POST", "PUT")

TYPE_NAMES = (
    (schema.Flag, "boolean"),
    (schema.Integer, "integer"),
    (schema.Number, "number"),
    (colander.Boolean, "boolean"),
    (colander.Integer, "integer"),
    (colander.Float, "number"),
    (colander.Decimal, "decimal"),
    (colander.DateTime, "datetime"),
    (colander.Date, "date"),
    (colander.String, "string"),
    (colander.Mapping, "nested object"),
    (colander.Sequence, "list"),
)


def type_name(node: colander.SchemaNode) -> str:
    return next((name for kind, name in TYPE_NAMES if isinstance(node.typ, kind)), "field")


def _validators(node: colander.SchemaNode) -> list[Any]:
    validator = node.validator
    if isinstance(validator, colander.All):
        return list(validator.validators)
    return [validator] if validator else []


def _choices(node: colander.SchemaNode) -> list[Any] | None:
    """The values a ``OneOf`` validator allows, or those of a bound ``choices`` attribute."""
    for validator in _validators(node):
        if isinstance(validator, colander.OneOf):
            return list(validator.choices)
    choices = getattr(node, "choices", None)
    if isinstance(choices, (list, tuple)):
        return list(choices)
    if isinstance(node.typ, colander.Sequence) and node.children:
        # A list of values among choices is a multiple choice: a form shows them on the field.
        return _choices(node.children[0])
    return None


def describe(node: colander.SchemaNode) -> dict[str, Any]:
    """One field, as OPTIONS describes it."""
    description: dict[str, Any] = {
        "type": type_name(node),
        "required": node.missing is colander.required,
        "read_only": False,
        "label": node.title,
    }
    for validator in _validators(node):
        if isinstance(validator, colander.Length) and validator.max is not None:
            description["max_length"] = validator.max
        if isinstance(validator, colander.Range):
            if validator.min is not None:
                description["min_value"] = validator.min
            if validator.max is not None:
                description["max_value"] = validator.max
    choices = _choices(node)
    if choices is not None:
        description["choices"] = [{"value": choice, "display_name": str(choice)} for choice in choices]
    if isinstance(node.typ, colander.Mapping):
        description["children"] = {child.name: describe(child) for child in node.children}
    if isinstance(node.typ, colander.Sequence) and node.children:
        description["child"] = describe(node.children[0])
    return description


def allowed_methods(request: Request, service: Service) -> list[str]:
    """The methods of ``service`` the caller may use here."""
    allowed = []
    for method, _view, arguments in service.definitions:
        permission = arguments.get("permission", Permission.PUBLIC)
        if method not in allowed and (
            permission == Permission.PUBLIC or request.has_permission(permission, request.context)
        ):
            allowed.append(method)
    return allowed


def _fields(service: Service, method: str, schema: colander.SchemaNode) -> dict[str, Any]:
    """The fields ``method`` takes: the schema's, and the file of a service that takes uploads."""
    fields = {node.name: describe(node) for node in schema.children}
    file_field = getattr(service, "file_field", None)
    if file_field is not None:
        fields[file_field] = {
            "type": "file upload",
            "required": method == "POST",
            "read_only": False,
            "label": "File",
        }
    return fields


def _schema(arguments: dict[str, Any], request: Request) -> colander.SchemaNode:
    """The method's body schema, its deferred values resolved for ``request``."""
    schema = arguments["schema"]
    return (schema() if isinstance(schema, type) else schema).bind(request=request)


def _name(service: Service) -> str:
    """A content type's name (``documents``), a method's (``home.describe_site``), else the service's key.

    (``signup`` for ``accounts.signup``.)
    """
    content_type = getattr(service, "content_type", None)
    if content_type is not None:
        return content_type.name
    spec = getattr(service, "method_spec", None)
    return spec.key if spec is not None else service_key(service.name)


def options_view(service: Service) -> Callable[[Request], dict[str, Any]]:
    def view(request: Request) -> dict[str, Any]:
        allowed = allowed_methods(request, service)
        described = getattr(service, "options_fields", None)
        actions = {
            method: described
            if described is not None
            else _fields(service, method, _schema(arguments, request))
            for method, _view, arguments in service.definitions
            if method in WRITING
            and method in allowed
            and (described is not None or arguments.get("schema") is not None)
        }
        body = {
            "name": _name(service),
            "description": service.description,
            "renders": RENDERS,
            "parses": PARSES,
            "actions": actions,
        }
        request.response.allow = allowed
        return body

    return view


def add_options(service: Service) -> None:
    """Answer OPTIONS on ``service``, unless it defines its own."""
    if "OPTIONS" in service.defined_methods:
        return
    # A service about one object (it has a resource factory) is about one
    # the caller may view: whoever may not is told it does not exist, by
    # OPTIONS too. The others tell anyone what they may do there.
    about_an_object = getattr(service, "factory", None) and not getattr(service, "method_spec", None)
    permission = Permission.VIEW if about_an_object else Permission.PUBLIC
    service.add_view("OPTIONS", options_view(service), permission=permission, response_schema=OPTIONS_BODY)
