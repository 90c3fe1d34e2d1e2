"""Collections as attributes: ``api.documents.list()``, ``get``, ``create``, ``update``, ``delete``.

Reads are conditional: an object or a page read before is asked for with
``If-None-Match``, and a ``304`` reuses what was kept. Writes are
conditional too: ``update`` and ``delete`` send the ``ETag`` the object was
read with as ``If-Match``, so that a change somebody made in between is a
:class:`~backrest.client.errors.Conflict`, never lost. An object from a
list carries no ETag: it is read again, and must be the version the list
showed.

A file collection (``kind: file``) uploads and downloads data as a stream,
a chunk at a time, whatever its size.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote

from backrest.client.errors import Conflict
from backrest.client.methods import MethodGroup
from backrest.client.objects import Resource, etag_of, wrap
from backrest.client.uploads import FilePart, Source, multipart_content
from backrest.methods.wire import to_form_fields, to_wire

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    import httpx

    from backrest.client.transport import Transport


def query_value(value: Any) -> str:
    """A filter's value as a query string writes it (section 4): ``true``, ``a,b``, an ISO 8601 time."""
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            msg = f"{value!r} cannot be a filter: datetimes must be aware (have a timezone)"
            raise ValueError(msg)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(query_value(item) for item in value)
    return str(value)


class Listing:
    """The objects of a list, every page of it, read lazily as it is iterated (following ``next``)."""

    def __init__(self, transport: Transport, url: str, params: dict[str, str]) -> None:
        self.transport = transport
        self.url = url
        self.params = params

    def __iter__(self) -> Iterator[Resource]:
        url: str | None = self.url
        params: dict[str, str] | None = self.params
        while url:
            page, _etag = self.transport.get_json(url, params)
            yield from (wrap(item) for item in page["results"])
            # next keeps every parameter: it is followed as it is.
            url, params = page.get("next"), None

    @property
    def count(self) -> int:
        """How many objects match, over every page (the first page's ``count``)."""
        page, _etag = self.transport.get_json(self.url, self.params)
        return page["count"]

    def __repr__(self) -> str:
        return f"<Listing {self.url} {self.params}>"


