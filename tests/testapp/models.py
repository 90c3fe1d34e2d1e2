"""Toy content types: one per framework option that ``documents`` does not use.

``announcements``  only admins may create them (``creators``);
``tallies``        no search fields, an integer with every lookup, ascending default order;
``recipes``        a mapping nested two deep, an integer ``Range``, ``OneOf`` choices, a boolean filter;
``bookmarks``      a foreign key checked only at commit, to fail a write after everything was written;
``attachments``    a second file-like type, whose folder too is checked only at commit.

The toys have a registry and a metadata of their own. Their tables exist
only in the databases of applications that include ``tests.testapp``, and
code that walks every model of backrest (the cleanup of ``tests/conftest.py``,
the clock of ``docs/conftest.py``) must not meet them elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import colander
from sqlalchemy import JSON, Column, ForeignKey, Integer, MetaData, String, Table, delete
from sqlalchemy.orm import Mapped, mapped_column, registry

from backrest import schema
from backrest.accounts.models import User
from backrest.content import Content
from backrest.db import NAMING_CONVENTION
from backrest.files import FileContent, FileSchema
from backrest.files.models import Blob
from backrest.schema import Body, Text, text_node

if TYPE_CHECKING:
    from pyramid.request import Request
    from sqlalchemy.engine import Engine

TOY_METADATA = MetaData(naming_convention=NAMING_CONVENTION)
# Copies of ``users`` and ``blobs``, so that ``owner_id``'s and ``sha256``'s foreign keys
# resolve; they are never created from here.
User.__table__.to_metadata(TOY_METADATA)
Blob.__table__.to_metadata(TOY_METADATA)
TOY_REGISTRY = registry(metadata=TOY_METADATA)

DIFFICULTIES = ("easy", "medium", "hard")


class Toy(Content):
    __abstract__ = True
    # Mapped in the toys' registry rather than backrest's (see the module docstring).
    _sa_registry = TOY_REGISTRY
    registry = TOY_REGISTRY
    metadata = TOY_METADATA


class Announcement(Toy):
    __tablename__ = "toy_announcements"

    title: Mapped[str] = mapped_column(String(100))

    def __json__(self, request: Request) -> dict[str, Any]:
        return {"title": self.title}

    def update(self, data: dict[str, Any]) -> None:
        if "title" in data:
            self.title = data["title"]


class AnnouncementSchema(Body):
    title = text_node(max_length=100)


class Tally(Toy):
    __tablename__ = "toy_tallies"

    name: Mapped[str] = mapped_column(String(50), index=True)
    count: Mapped[int] = mapped_column(Integer, default=0, index=True)

    def __json__(self, request: Request) -> dict[str, Any]:
        return {"name": self.name, "count": self.count}

    def update(self, data: dict[str, Any]) -> None:
        for name in ("name", "count"):
            if name in data:
                setattr(self, name, data[name])


class TallySchema(Body):
    name = text_node(max_length=50)
    count = colander.SchemaNode(schema.Integer(), validator=colander.Range(0, 10**6), missing=0)


def merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``old`` updated by ``new`` as a tree: only the leaves ``new`` gives change."""
    merged = dict(old)
    for key, value in new.items():
        merged[key] = merge(merged.get(key) or {}, value) if isinstance(value, dict) else value
    return merged


class Recipe(Toy):
    __tablename__ = "toy_recipes"

    name: Mapped[str] = mapped_column(String(100))
    servings: Mapped[int] = mapped_column(Integer)
    difficulty: Mapped[str] = mapped_column(String(20))
    vegetarian: Mapped[bool] = mapped_column(default=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def __json__(self, request: Request) -> dict[str, Any]:
        return {
            "name": self.name,
            "servings": self.servings,
            "difficulty": self.difficulty,
            "vegetarian": self.vegetarian,
            "details": self.details,
        }

    def update(self, data: dict[str, Any]) -> None:
        for name in ("name", "servings", "difficulty", "vegetarian"):
            if name in data:
                setattr(self, name, data[name])
        if "details" in data:
            self.details = merge(self.details or {}, data["details"])


class TimeSchema(Body):
    prep = colander.SchemaNode(schema.Integer(), validator=colander.Range(0, 600), missing=0)
    cook = colander.SchemaNode(schema.Integer(), validator=colander.Range(0, 600), missing=0)


class DetailsSchema(Body):
    cuisine = text_node(max_length=30, missing="")
    time = TimeSchema(missing={})


class RecipeSchema(Body):
    name = text_node(max_length=100)
    servings = colander.SchemaNode(schema.Integer(), validator=colander.Range(1, 12), title="Servings")
    difficulty = colander.SchemaNode(Text(), validator=colander.OneOf(DIFFICULTIES), missing="easy")
    vegetarian = colander.SchemaNode(schema.Flag(), missing=False)
    details = DetailsSchema(missing={})


folders = Table(
    "toy_bookmark_folders",
    TOY_METADATA,
    Column("name", String(50), primary_key=True),
)


class Bookmark(Toy):
    __tablename__ = "toy_bookmarks"

    url: Mapped[str] = mapped_column(String(200))
    # Checked when the transaction commits, after the view (and the audit log) wrote everything.
    folder: Mapped[str | None] = mapped_column(
        ForeignKey(folders.c.name, deferrable=True, initially="DEFERRED"), nullable=True
    )

    def __json__(self, request: Request) -> dict[str, Any]:
        return {"url": self.url, "folder": self.folder}

    def update(self, data: dict[str, Any]) -> None:
        for name in ("url", "folder"):
            if name in data:
                setattr(self, name, data[name])


class BookmarkSchema(Body):
    url = text_node(max_length=200)
    folder = text_node(max_length=50, missing=None)


class ToyFile(FileContent):
    __abstract__ = True
    _sa_registry = TOY_REGISTRY
    registry = TOY_REGISTRY
    metadata = TOY_METADATA


class Attachment(ToyFile):
    __tablename__ = "toy_attachments"

    folder: Mapped[str | None] = mapped_column(
        ForeignKey(folders.c.name, deferrable=True, initially="DEFERRED"), nullable=True
    )

    def __json__(self, request: Request) -> dict[str, Any]:
        return {**super().__json__(request), "folder": self.folder}

    def update(self, data: dict[str, Any]) -> None:
        super().update(data)
        if "folder" in data:
            self.folder = data["folder"]


class AttachmentSchema(FileSchema):
    folder = text_node(max_length=50, missing=None)


SHARED = {User.__tablename__, Blob.__tablename__}
TOY_TABLES = [table for table in TOY_METADATA.sorted_tables if table.name not in SHARED]


def create_tables(engine: Engine) -> None:
    TOY_METADATA.create_all(engine, tables=TOY_TABLES)


def empty_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(TOY_TABLES):
            connection.execute(delete(table))
