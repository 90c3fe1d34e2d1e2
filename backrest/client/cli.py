"""The client commands of ``backrest``: calls to a running service, named by its URL; JSON on stdout.

Fields are ``name=value`` arguments with the dotted names of forms
(``attributes.priority=2``, ``tags=a tags=b``, ``tags.=`` for an empty
list): they are sent as form fields, and the service types them as it types
an HTML form's. A method's field ``name=@path`` sends the file at ``path``
(as curl's ``-F``), streamed in a multipart body; ``name=@@text`` sends the
text ``@text``. The credential is the profile ``--profile`` names in the
credentials file; else the key in ``BACKREST_KEY`` (``KEYID:SECRET``); else
the file's ``[default]`` profile; else none. Never an argument: every user
of the machine can read a command's arguments (``ps``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from backrest.client.api import API
from backrest.client.content import FileCollection
from backrest.client.credentials import DEFAULT_CREDENTIAL_FILES, split_key
from backrest.client.errors import APIError
from backrest.client.transport import DEFAULT_TIMEOUT
from backrest.client.uploads import FilePart
from backrest.formats.forms import FormError, decode_form
from backrest.scripts import CommandError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

KEY_VARIABLE = "BACKREST_KEY"
DASHED_VALUES = frozenset({"--ordering", "--search"})
"""Options whose value may start with ``-`` (``--ordering -title``), which argparse takes for an option."""


def attach_dashed_values(argv: Sequence[str]) -> list[str]:
    """``argv`` with ``--ordering -title`` written ``--ordering=-title``, as argparse reads it."""
    attached: list[str] = []
    for argument in argv:
        if attached and attached[-1] in DASHED_VALUES and argument.startswith("-") and argument != "--":
            attached[-1] = f"{attached[-1]}={argument}"
        else:
            attached.append(argument)
    return attached


def field(text: str) -> tuple[str, str]:
    """A ``name=value`` argument."""
    name, separator, value = text.partition("=")
    if not separator or not name:
        msg = f"{text!r} is not name=value"
        raise argparse.ArgumentTypeError(msg)
    return name, value


def file_or_text(value: str) -> str | FilePart:
    """A method's field value: ``@path`` is the file at ``path``, ``@@text`` the text ``@text``."""
    if value.startswith("@@"):
        return value[1:]
    if value.startswith("@"):
        return FilePart(Path(value[1:]))
    return value


def connect(url: str, profile: str | None, credentials: str | None, timeout: float) -> API:
    """The API at ``url``, with the credential the module's docstring describes."""
    files = [credentials] if credentials else DEFAULT_CREDENTIAL_FILES
    key = os.environ.get(KEY_VARIABLE)
    if profile is None and key:
        key_id, key_secret = split_key(key)
        return API(url, files, key_id=key_id, key_secret=key_secret, timeout=timeout)
    return API(url, files, profile=profile, timeout=timeout)


def write_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def write_json_list(values: Iterable[Any]) -> None:
    """A JSON array, written an item at a time as they come: a long list starts at once."""
    sys.stdout.write("[")
    empty = True
    for value in values:
        sys.stdout.write("\n" if empty else ",\n")
        sys.stdout.write(textwrap.indent(json.dumps(value, indent=2, ensure_ascii=False), "  "))
        sys.stdout.flush()
        empty = False
    sys.stdout.write("]\n" if empty else "\n]\n")


def call(api: API, method: str, fields: Sequence[tuple[str, str]]) -> None:
    """Call a typed method (home.describe_site) with name=value fields, @path for a file; print its result."""
    write_json(api.method(method).post_form([(name, file_or_text(value)) for name, value in fields]))


def get(api: API, collection: str, object_id: str) -> None:
    """Print an object of a collection."""
    write_json(api.collection(collection).get(object_id).json())


def list_objects(
    api: API,
    collection: str,
    *,
    filters: Sequence[tuple[str, str]],
    ordering: str | None,
    search: str | None,
    page_size: int | None,
    limit: int | None,
) -> None:
    """Print the objects of a collection, every page, as one JSON array."""
    listing = api.collection(collection).list(dict(filters), ordering, search, page_size)
    write_json_list(item.json() for item in itertools.islice(listing, limit))


def create(api: API, collection: str, fields: Sequence[tuple[str, str]]) -> None:
    """Create an object from name=value fields; print it."""
    write_json(api.collection(collection).create_form(fields).json())


