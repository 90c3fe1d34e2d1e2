"""Typed methods that exist only in tests: one takes every kind of argument and says what it got.

Others take files, keep one as a file object, or fail once a file is in.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from pyramid.authorization import Allow

from backrest.errors import http_error
from backrest.methods import FileUpload, method
from backrest.security.permissions import Permission, Principal
from tests.testapp import BrokenError
from tests.testapp.models import Attachment, Tally

if TYPE_CHECKING:
    from pyramid.config import Configurator
    from pyramid.request import Request


class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclass
class Address:
    city: str
    zip_code: str = ""


@dataclass
class Nothing:
    """A dataclass without fields: only the ``name.`` marker can send it."""


@dataclass
class Echo:
    flag: bool
    count: int
    ratio: float
    price: Decimal
    name: str
    data: bytes
    colour: Colour
    when: datetime
    tags: list[str]
    scores: dict[str, int]
    address: Address | None
    addresses: list[Address]
    nothing: Nothing | None
    tally: Tally | None


@method("testing", permission=Permission.PUBLIC)
def echo(
    *,
    flag: bool,
    count: int,
    ratio: float,
    price: Decimal,
    name: str,
    data: bytes,
    colour: Colour,
    when: datetime,
    tags: list[str] | None = None,
    scores: dict[str, int] | None = None,
    address: Address | None = None,
    addresses: list[Address] | None = None,
    nothing: Nothing | None = None,
    tally: Tally | None = None,
) -> Echo:
    """Answer every argument as it was decoded."""
    return Echo(
        flag,
        count,
        ratio,
        price,
        name,
        data,
        colour,
        when,
        tags or [],
        scores or {},
        address,
        addresses or [],
        nothing,
        tally,
    )


@method("testing", permission=Permission.EDIT)
def count_up(request: Request, tallies: list[Tally], by: int = 1) -> list[Tally]:
    """Add to several tallies: a write, audited."""
    for tally in tallies:
        tally.count += by
    request.dbsession.flush()
    return tallies


@method("testing", permission=Permission.EDIT, acl=[(Allow, Principal.ADMIN, Permission.EDIT)])
def admins_only() -> None:
    """Nobody but an admin may call it."""


@method("testing", permission=Permission.PUBLIC)
def refuse(reason: str) -> None:
    """Raise an error of the contract's shape, as a method does to refuse."""
    raise http_error(409, "body", "reason", reason)


# Files


@dataclass
class Checksum:
    filename: str | None
    size: int
    sha256: str
    label: str
    address: Address | None


@method("testing")
def checksum(file: FileUpload, label: str, address: Address | None = None) -> Checksum:
    """Read a file through and answer its SHA-256, with its name and size, and the label sent with it."""
    digest = hashlib.sha256()
    with file.open() as data:
        while chunk := data.read(1024 * 1024):
            digest.update(chunk)
    return Checksum(file.filename, file.size, digest.hexdigest(), label, address)


@dataclass
class Described:
    filename: str | None
    content_type: str
    size: int
    sha256: str
    label: str = ""


@dataclass
class Labelled:
    label: str
    file: FileUpload


@method("testing")
def describe_files(
    files: list[FileUpload] | None = None,
    cover: FileUpload | None = None,
    labelled: list[Labelled] | None = None,
) -> list[Described]:
    """Describe every file sent, in order: the cover, the files, the labelled ones."""

    def described(file: FileUpload, label: str = "") -> Described:
        return Described(file.filename, file.content_type, file.size, file.sha256, label)

    found = [described(cover)] if cover is not None else []
    found += [described(file) for file in files or ()]
    found += [described(each.file, each.label) for each in labelled or ()]
    return found


@method("testing", permission=Permission.CREATE)
def keep(request: Request, file: FileUpload, folder: str | None = None) -> Attachment:
    """Keep a file as one of /-/attachments/: a write, audited."""
    kept = Attachment(owner_id=request.authenticated_userid, folder=folder)
    file.store(request, kept)
    return kept


@method("testing")
def fail_with_file(file: FileUpload, status: int = 0) -> None:
    """Fail once the file is in: with ``status`` in the error shape, or as a bug does (0)."""
    if status:
        raise http_error(status, "body", "status", f"Failing with {status}, as asked.")
    msg = f"failed after receiving {file.size} bytes"
    raise BrokenError(msg)


def includeme(config: Configurator) -> None:
    config.include("backrest.methods")
    config.scan(__name__)
