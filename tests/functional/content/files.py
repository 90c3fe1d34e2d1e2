"""Helpers of the file tests: uploading through the API, and looking at the file store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    import webtest

    from backrest.files.storage import BlobStore
    from tests.client import Browser


def upload(
    browser: Browser,
    data: bytes = b"Some notes.\n",
    filename: str = "notes.txt",
    content_type: str = "text/plain",
    *,
    collection: str = "files",
    status: int | str = 201,
    **fields: str,
) -> webtest.TestResponse:
    """POST a multipart form with ``data`` as its ``file`` and ``fields`` beside it."""
    return browser.post(
        f"/-/{collection}/",
        fields,
        upload_files=[("file", filename, data, content_type)],
        status=status,
    )


def data_path(representation: dict[str, Any]) -> str:
    return representation["download"].removeprefix("http://localhost")


def files_under(directory: Path) -> list[Path]:
    return sorted(path for path in directory.rglob("*") if path.is_file())


def stored(store: BlobStore) -> dict[str, bytes]:
    """Every blob file, by name, with its content."""
    return {path.name: path.read_bytes() for path in files_under(store.blobs)}
