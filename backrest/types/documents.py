"""Documents: a title, a body, tags, a nested ``attributes`` object and a status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import colander
from sqlalchemy import JSON, Index, String, UnicodeText
from sqlalchemy.orm import Mapped, mapped_column

from backrest.content import Content
from backrest.schema import Body, Integer, NullableNode, Text, text_node

if TYPE_CHECKING:
    from pyramid.config import Configurator
    from pyramid.request import Request

STATUSES = ("draft", "published", "archived")
TITLE_LENGTH = 200


class Document(Content):
    __tablename__ = "documents"
    __table_args__ = (
        # A list filtered on a status and ordered by another field reads the first
        # rows of one of these, however many documents there are. With an index on
        # the status alone, SQLite would take it and sort every matching document.
        Index("ix_documents_status_created", "status", "created"),
        Index("ix_documents_status_modified", "status", "modified"),
        Index("ix_documents_status_title", "status", "title"),
        # Ordered by status, a list is ordered by id within each status (the
        # tie-break): with three statuses, anything less sorts a third of them.
        Index("ix_documents_status_id", "status", "id"),
    )

    title: Mapped[str] = mapped_column(String(TITLE_LENGTH), index=True)
    body: Mapped[str] = mapped_column(UnicodeText, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def __json__(self, request: Request) -> dict[str, Any]:
        return {
            "title": self.title,
            "body": self.body,
            "status": self.status,
            "tags": self.tags,
            "attributes": self.attributes,
        }

    def update(self, data: dict[str, Any]) -> None:
        for name in ("title", "body", "status", "tags"):
            if name in data:
                setattr(self, name, data[name])
        if "attributes" in data:
            # A subtree update: only the attributes given change, and null removes one.
            merged = {**(self.attributes or {}), **data["attributes"]}
            self.attributes = {name: value for name, value in merged.items() if value is not None}


class AttributesSchema(Body):
    """Each attribute may be sent as ``null``, which removes it (as in a JSON merge patch)."""

    language = NullableNode(Text(), validator=colander.Length(max=20), missing=colander.drop)
    color = NullableNode(Text(), validator=colander.Length(max=20), missing=colander.drop)
    priority = NullableNode(Integer(), validator=colander.Range(0, 5), missing=colander.drop)


class DocumentSchema(Body):
    title = text_node(max_length=TITLE_LENGTH)
    body = text_node(missing="", allow_empty=True, max_length=100_000)
    status = colander.SchemaNode(Text(), validator=colander.OneOf(STATUSES), missing="draft")
    tags = colander.SchemaNode(
        colander.Sequence(),
        text_node(max_length=50, name="tag"),
        validator=colander.Length(max=100),
        missing=(),
    )
    attributes = AttributesSchema(missing={})


def includeme(config: Configurator) -> None:
    config.add_content_type(
        name="documents",
        model=Document,
        schema=DocumentSchema,
        description="Documents with a title, a body, tags and nested attributes.",
        filters={
            "status": ("exact", "in"),
            "title": ("exact",),
            "public": ("exact",),
            "owner_id": ("exact",),
            "created": ("gt", "gte", "lt", "lte"),
            "modified": ("gt", "gte", "lt", "lte"),
        },
        search=("title", "body"),
        ordering=("title", "status", "created", "modified"),
    )
