"""Files the client sends, streamed: a path, a binary file object, or ``(filename, file, content_type)``.

A file goes as a part of a ``multipart/form-data`` body, beside the other
form fields. httpx reads it a chunk at a time as it sends it, so a file of
gigabytes takes no more memory than one of a kilobyte. A file's name is
the one given, else the source's own (a path's, an open file's), else
``upload``; its type is the one given, else guessed from the name.
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from backrest.formats.forms import form_leaves, form_text
from backrest.methods.wire import Encoder

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

Source = str | os.PathLike[str] | IO[bytes]
"""Where data comes from or goes to: a path, or a binary file object."""
DEFAULT_NAME = "upload"
DEFAULT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class FilePart:
    """A file to send as a part of a multipart form."""

    source: Source
    filename: str | None = None
    content_type: str | None = None

    @property
    def name(self) -> str:
        """The filename sent."""
        if self.filename:
            return self.filename
        if isinstance(self.source, str | os.PathLike):
            return Path(self.source).name
        own = getattr(self.source, "name", None)
        return Path(own).name if isinstance(own, str) else DEFAULT_NAME

    def __str__(self) -> str:
        return self.name

    @contextlib.contextmanager
    def opened(self) -> Iterator[tuple[str, IO[bytes], str]]:
        """``(filename, binary file, media type)`` as httpx sends a file; a path is opened, then closed."""
        content_type = self.content_type or mimetypes.guess_type(self.name)[0] or DEFAULT_TYPE
        if isinstance(self.source, str | os.PathLike):
            with Path(self.source).open("rb") as file:
                yield self.name, file, content_type
        else:
            yield self.name, self.source, content_type


def _is_file(value: Any) -> bool:
    return callable(getattr(value, "read", None))


def file_part(value: Any) -> FilePart | None:
    """``value`` as a file to send, if it is one; else ``None``.

    A file is a ``pathlib.Path`` (not a ``str``: that is text), a binary file
    object, or a ``(filename, file)`` or ``(filename, file, content_type)`` tuple.
    """
    if isinstance(value, os.PathLike) or _is_file(value):
        return FilePart(value)
    if isinstance(value, tuple) and len(value) in (2, 3) and _is_file(value[1]):
        return FilePart(value[1], value[0], value[2] if len(value) == 3 else None)  # noqa: PLR2004 - with a type
    return None


class _ArgumentEncoder(Encoder):
    """Arguments as :func:`~backrest.methods.wire.to_wire` writes them, files kept as :class:`FilePart`."""

    def compound(self, value: Any) -> Any:
        part = file_part(value)
        return part if part is not None else super().compound(value)


def method_fields(arguments: Mapping[str, Any]) -> list[tuple[str, str | FilePart]]:
    """The form fields that send ``arguments`` to a typed method: text, and files as :class:`FilePart`."""
    leaves = form_leaves(_ArgumentEncoder().encode(arguments))
    return [(name, leaf if isinstance(leaf, FilePart) else form_text(leaf)) for name, leaf in leaves]


def seekable(file: IO[bytes]) -> bool:
    try:
        return file.seekable()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def multipart_content(fields: Sequence[tuple[str, str | FilePart]]) -> Iterator[dict[str, Any]]:
    """Httpx's ``data`` and ``files`` for ``fields``, and whether the body can be sent again (``replayable``).

    The files opened here are closed on leaving. A body can be sent again
    (after a 429) when each of its files can be read again from the start.
    """
    data: dict[str, list[str]] = {}
    files: list[tuple[str, tuple[str, IO[bytes], str]]] = []
    with contextlib.ExitStack() as opened:
        for name, value in fields:
            if isinstance(value, FilePart):
                files.append((name, opened.enter_context(value.opened())))
            else:
                data.setdefault(name, []).append(value)
        yield {"data": data, "files": files, "replayable": all(seekable(file) for _, (_, file, _) in files)}
