from datetime import UTC, datetime, timedelta, timezone

from backrest.renderers import timestamp


def test_utc_timestamp_ends_with_z():
    assert timestamp(datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=UTC)) == "2026-11-22T10:00:00.123456Z"


def test_other_zones_are_converted_to_utc():
    berlin = timezone(timedelta(hours=1))
    assert timestamp(datetime(2026, 11, 22, 11, 0, tzinfo=berlin)) == "2026-11-22T10:00:00Z"
