"""The bodies of successful answers that definitions declare (``response_schema``), and their named schemas.

``response_schema`` (:mod:`backrest.openapi.options`) is an OpenAPI schema
(a ``dict``, used as it is) or a colander node (a class or an instance),
read as an answer holds it (:func:`backrest.openapi.converter.answer_schema`).
With ``answers_representation``, the answer is the representation of the
object the URL is about, and ``response_schema`` the fields beside it.

Each mapping schema class of ours in an answer (``Key``, ``KeyList``) is a
component named after the class, without a ``Schema`` suffix
(``TokenResponseSchema`` is ``TokenResponse``): described once, however many
answers hold it, so that a generated client has one type for it. A name that
another component holds already is qualified by the class's module, as a
content type's is (:func:`backrest.openapi.components.free_name`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import colander

from backrest.openapi.components import free_name, schema_reference
from backrest.openapi.converter import answer_schema, schema_node

if TYPE_CHECKING:
    from collections.abc import Iterable


def _named(node: colander.SchemaNode) -> bool:
    """A mapping of a class of ours: colander's own classes describe a shape, not a thing to name."""
    return isinstance(node.typ, colander.Mapping) and type(node).__module__.partition(".")[0] != "colander"


class AnswerComponents:
    """The named schemas of the answers of one document, collected as their operations are described."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.schemas: dict[str, dict[str, Any]] = {}
        self._taken = set(taken)
        self._names: dict[type, str] = {}

    def body(self, declared: Any) -> dict[str, Any]:
        """The schema of the body a definition declares."""
        return declared if isinstance(declared, dict) else self.schema(schema_node(declared))

    def represented(self, beside: Any, representation: str | None) -> dict[str, Any]:
        """The representation named ``representation``, with the fields ``beside`` declares, if any.

        For the services under a content type's items beyond its own (a
        team's invitations, an application's secret): whatever the type's
        components are named.
        """
        if representation is None:
            message = "Only the services under a content type answer its representation"
            raise ValueError(message)
        reference = schema_reference(representation)
        return reference if beside is None else {"allOf": [reference, self.body(beside)]}

    def schema(self, node: colander.SchemaNode) -> dict[str, Any]:
        """``node`` as an answer holds it: a reference where it, or a part of it, is named."""
        return answer_schema(node, refer=self._reference)

    def _reference(self, node: colander.SchemaNode) -> dict[str, Any] | None:
        if not _named(node):
            return None
        cls = type(node)
        if cls not in self._names:
            self._names[cls] = free_name(cls, cls.__name__.removesuffix("Schema"), self._taken)
            described = cls()
            self.schemas[self._names[cls]] = answer_schema(
                described, refer=lambda part: None if part is described else self._reference(part)
            )
        return self._where_used(node, schema_reference(self._names[cls]))

    @staticmethod
    def _where_used(node: colander.SchemaNode, reference: dict[str, str]) -> dict[str, Any]:
        """The reference, with what this use of the class says beyond the class: a description, ``null``."""
        said: dict[str, Any] = {}
        if node.description and node.description != type(node)().description:
            said["description"] = str(node.description)
        if node.missing is None:
            said["nullable"] = True
        return {"allOf": [reference], **said} if said else reference
