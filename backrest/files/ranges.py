"""``Range`` requests (RFC 9110 section 14): which bytes of a file a client asks for.

WebOb answers single ranges only; multiple ranges (``multipart/byteranges``)
and the refusals below are why this is written here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

MAX_RANGES = 16
"""More ranges than this in one request are refused: a many-range request costs a part header each."""

RANGE_SPEC = re.compile(r"^(?:(\d{1,19})-(\d{0,19})|-(\d{1,19}))$")


class RangeError(ValueError):
    """A Range header the file cannot satisfy, or that is refused: 416."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    stop: int
    """One past the last byte."""

    @property
    def length(self) -> int:
        return self.stop - self.start

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.stop - 1}/{size}"

    def header_value(self) -> str:
        """The ``Range`` header that asks for these bytes."""
        return f"bytes={self.start}-{self.stop - 1}"


def _resolve(spec: str, size: int) -> ByteRange | None:
    """One ``first-last``, ``first-`` or ``-suffix`` within ``size`` bytes; ``None`` when beyond the end."""
    match = RANGE_SPEC.match(spec.strip())
    if match is None:
        msg = f"{spec.strip()!r} is not a byte range (first-last, first- or -suffix)."
        raise RangeError(msg)
    first, last, suffix = match.groups()
    if suffix is not None:
        length = int(suffix)
        return ByteRange(max(size - length, 0), size) if length and size else None
    start = int(first)
    if last and int(last) < start:
        msg = f"{spec.strip()!r} ends before it starts."
        raise RangeError(msg)
    if start >= size:
        return None
    stop = min(int(last) + 1, size) if last else size
    return ByteRange(start, stop)


def parse_range(header: str | None, size: int) -> list[ByteRange] | None:
    """The ranges of ``header`` over a file of ``size`` bytes, in the order asked.

    ``None`` when there is no header, or it is in a unit other than bytes
    (ignored, as RFC 9110 says). Raises :class:`RangeError` for a malformed
    header, more than :data:`MAX_RANGES` ranges, overlapping ranges, or
    when no range is satisfiable.
    """
    if not header:
        return None
    unit, equals, specs = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    parts = specs.split(",")
    if len(parts) > MAX_RANGES:
        msg = f"At most {MAX_RANGES} ranges may be asked at once."
        raise RangeError(msg)
    resolved = [_resolve(part, size) for part in parts]
    ranges = [byte_range for byte_range in resolved if byte_range is not None]
    if not ranges:
        msg = f"No range is within the file's {size} bytes."
        raise RangeError(msg)
    ordered = sorted(ranges, key=lambda byte_range: byte_range.start)
    for before, after in pairwise(ordered):
        if after.start < before.stop:
            msg = "The ranges overlap; ask for each byte once."
            raise RangeError(msg)
    return ranges
