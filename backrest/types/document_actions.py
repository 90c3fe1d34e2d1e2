"""Typed methods on many documents at once: one transaction, all or nothing.

``documents.set_status`` and ``documents.tag`` check every document first:
one the caller may not see is a 404, one they may not edit a 403 naming its
place in the list, a value the documents' schema refuses a 400; then they
write every document as an update through its URL would (version, the
audit log, list caches). Either every document changes or none does.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import colander

from backrest.content.views import ContentViews
from backrest.errors import Errors, errors_exception
from backrest.methods import may, method
from backrest.methods.loading import resource_of
from backrest.security.permissions import Permission
from backrest.types.documents import STATUSES, Document
from backrest.validation import messages_of

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from pyramid.config import Configurator
    from pyramid.request import Request

Status = enum.Enum("Status", [(status, status) for status in STATUSES])
"""A document's status, by name: ``draft``, ``published``, ``archived``."""


def _edit_all(
    request: Request, documents: Sequence[Document], change: Callable[[Document], dict[str, Any]]
) -> list[Document]:
    """Apply ``change(document)`` (the fields to update) to each document, or to none."""
    limit = request.registry.settings["backrest.page_size.max"]
    errors = Errors(400)
    if len(documents) > limit:
        errors.add("body", "documents", f"At most {limit} documents at once.")
        raise errors_exception(errors)
    unique = list({document.id: document for document in documents}.values())
    refused = [
        index for index, document in enumerate(documents) if not may(request, Permission.EDIT, document)
    ]
    if refused:
        forbidden = Errors(403)
        for index in refused:
            forbidden.add("body", f"documents.{index}", "You may not edit this document.")
        raise errors_exception(forbidden)
    content_type = request.registry["backrest.content_types_by_model"][Document]
    schema = content_type.update_schema()
    updates = {}
    for index, document in enumerate(documents):
        try:
            updates[document.id] = schema.deserialize(change(document))
        except colander.Invalid as invalid:
            for name, description in messages_of(invalid).items():
                errors.add("body", f"documents.{index}", f"{name}: {description}")
    if errors:
        raise errors_exception(errors)
    views = ContentViews(content_type)
    for document in unique:
        views.write(request, resource_of(request, document), updates[document.id])
    return unique


@method("documents", permission=Permission.EDIT)
def set_status(request: Request, documents: list[Document], status: Status) -> list[Document]:
    """Give many documents one status (archive them, publish them...), all or none."""
    return _edit_all(request, documents, lambda _document: {"status": status.name})


@method("documents", permission=Permission.EDIT)
def tag(
    request: Request, documents: list[Document], add: list[str] | None = None, remove: list[str] | None = None
) -> list[Document]:
    """Add tags to many documents and remove others, all or none."""
    adding, removing = list(add or ()), set(remove or ())

    def tagged(document: Document) -> dict[str, Any]:
        kept = [name for name in document.tags if name not in removing]
        return {"tags": kept + [name for name in dict.fromkeys(adding) if name not in kept]}

    return _edit_all(request, documents, tagged)


def includeme(config: Configurator) -> None:
    config.scan(__name__)
