"""The view options a service method may give to describe itself in the OpenAPI document.

They are optional: without them the document infers what it can (see
:mod:`backrest.openapi.operations`). Cornice hands options it does not know to
Pyramid's ``add_view``, which refuses any that no view deriver declares; the
deriver below declares these and leaves the view as it is.

``success_status``
    The status of a successful answer (``201`` for a creation).
``response_schema``
    The successful answer's body: a colander node (a class or an instance),
    read as an answer holds it, each of its mapping classes a named schema;
    a ``dict`` that is already an OpenAPI 3.0 schema object, used as it is
    (``{"$ref": "#/components/schemas/Document"}``,
    ``{"type": "array", "items": {...}}``). See :mod:`backrest.openapi.answers`.
``answers_representation``
    ``True`` when the successful answer is the object the URL is about, as
    its own URL represents it (with its ``ETag``), for a service under a
    content type's items; ``response_schema`` then declares the fields the
    answer holds beside the representation's, if any.
``response_media_type``
    The media type of that body, when it is not ``application/json``.
``error_statuses``
    Error statuses the method answers beyond those inferred (``409``, ``412``...).
``request_body``
    A function of the method's body schema (a colander node, or ``None``)
    answering its request body object, when the body is not one of the
    inferred media types (a file upload, for example). It is used as it is,
    but for a schema equal to one of its content type's components, which
    becomes a reference to it. :func:`backrest.openapi.operations.body_content`
    gives the usual media types of a schema, forms by dotted names included.
``openapi_tags``
    The names of the tags grouping the operation (``["api.documents"]``),
    instead of its content type's name or its service's area
    (``accounts`` for ``accounts.signup``).

For example::

    service.add_view("POST", view, response_schema={"type": "array", "items": {"type": "string"}},
                     openapi_tags=["api.documents"])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

OPTIONS = (
    "success_status",
    "response_schema",
    "answers_representation",
    "response_media_type",
    "error_statuses",
    "request_body",
    "openapi_tags",
)


def openapi_options(view: Callable[..., Any], info: Any) -> Callable[..., Any]:
    """Accept the options; they are read from the service's definitions, not here."""
    return view


openapi_options.options = OPTIONS
