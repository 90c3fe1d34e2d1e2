"""Files: any upload, with a description, that its owner may share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import UnicodeText
from sqlalchemy.orm import Mapped, mapped_column

from backrest import files
from backrest.files import FileContent
from backrest.schema import text_node

if TYPE_CHECKING:
    from pyramid.config import Configurator
    from pyramid.request import Request

DESCRIPTION_LENGTH = 10_000


class File(FileContent):
    __tablename__ = "files"

    description: Mapped[str] = mapped_column(UnicodeText, default="")

    def __json__(self, request: Request) -> dict[str, Any]:
        return {**super().__json__(request), "description": self.description}

    def update(self, data: dict[str, Any]) -> None:
        super().update(data)
        if "description" in data:
            self.description = data["description"]


class FileSchema(files.FileSchema):
    description = text_node(missing="", allow_empty=True, max_length=DESCRIPTION_LENGTH)


def includeme(config: Configurator) -> None:
    config.add_content_type(
        name="files",
        model=File,
        schema=FileSchema,
        description="Files: uploads of any type, with a description.",
        filters={
            "content_type": ("exact", "in"),
            "filename": ("exact",),
            "sha256": ("exact",),
            "public": ("exact",),
            "owner_id": ("exact",),
            "size": ("gt", "gte", "lt", "lte"),
            "created": ("gt", "gte", "lt", "lte"),
            "modified": ("gt", "gte", "lt", "lte"),
        },
        search=("filename", "description"),
        ordering=("filename", "size", "created", "modified"),
    )
