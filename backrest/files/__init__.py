"""File-like content: data stored outside the database, transaction-safe, served fast.

Public API: :class:`FileContent` (the model base; ``config.add_content_type``
gives any type derived from it uploads and ``/-/{collection}/{id}/data``),
:class:`FileSchema` (the base of such a type's schema), :class:`FileFields`
(what every file's representation adds: the base of a file type's own
``read_only_fields``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import colander
from sqlalchemy import bindparam, select

from backrest.files.gate import gate
from backrest.files.models import FILENAME_LENGTH, Blob, FileContent
from backrest.files.services import file_services
from backrest.files.storage import StoreUnavailable, blob_store
from backrest.files.transaction import FilesDataManager
from backrest.files.unavailable import store_unavailable_view
from backrest.schema import Body, text_node
from backrest.service import register_services

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.config import Configurator
    from pyramid.request import Request
    from sqlalchemy.engine import Engine

__all__ = ["FileContent", "FileFields", "FileSchema"]


class FileSchema(Body):
    """The writable fields every file has: its name (the data comes as an upload)."""

    filename = text_node(max_length=FILENAME_LENGTH, missing=colander.drop)


class FileFields(colander.MappingSchema):
    """What every file's representation says of its data: never sent, set by the upload."""

    content_type = colander.SchemaNode(colander.String(), description="The data's media type.")
    size = colander.SchemaNode(colander.Integer(), description="The data's length, in bytes.")
    sha256 = colander.SchemaNode(colander.String(), description="The SHA-256 of the data, in hex.")
    download = colander.SchemaNode(colander.String(), description="The URL of the data.")


def _blob_exists(engine: Engine) -> Callable[[str], bool]:
    find = select(Blob.sha256).where(Blob.sha256 == bindparam("sha256"))

    def exists(sha256: str) -> bool:
        with engine.connect() as connection:
            return connection.execute(find, {"sha256": sha256}).first() is not None

    return exists


def file_transaction(request: Request) -> FilesDataManager:
    """The files' part of the request's transaction, joined on first use."""
    registry = request.registry
    manager = FilesDataManager(registry["backrest.files"], request.tm, _blob_exists(registry["db_engine"]))
    request.tm.get().join(manager)
    return manager


def includeme(config: Configurator) -> None:
    store = blob_store(config.get_settings())
    store.prepare()
    config.registry["backrest.files"] = store
    config.add_request_method(file_transaction, "file_transaction", reify=True)
    config.add_exception_view(store_unavailable_view, context=StoreUnavailable)
    config.add_content_kind(FileContent, "file", file_services, read_only_fields=FileFields)
    # What a proxy asks before it takes an upload's body (deploy/nginx.conf).
    register_services(config, gate)