def update(api: API, collection: str, object_id: str, fields: Sequence[tuple[str, str]]) -> None:
    """Change fields of an object (the version read just before: If-Match); print it."""
    objects = api.collection(collection)
    write_json(objects.update_form(objects.get(object_id), fields).json())


def delete(api: API, collection: str, object_id: str) -> None:
    """Delete an object."""
    api.collection(collection).delete(object_id)


def _files(api: API, collection: str) -> FileCollection:
    files = api.collection(collection)
    if not isinstance(files, FileCollection):
        msg = f"{collection} is not a file collection"
        raise CommandError(msg)
    return files


def upload(api: API, collection: str, path: str, fields: Sequence[tuple[str, str]]) -> None:
    """Upload a file, streamed, with name=value fields; print the new file."""
    try:
        values = decode_form(fields)
    except FormError as error:
        raise CommandError(str(error)) from None
    write_json(_files(api, collection).upload(path, **values).json())


def download(api: API, collection: str, object_id: str, output: str | None) -> None:
    """Write a file's data to --output, or to stdout, streamed."""
    _files(api, collection).download(object_id, output or sys.stdout.buffer)


def _run_with_api(command: Callable[..., None]) -> Callable[..., None]:
    """``command(api, ...)`` as the ``backrest`` command runs it: with the options, and errors as messages."""

    def run(url: str, profile: str | None, credentials: str | None, timeout: float, **arguments: Any) -> None:
        try:
            with connect(url, profile, credentials, timeout) as api:
                command(api, **arguments)
        except APIError as error:
            raise CommandError(str(error)) from None
        except httpx.HTTPError as error:
            msg = f"{url}: {error}"
            raise CommandError(msg) from None
        except (ValueError, LookupError) as error:  # CredentialsError is a ValueError
            raise CommandError(str(error)) from None
        except OSError as error:  # a file to upload that cannot be read
            msg = f"{error.filename}: {error.strerror}"
            raise CommandError(msg) from None

    return run


def add_client_commands(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the client commands with ``add_parser``, the ``add_parser`` of the ``backrest`` subcommands."""

    def command(
        name: str, run: Callable[..., None], *positionals: tuple[str, str, str]
    ) -> argparse.ArgumentParser:
        description = run.__doc__ or ""
        parser = add_parser(name, help=description, description=description)
        parser.add_argument("url", metavar="URL", help="the service, e.g. https://api.example.com")
        for dest, metavar, help_text in positionals:
            parser.add_argument(dest, metavar=metavar, help=help_text)
        parser.add_argument("--profile", help="the profile of the credentials file to use")
        parser.add_argument(
            "--credentials",
            metavar="FILE",
            help=f"the credentials file (default: {', '.join(DEFAULT_CREDENTIAL_FILES)})",
        )
        parser.add_argument(
            "--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS", help="default: %(default)s"
        )
        parser.set_defaults(run=_run_with_api(run))
        return parser

    def fields(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "fields", nargs="*", type=field, metavar="NAME=VALUE", help="a field, dotted for nested ones"
        )

    collection = ("collection", "COLLECTION", "the collection, e.g. documents")
    object_id = ("object_id", "ID", "the object's id")
    fields(command("call", call, ("method", "METHOD", "the method, e.g. home.describe_site")))
    command("get", get, collection, object_id)
    listing = command("list", list_objects, collection)
    listing.add_argument(
        "--filter",
        dest="filters",
        action="append",
        type=field,
        default=[],
        metavar="NAME=VALUE",
        help="e.g. status=published or status__in=draft,archived; repeat for more",
    )
    listing.add_argument("--ordering", help="fields, - for descending, e.g. -modified,title")
    listing.add_argument("--search", help="text the search fields contain")
    listing.add_argument("--page-size", type=int, metavar="N", help="objects per request")
    listing.add_argument("--limit", type=int, metavar="N", help="print at most N objects")
    fields(command("create", create, collection))
    fields(command("update", update, collection, object_id))
    command("delete", delete, collection, object_id)
    fields(command("upload", upload, collection, ("path", "PATH", "the file to upload")))
    command("download", download, collection, object_id).add_argument(
        "--output", "-o", metavar="PATH", help="where to write the data (default: stdout)"
    )
