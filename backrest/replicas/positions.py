"""Positions in the primary's write-ahead log: how a writer's next reads know what they must see.

A position is PostgreSQL's text form of an LSN, two hexadecimal numbers
(``16/B374D848``): the high and low 32 bits of a byte offset in the log. A
request that wrote is answered with the primary's position once it has
committed, in the ``X-Backrest-Position`` header and the
``backrest_position`` cookie; a read carrying one is served by a replica only
once the replica has replayed the log that far.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyramid.request import Request
    from pyramid.response import Response

HEADER = "X-Backrest-Position"
COOKIE = "backrest_position"

_LSN = re.compile(r"([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})")


def parse(text: str | None) -> int | None:
    """The byte offset of a position in PostgreSQL's form, or ``None`` for anything else."""
    if not text:
        return None
    found = _LSN.fullmatch(text.strip())
    if found is None:
        return None
    high, low = found.groups()
    return int(high, 16) << 32 | int(low, 16)


def format_position(position: int) -> str:
    """A byte offset in PostgreSQL's form, as ``pg_current_wal_lsn()::text`` writes it."""
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


def of_request(request: Request) -> int | None:
    """The furthest position the request carries, in its header or cookie; ``None`` if it carries none."""
    positions = [
        position
        for position in (parse(request.headers.get(HEADER)), parse(request.cookies.get(COOKIE)))
        if position is not None
    ]
    return max(positions, default=None)


def answer(request: Request, response: Response, position: int) -> None:
    """Give the writer ``position``: in the header for clients, in a cookie that browsers send back.

    The cookie lasts as long as the browser's session: a replica that has
    replayed the position serves it as it would serve anyone.
    """
    text = format_position(position)
    response.headers[HEADER] = text
    response.set_cookie(
        COOKIE,
        text,
        path=request.script_name or "/",
        httponly=True,
        samesite="Lax",
        secure=request.registry.settings["backrest.session.secure"],
    )
