"""A typed method as a service: ``POST /-/api/{group}/{name}``, its checks, its arguments, its answer.

``GET`` at the same URL describes the method as ``OPTIONS`` does: what it is
and the fields it takes. It calls nothing; it is the URL a person opens, and
the browsable page of it is a form that calls the method.

The call is checked like any other: the policy authenticates the caller
(session with its CSRF token, API key, Bearer token), the method's
permission is checked on :class:`MethodResource`, and a key or token must
hold the method's scope. Arguments come from the body only, a JSON object
or form fields by dotted names (section 6); the query string carries
nothing but ``format``. A method that takes files reads a multipart body
as a stream (:mod:`backrest.methods.multipart`). Objects named by id are
loaded with the caller's rights: one the caller may not view is a 404, as
at its own URL. A method with the ``write`` scope is written to the audit
log with the names of the arguments sent, never their values (nor files).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from pyramid.authorization import ALL_PERMISSIONS, Allow

from backrest import audit
from backrest.content.options import OPTIONS_BODY, options_view
from backrest.content.representation import representation
from backrest.errors import Errors, errors_exception, http_error
from backrest.keys.credentials import BODY_FIELD
from backrest.methods.arguments import ArgumentErrors, Context, decode_arguments
from backrest.methods.loading import model_loader, resource_of
from backrest.methods.multipart import read_arguments
from backrest.methods.options import fields
from backrest.methods.schemas import MULTIPART, request_body, request_schema, result_json, result_schema
from backrest.methods.shapes import Signature, names_objects
from backrest.openapi.components import component_names, schema_reference
from backrest.security.permissions import Permission, Principal
from backrest.service import Service
from backrest.validation import BodyError, read_body

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from pyramid.registry import Registry
    from pyramid.request import Request

    from backrest.methods.declare import MethodSpec

DEFAULT_ACL: tuple[tuple[str, str, Any], ...] = (
    (Allow, Principal.ADMIN, ALL_PERMISSIONS),
    (
        Allow,
        Principal.AUTHENTICATED,
        (Permission.VIEW, Permission.CREATE, Permission.EDIT, Permission.DELETE),
    ),
)
"""Any logged-in caller may call a method; what it does to objects is checked on each one."""
JSON_TYPES = ("", "application/json")
QUERY_ALLOWED = frozenset({"format"})
REQUEST_PARAMETER = "request"


class MethodResource:
    """The context a method's permission is checked on."""

    __name__ = "api"
    __parent__ = None

    def __init__(self, request: Request, acl: Sequence[tuple[str, str, Any]]) -> None:
        self.request = request
        self.__acl__ = list(acl)


def _refuse_query_arguments(request: Request) -> None:
    errors = Errors(400)
    for name in dict.fromkeys(request.GET):
        if name not in QUERY_ALLOWED:
            errors.add("querystring", name, "Send a method's arguments in the body, not in the URL.")
    if errors:
        raise errors_exception(errors)


def _refuse_out_of_scope(request: Request, spec: MethodSpec) -> None:
    identity = request.identity
    if identity is None:
        return
    refusal = identity.scope_denies(Permission.VIEW if spec.scope == "read" else Permission.EDIT)
    if refusal is not None:
        raise http_error(403, "header", "Authorization", refusal)


def _body(request: Request, signature: Signature) -> dict[str, Any]:
    try:
        if signature.takes_files and request.content_type == MULTIPART:
            body = read_arguments(request, signature)
        else:
            body = read_body(request)
    except BodyError as error:
        raise http_error(error.status, error.location, error.name, str(error)) from error
    # A key sent in the body authenticated the call: it is no argument.
    body.pop(BODY_FIELD, None)
    return body


class MethodCall:
    """The view of one method."""

    def __init__(
        self, spec: MethodSpec, function: Callable[..., Any], signature: Signature, models: Mapping[type, str]
    ) -> None:
        self.spec = spec
        self.function = function
        self.signature = signature
        self.models = models
        self.takes_request = REQUEST_PARAMETER in inspect.signature(function).parameters
        self.__name__ = function.__name__  # Cornice names views by it

    def __call__(self, request: Request) -> Any:
        _refuse_query_arguments(request)
        _refuse_out_of_scope(request, self.spec)
        body = _body(request, self.signature)
        context = Context(models=self.models, load_model=model_loader(request))
        try:
            arguments = decode_arguments(
                self.signature, body, context, from_form=request.content_type not in JSON_TYPES
            )
        except ArgumentErrors as invalid:
            errors = Errors(400)
            for name, description in invalid.errors:
                errors.add("body", name, description)
            raise errors_exception(errors) from invalid
        if self.spec.writes:
            audit.record(
                request,
                "method_called",
                object_type="method",
                object_id=self.spec.key,
                changes={"arguments": sorted(body)},
            )
        if self.takes_request:
            arguments[REQUEST_PARAMETER] = request
        result = self.function(**arguments)
        return result_json(result, request, lambda obj: representation(request, resource_of(request, obj)))


def method_service(registry: Registry, spec: MethodSpec, function: Callable[..., Any]) -> Service:
    """The service of one method, described for OPTIONS and OpenAPI from its annotations."""
    models = {
        content_type.model: name for name, content_type in registry.get("backrest.content_types", {}).items()
    }
    signature = Signature.of(function, models)
    # A content model in a result is answered as its own URL represents it: its component.
    components = component_names(registry.get("backrest.content_types", {}).values())

    def model_ref(model: type) -> dict[str, Any]:
        return schema_reference(components[models[model]])

    acl = tuple(spec.acl) if spec.acl is not None else DEFAULT_ACL
    # A method that takes files: a multipart body only, each file of the types the application takes.
    file_types = registry.settings["backrest.files.content_types"] if signature.takes_files else None
    statuses = {
        # An object named by id that the caller may not see is a 404.
        404: any(names_objects(member.shape) for member in signature.parameters),
        413: file_types is not None,
        415: file_types is not None,
    }
    service = Service(
        f"methods.{spec.key}",
        f"/-/api/{spec.group}/{spec.name}",
        spec.description,
        factory=lambda request: MethodResource(request, acl),
    )
    service.method_spec = spec
    arguments = request_schema(signature, models)
    service.options_fields = fields(arguments)
    service.add_view(
        "POST",
        MethodCall(spec, function, signature, models),
        permission=spec.permission,
        request_body=lambda _node: request_body(arguments, file_types),
        response_schema=result_schema(signature.returns, models, model_ref=model_ref),
        openapi_tags=[f"api.{spec.group}"],
        error_statuses=tuple(status for status, possible in statuses.items() if possible),
    )
    service.add_view(
        "GET",
        options_view(service),
        permission=Permission.PUBLIC,
        response_schema=OPTIONS_BODY,
        openapi_tags=[f"api.{spec.group}"],
    )
    return service
