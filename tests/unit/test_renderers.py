import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backrest.renderers import dumps, timestamp


def test_utc_timestamp_ends_with_z():
    assert timestamp(datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=UTC)) == "2026-11-22T10:00:00.123456Z"


def test_other_zones_are_converted_to_utc():
    berlin = timezone(timedelta(hours=1))
    assert timestamp(datetime(2026, 11, 22, 11, 0, tzinfo=berlin)) == "2026-11-22T10:00:00Z"


class Moment(datetime):
    """A subclass of datetime, as libraries make them."""


@given(st.datetimes(timezones=st.timezones()))
def test_a_timestamp_is_its_moment_in_utc_as_isoformat_writes_it(value):
    expected = value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert timestamp(value) == expected
    assert timestamp(Moment.fromisoformat(value.isoformat())) == expected


def _never(value):
    raise TypeError(repr(value))


def test_dumps_writes_timestamps_in_utc_with_z():
    berlin = timezone(timedelta(hours=1))
    written = dumps({"at": datetime(2026, 11, 22, 11, 0, tzinfo=berlin)}, _never)
    assert json.loads(written) == {"at": "2026-11-22T10:00:00Z"}


def test_dumps_asks_a_dataclass_for_its_own_json():
    @dataclass
    class Point:
        x: int

        def __json__(self, request):
            return f"point {self.x}"

    written = dumps([Point(1)], lambda value: value.__json__(None))
    assert json.loads(written) == ["point 1"]


def test_dumps_writes_integers_beyond_64_bits_and_number_keys():
    written = dumps({1: 2**70}, _never)
    assert json.loads(written) == {"1": 2**70}


def test_dumps_refuses_what_it_cannot_write():
    with pytest.raises(TypeError):
        dumps({"value": object()}, _never)
