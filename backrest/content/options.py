"""``OPTIONS`` on a collection or an item: what the caller may do there, and with which fields.

The answer lists only the methods the caller may use, and describes the
fields each writing method takes, from the same colander schema that
validates them (in the style of Django REST Framework's metadata).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import colander

from backrest import schema
from backrest.formats.negotiation import FORMATS
from backrest.security.permissions import Permission
from backrest.validation import PARSERS

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.request import Request

    from backrest.service import Service

RENDERS = [format_.content_type for format_ in FORMATS]
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
        if isinstance(validator, colander.OneOf):
            description["choices"] = [
                {"value": choice, "display_name": str(choice)} for choice in validator.choices
            ]
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


def options_view(service: Service) -> Callable[[Request], dict[str, Any]]:
    content_type = service.content_type

    def view(request: Request) -> dict[str, Any]:
        allowed = allowed_methods(request, service)
        actions = {
            method: _fields(service, method, arguments["schema"])
            for method, _view, arguments in service.definitions
            if method in WRITING and method in allowed and arguments.get("schema") is not None
        }
        body = {
            "name": content_type.name,
            "description": service.description,
            "renders": RENDERS,
            "parses": PARSES,
            "actions": actions,
        }
        response = request.response
        response.allow = allowed
        return body

    return view
