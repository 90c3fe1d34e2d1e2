"""Parsing Range headers against a file's size."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backrest.files.ranges import MAX_RANGES, ByteRange, RangeError, parse_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("items=0-1", None),
        ("bytes=0-0", [ByteRange(0, 1)]),
        ("Bytes = 0-9", [ByteRange(0, 10)]),
        ("bytes=90-", [ByteRange(90, 100)]),
        ("bytes=-10", [ByteRange(90, 100)]),
        ("bytes=-1000", [ByteRange(0, 100)]),
        ("bytes=50-5000", [ByteRange(50, 100)]),
        ("bytes=10-19, 0-4", [ByteRange(10, 20), ByteRange(0, 5)]),
        ("bytes=0-4,100-200", [ByteRange(0, 5)]),
        ("bytes=0-4,5-9", [ByteRange(0, 5), ByteRange(5, 10)]),
    ],
)
def test_ranges(header, expected):
    assert parse_range(header, 100) == expected


@pytest.mark.parametrize(
    "header",
    [
        "bytes=100-",
        "bytes=-0",
        "bytes=0-5,3-8",
        "bytes=x-1",
        "bytes=5-1",
        "bytes=1-2-3",
        "bytes=" + ",".join(f"{n}-{n}" for n in range(MAX_RANGES + 1)),
        "bytes=" + "9" * 30 + "-",
    ],
)
def test_refused(header):
    with pytest.raises(RangeError):
        parse_range(header, 100)


@given(size=st.integers(0, 10_000), first=st.integers(0, 20_000), last=st.integers(0, 20_000))
def test_a_range_is_within_the_file_or_refused(size, first, last):
    try:
        ranges = parse_range(f"bytes={first}-{last}", size)
    except RangeError:
        assert last < first or first >= size
        return
    (found,) = ranges
    assert 0 <= found.start < found.stop <= size
    assert found.stop == min(last + 1, size)
    assert found.content_range(size) == f"bytes {found.start}-{found.stop - 1}/{size}"
