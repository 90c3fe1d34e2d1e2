"""The multipart body of a method that takes files, streamed as the files' uploads are (API sections 8, 15).

The body is read by :func:`backrest.files.upload.read_form`: a chunk at a
time, each file hashed and written to a temporary file, never whole in
memory. A part is a file when its name leads to a ``FileUpload`` of the
method's signature by the dotted names of section 6 (``report``,
``attachments.0`` or ``attachments`` repeated for a list, ``cover.image``
for a dataclass field); every other part is a text field. A part sent with
an empty filename is a file input that a browser sent without a file: an
empty text field, which an optional file reads as ``None``.

Each file may hold ``backrest.files.max_size`` bytes (else 413) of a type
``backrest.files.content_types`` admits (else 415); a second file where the
signature takes one is a 400. A body announced larger than its files and
fields could be is refused before a byte of it is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backrest.files.quota import size_limit
from backrest.files.upload import MULTIPART_OVERHEAD, Part, read_form, refuse_by_length
from backrest.methods.shapes import DictOf, File, ListOf, Member, Nullable, Record, Shape, takes_files
from backrest.methods.uploads import FileUpload
from backrest.validation import form_fields, max_body_size

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import multipart
    from pyramid.request import Request

    from backrest.files.quota import Limit
    from backrest.methods.shapes import Signature

TOO_MANY = "Send one file here: this argument takes one."


def _part_of(shape: Shape, names: Sequence[str]) -> Part:
    """What a part carries whose name leads, by ``names`` (the rest of its dotted name), into ``shape``."""
    match shape:
        case Nullable(inner):
            return _part_of(inner, names)
        case File():
            return Part.TEXT if names else Part.FILE
        case ListOf(item) if not names:
            # A list of files sent as one name, repeated.
            return Part.FILES if _part_of(item, ()) is Part.FILE else Part.TEXT
        case ListOf(item=inner) | DictOf(value=inner) if names:
            return _part_of(inner, names[1:])
        case Record(fields=members):
            return _member_part(members, names)
    return Part.TEXT


def _member_part(members: Sequence[Member], names: Sequence[str]) -> Part:
    member = next((member for member in members if names and member.name == names[0]), None)
    return Part.TEXT if member is None else _part_of(member.shape, names[1:])


def part_of(signature: Signature, name: str) -> Part:
    """What a part named ``name`` (dotted) carries in a call of ``signature``."""
    return _member_part(signature.parameters, name.split("."))


def _most_files(shape: Shape) -> int | None:
    """How many files a value of ``shape`` may hold; ``None``: any number."""
    match shape:
        case File():
            return 1
        case Nullable(inner):
            return _most_files(inner)
        case ListOf(item=inner) | DictOf(value=inner):
            return 0 if _most_files(inner) == 0 else None
        case Record(fields=members):
            return _sum_of_most(member.shape for member in members)
    return 0


def _sum_of_most(shapes: Iterable[Shape]) -> int | None:
    counts = [_most_files(shape) for shape in shapes]
    return None if None in counts else sum(counts)


def most_files(signature: Signature) -> int | None:
    """How many files a call of ``signature`` may send; ``None``: any number (a list of files)."""
    return _sum_of_most(member.shape for member in signature.parameters)


def _refuse_by_length(request: Request, signature: Signature, limit: Limit) -> None:
    """A body announced larger than all the files it may carry, and the fields, is refused unread."""
    most = most_files(signature)
    if most is None:
        return
    taking = [member.name for member in signature.parameters if takes_files(member.shape)]
    name = taking[0] if len(taking) == 1 else None
    allowance = (most - 1) * limit.size + max_body_size(request) + MULTIPART_OVERHEAD
    refuse_by_length(request, limit, name, allowance)


def read_arguments(request: Request, signature: Signature) -> dict[str, Any]:
    """The arguments in a multipart body, by dotted names, files as :class:`FileUpload`; or ``BodyError``."""
    limit = size_limit(request)
    _refuse_by_length(request, signature, limit)

    def kind(segment: multipart.MultipartSegment) -> Part:
        return Part.TEXT if segment.filename == "" else part_of(signature, segment.name or "")

    pairs, uploads = read_form(request, limit, kind, TOO_MANY)
    return form_fields([*pairs, *((name, FileUpload.of(upload)) for name, upload in uploads)])
