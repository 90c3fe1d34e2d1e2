import logging
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from backrest.db import PUBLIC_ID_LENGTH, UTCDateTime, get_engine, new_public_id


def test_sqlite_database_directory_is_created(tmp_path):
    path = tmp_path / "var" / "deeper" / "backrest.sqlite"
    engine = get_engine({"sqlalchemy.url": f"sqlite:///{path}"})
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()
    assert path.exists()


def _cache_size(settings):
    engine = get_engine(settings)
    with engine.connect() as connection:
        size = connection.execute(text("PRAGMA cache_size")).scalar()
    engine.dispose()
    return size


def test_each_sqlite_connection_has_the_page_cache_of_the_settings(tmp_path):
    url = f"sqlite:///{tmp_path / 'backrest.sqlite'}"
    assert _cache_size({"sqlalchemy.url": url}) == -2000  # KiB: SQLite's own default
    assert _cache_size({"sqlalchemy.url": url, "backrest.db.sqlite_cache_size": 500}) == -500


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


def test_statements_never_show_their_parameters_in_errors_or_logs(tmp_path, caplog):
    engine = get_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    try:
        with caplog.at_level(logging.INFO, logger="sqlalchemy.engine"):
            with engine.begin() as connection:
                connection.execute(text("CREATE TABLE secrets (value TEXT UNIQUE)"))
                connection.execute(text("INSERT INTO secrets VALUES (:value)"), {"value": "s3cret-value"})
            with pytest.raises(IntegrityError) as failure, engine.begin() as connection:
                connection.execute(text("INSERT INTO secrets VALUES (:value)"), {"value": "s3cret-value"})
    finally:
        engine.dispose()
    assert "INSERT INTO secrets" in str(failure.value)
    assert "INSERT INTO secrets" in caplog.text
    assert "s3cret-value" not in str(failure.value)
    assert "s3cret-value" not in caplog.text


def test_public_ids_are_url_safe_and_never_look_like_an_option():
    # One in 64 would start with "-" if drawn once: among 2 000, some would.
    ids = {new_public_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(re.fullmatch(rf"[A-Za-z0-9_][A-Za-z0-9_-]{{{PUBLIC_ID_LENGTH - 1}}}", id_) for id_ in ids)
