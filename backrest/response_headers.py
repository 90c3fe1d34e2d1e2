"""Several headers of an answer set at once.

Written by hand because WebOb sets one header at a time: ``response.headers[name] =
value`` scans the whole header list for the name, and its typed properties
(``vary``, ``cache_control``, ``last_modified``) parse and format on every
set. An answer gets a dozen headers on its way out; set one by one, they
cost an item GET about a twentieth of its time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from webob import Response

Header = tuple[str, str]


def set_headers(response: Response, headers: Iterable[Header]) -> None:
    """Set each of ``headers``, replacing the answer's own of that name, in one pass over its list."""
    headers = list(headers)
    names = {name.lower() for name, _ in headers}
    headerlist = response.headerlist
    if any(name.lower() in names for name, _ in headerlist):
        headerlist[:] = [header for header in headerlist if header[0].lower() not in names]
    headerlist.extend(headers)


def add_to_list(response: Response, name: str, value: str) -> None:
    """Add ``value`` to the comma-separated header ``name`` (``Vary``) unless it is there, in any case."""
    lowered = name.lower()
    headerlist = response.headerlist
    for position, (present, values) in enumerate(headerlist):
        if present.lower() == lowered:
            if value.lower() not in {part.strip().lower() for part in values.split(",")}:
                headerlist[position] = (present, f"{values}, {value}")
            return
    headerlist.append((name, value))
