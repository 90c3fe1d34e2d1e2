"""Which forms the browsable page offers its caller, read from the service's OpenAPI description.

For the service that answered (found by its route), the page offers a form
for each writing method the caller may use there (as ``OPTIONS`` lists
them): ``POST``, an edit (``PUT``, else ``PATCH``) filled in with what the
page shows, ``DELETE``. Their fields come from the operation's request body
in ``/-/openapi.json``: its JSON schema, or its multipart schema when that
takes a file. A list adds a form of its query parameters (filters,
``search``, ``ordering``, ``page_size``). An anonymous caller gets the login
form, a caller logged in with a session the logout button.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from backrest.content.options import allowed_methods
from backrest.formats.form_markup import Form
from backrest.formats.schema_fields import FieldReader, is_file
from backrest.openapi.document import built
from backrest.openapi.operations import openapi_path

if TYPE_CHECKING:
    from pyramid.registry import Registry
    from pyramid.request import Request

    from backrest.formats.schema_fields import Field
    from backrest.service import Service

BY_ROUTE_KEY = "backrest.formats.services_by_route"
LOGIN_SERVICE = "accounts.login"
LOGOUT_SERVICE = "accounts.logout"
META = "__meta__"
MULTIPART = "multipart/form-data"
FORM_BODIES = ("application/json", MULTIPART, "application/x-www-form-urlencoded")
# Query parameters that are no filters: the format is the page's, the page its links'.
NOT_QUERY_FIELDS = frozenset({"format", "page"})
EDITS = ("PUT", "PATCH")
LOOKUP_WORDS = {"in": "one of", "gt": "greater than", "gte": "at least", "lt": "less than", "lte": "at most"}


def _services_by_route(registry: Registry) -> dict[str, Service]:
    found = registry.get(BY_ROUTE_KEY)
    if found is None:
        found = registry[BY_ROUTE_KEY] = {
            service.name: service for service in registry.get("backrest.services", ())
        }
    return found


class PageForms:
    """The forms of one page: ``data`` is what it shows, ``request`` whom to."""

    def __init__(self, data: Any, request: Request) -> None:
        self.data = data
        self.request = request
        # Without services (a page rendered on its own) there is nothing to describe.
        registry = request.registry
        self.document = built(registry) if "backrest.services" in registry else None
        self.reader = FieldReader(self.document["components"]["schemas"] if self.document else {})

    def service(self, name: str | None = None) -> Service | None:
        """The service named ``name``, or the one that answered this request."""
        route = self.request.matched_route
        wanted = name or (route.name if route is not None else None)
        return _services_by_route(self.request.registry).get(wanted) if wanted else None

    def operation(self, service: Service, method: str) -> Mapping[str, Any] | None:
        if self.document is None:
            return None
        return self.document["paths"].get(openapi_path(service.path), {}).get(method.lower())

    def body_fields(self, operation: Mapping[str, Any], values: Any = None) -> tuple[Field, ...]:
        """The fields of the operation's body: multipart when it takes a file, else its JSON schema."""
        content = (operation.get("requestBody") or {}).get("content", {})
        multipart = content.get(MULTIPART, {}).get("schema", {})
        if any(is_file(property_) for property_ in multipart.get("properties", {}).values()):
            return self.reader.fields(multipart, values)
        for media_type in FORM_BODIES:
            if media_type in content:
                return self.reader.fields(content[media_type]["schema"], values)
        return ()

    def resource_forms(self) -> list[Form]:
        """The forms about what the page shows: its query, then the writes the caller may make."""
        service = self.service()
        if service is None:
            return []
        allowed = allowed_methods(self.request, service)
        forms = self.query_forms(service)
        url = self.request.path_url
        for method, form in (
            ("POST", self.post_form),
            (next((edit for edit in EDITS if edit in allowed), None), self.edit_form),
            ("DELETE", self.delete_form),
        ):
            operation = self.operation(service, method) if method in allowed else None
            if operation is not None:
                made = form(service, method, operation, url)
                if made is not None:
                    forms.append(made)
        return forms

    def post_form(self, service: Service, method: str, operation: Mapping[str, Any], url: str) -> Form:
        spec = getattr(service, "method_spec", None)
        fields = self.body_fields(operation)
        if spec is not None:
            return Form("call", f"Call {spec.key}", method, url, fields, then="result", button="Call")
        return Form("create", "Create", method, url, fields, then="location", button="Create")

    def edit_form(self, service: Service, method: str, operation: Mapping[str, Any], url: str) -> Form | None:
        if not isinstance(self.data, Mapping):
            return None
        values = {key: value for key, value in self.data.items() if key != META}
        return Form(
            "edit",
            "Edit",
            method,
            url,
            self.body_fields(operation, values),
            if_match=self.request.response.headers.get("ETag", ""),
            changed_only=True,
            button="Save",
        )

    def delete_form(self, service: Service, method: str, operation: Mapping[str, Any], url: str) -> Form:
        parent = url.rstrip("/").rpartition("/")[0] + "/"
        return Form(
            "delete",
            "Delete",
            method,
            url,
            if_match=self.request.response.headers.get("ETag", ""),
            then="leave",
            leave_to=parent,
            button="Delete",
        )

    def query_forms(self, service: Service) -> list[Form]:
        """The filter, search, ordering and page size of a list, as they stand in the URL."""
        operation = self.operation(service, "GET")
        parameters = [
            parameter
            for parameter in (operation or {}).get("parameters", ())
            if parameter.get("in") == "query" and parameter["name"] not in NOT_QUERY_FIELDS
        ]
        if not parameters:
            return []
        fields = tuple(
            self.reader.field(
                parameter["name"],
                parameter["name"],
                query_schema(parameter),
                required=False,
                value=self.request.GET.get(parameter["name"]),
            )
            for parameter in parameters
        )
        return [
            Form(
                "query",
                "Filter and order",
                "GET",
                self.request.path_url,
                fields,
                then="search",
                button="Apply",
            )
        ]

    def account_forms(self) -> list[Form]:
        """Log in, for an anonymous caller; log out, for one logged in with a session."""
        identity = self.request.identity
        if identity is None:
            login = self.service(LOGIN_SERVICE)
            operation = self.operation(login, "PUT") if login is not None else None
            if operation is None:
                return []
            url = self.request.application_url + login.path
            return [Form("login", "Log in", "PUT", url, self.body_fields(operation), button="Log in")]
        logout = self.service(LOGOUT_SERVICE)
        if identity.session_id is None or logout is None:
            return []
        return [
            Form("logout", "Log out", "PUT", self.request.application_url + logout.path, button="Log out")
        ]


def query_schema(parameter: Mapping[str, Any]) -> dict[str, Any]:
    """A query parameter's schema as one form control: a list is one comma-separated value."""
    schema = dict(parameter.get("schema", {}))
    description = parameter.get("description", "")
    if schema.get("type") == "boolean":
        # A filter has three states: either value, or not filtering.
        schema = {"type": "string", "enum": ["true", "false"]}
    elif schema.get("type") == "array":
        choices = schema.get("items", {}).get("enum")
        schema = {"type": "string", "enum": choices} if choices else {"type": "string"}
        if not choices:
            description = f"{description} Separate values with commas.".strip()
    schema.pop("default", None)
    return {**schema, "title": query_label(parameter["name"]), "description": description}


def query_label(name: str) -> str:
    """``created__gte`` in words: "Created, at least"."""
    field, _, lookup = name.partition("__")
    words = field.replace("_", " ").capitalize()
    return f"{words}, {LOOKUP_WORDS.get(lookup, lookup)}" if lookup else words
