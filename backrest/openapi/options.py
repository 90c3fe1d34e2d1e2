"""The view options a service method may give to describe itself in the OpenAPI document.

They are optional: without them the document infers what it can (see
:mod:`backrest.openapi.operations`). Cornice hands options it does not know to
Pyramid's ``add_view``, which refuses any that no view deriver declares; the
deriver below declares these and leaves the view as it is.

``success_status``
    The status of a successful answer (``201`` for a creation).
``response_schema``
    A colander node describing the successful answer's body.
``response_media_type``
    The media type of that body, when it is not ``application/json``.
``error_statuses``
    Error statuses the method answers beyond those inferred (``409``, ``412``...).
``request_body``
    A function of the method's body schema (a colander node, or ``None``)
    answering its request body object, when the body is not one of the
    inferred media types (a file upload, for example).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

OPTIONS = ("success_status", "response_schema", "response_media_type", "error_statuses", "request_body")


def openapi_options(view: Callable[..., Any], info: Any) -> Callable[..., Any]:
    """Accept the options; they are read from the service's definitions, not here."""
    return view


openapi_options.options = OPTIONS
