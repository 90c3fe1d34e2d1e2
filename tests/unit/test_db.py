from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from backrest.db import UTCDateTime, get_engine


def test_sqlite_database_directory_is_created(tmp_path):
    path = tmp_path / "var" / "deeper" / "backrest.sqlite"
    engine = get_engine({"sqlalchemy.url": f"sqlite:///{path}"})
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()
    assert path.exists()


def test_utc_datetime_refuses_naive_values():
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), None)  # noqa: DTZ001


def test_utc_datetime_stores_utc_and_reads_aware():
    column = UTCDateTime()
    paris = datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=1)))
    stored = column.process_bind_param(paris, None)
    assert stored == datetime(2026, 1, 1, 11, tzinfo=UTC)
    read = column.process_result_value(stored.replace(tzinfo=None), None)
    assert read.tzinfo is UTC
    assert read == paris