class Collection(MethodGroup):
    """A content collection of the API root; the typed methods of the group of its name are attributes too."""

    @property
    def url(self) -> str:
        return self.api.index()["collections"][self.group]["url"]

    @property
    def transport(self) -> Transport:
        return self.api.transport

    def item_url(self, obj: Resource | str) -> str:
        """The URL of an object, given as itself or by its id."""
        object_id = obj.id if isinstance(obj, Resource) else obj
        return f"{self.url}{quote(str(object_id), safe='')}"

    def list(
        self,
        filters: Mapping[str, Any] | None = None,
        ordering: str | Sequence[str] | None = None,
        search: str | None = None,
        page_size: int | None = None,
    ) -> Listing:
        """The objects the caller may see, filtered (``{"status__in": ["draft", "archived"]}``) and ordered.

        ``ordering`` names fields, ``-`` first for a descending order. The
        service refuses (400) a filter or an ordering the type does not declare.
        """
        params = {name: query_value(value) for name, value in (filters or {}).items()}
        if ordering:
            params["ordering"] = ordering if isinstance(ordering, str) else ",".join(ordering)
        if search is not None:
            params["search"] = search
        if page_size is not None:
            params["page_size"] = str(page_size)
        return Listing(self.transport, self.url, params)

    def get(self, obj: Resource | str) -> Resource:
        """The object with this id (or this object as it is now), with its ETag."""
        body, etag = self.transport.get_json(self.item_url(obj))
        return wrap(body, etag)

    def create(self, /, **fields: Any) -> Resource:
        """A new object with these fields, sent as JSON (``to_wire``: enums by name, content by id...)."""
        return self._stored(self.transport.request("POST", self.url, json=to_wire(fields)))

    def create_form(self, fields: Sequence[tuple[str, str]]) -> Resource:
        """A new object from form fields as they are (``attributes.priority=2``), typed by the service."""
        return self._stored(self.transport.request("POST", self.url, form=fields))

    def update(self, obj: Resource | str, /, **changes: Any) -> Resource:
        """Change these fields of ``obj``; nested objects change as subtrees, lists are replaced.

        ``obj`` as read before is the version changed: if it changed since,
        this raises :class:`~backrest.client.errors.Conflict`. An id alone
        changes whatever version there is.
        """
        return self._write(obj, json=to_wire(changes))

    def update_form(self, obj: Resource | str, fields: Sequence[tuple[str, str]]) -> Resource:
        """:meth:`update` with form fields as they are."""
        return self._write(obj, form=fields)

    def delete(self, obj: Resource | str) -> None:
        """Delete ``obj``: the version read before (else :class:`Conflict`), or whatever version, by id."""
        url = self.item_url(obj)
        self.transport.request("DELETE", url, headers=self._if_match(obj))
        self.transport.cache.discard(url)

    def _write(self, obj: Resource | str, **content: Any) -> Resource:
        return self._stored(
            self.transport.request("PUT", self.item_url(obj), headers=self._if_match(obj), **content)
        )

    def _if_match(self, obj: Resource | str) -> dict[str, str]:
        """``If-Match`` for a write of ``obj``: its ETag; for one from a list, the ETag of that version."""
        if not isinstance(obj, Resource):
            return {}
        etag = etag_of(obj)
        if etag is None:
            current = self.get(obj)
            if _version(current) != _version(obj):
                raise Conflict(
                    412,
                    [
                        {
                            "location": "header",
                            "name": "If-Match",
                            "description": f"The object changed since it was listed (version "
                            f"{_version(obj)}, now {_version(current)}).",
                        }
                    ],
                )
            etag = etag_of(current)
        return {"If-Match": etag} if etag else {}

    def _stored(self, response: httpx.Response) -> Resource:
        """The object a write answered, kept for the next conditional GET."""
        body, etag = response.json(), response.headers.get("ETag")
        resource = wrap(body, etag)
        if etag:
            self.transport.cache.put(self.item_url(resource), etag, body)
        return resource


def _version(resource: Resource) -> Any:
    try:
        return resource["__meta__"]["version"]
    except KeyError:
        return None


@contextlib.contextmanager
def _writable(target: Source) -> Iterator[IO[bytes]]:
    """A binary file to write ``target``; a path is written whole or not at all (renamed when done)."""
    if not isinstance(target, str | os.PathLike):
        yield target
        return
    path = Path(target)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as file:
        try:
            yield file
        except BaseException:
            file.close()
            Path(file.name).unlink()
            raise
    Path(file.name).replace(path)


class FileCollection(Collection):
    """A file collection (``kind: file``): its objects carry data, uploaded and downloaded as streams."""

    def upload(
        self,
        source: Source,
        /,
        filename: str | None = None,
        content_type: str | None = None,
        **fields: Any,
    ) -> Resource:
        """A new file with the data of ``source`` (a path or a binary file), and these fields.

        The data is sent a chunk at a time, never read whole. ``filename``
        is the source's name unless given; ``content_type`` is guessed from
        the filename. After a ``429``, an upload is sent again only with
        ``retry_unsafe`` and from a source that can be read again (seekable).
        """
        form = [*to_form_fields(fields), ("file", FilePart(source, filename, content_type))]
        with multipart_content(form) as content:
            response = self.transport.request("POST", self.url, **content)
        return self._stored(response)

    def download(self, obj: Resource | str, to: Source) -> int:
        """Write the data of ``obj`` to ``to`` (a path, or a binary file), as it arrives; the bytes written.

        A path is written whole or not at all: the data goes to a temporary
        file beside it, renamed when complete.
        """
        url = (
            obj["download"]
            if isinstance(obj, Resource) and "download" in obj
            else f"{self.item_url(obj)}/data"
        )
        written = 0
        response = self.transport.request("GET", url, headers={"Accept": "*/*"}, stream=True)
        try:
            with _writable(to) as file:
                for chunk in response.iter_bytes(io.DEFAULT_BUFFER_SIZE * 8):
                    file.write(chunk)
                    written += len(chunk)
        finally:
            response.close()
        return written
