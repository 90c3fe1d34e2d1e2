"""SQLite's planner statistics are made and kept by the engine itself."""

from sqlalchemy import text

from backrest.db import SQLiteStatistics, get_engine


def statistics_of(engine, table):
    with engine.connect() as connection:
        made = connection.execute(
            text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        ).scalar()
        if not made:
            return []
        return connection.execute(
            text("SELECT idx FROM sqlite_stat1 WHERE tbl = :table"), {"table": table}
        ).all()


def use_an_index(engine):
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, owner TEXT)"))
        connection.execute(text("CREATE INDEX IF NOT EXISTS ix_notes_owner ON notes (owner)"))
        connection.execute(text("INSERT INTO notes (owner) VALUES ('ada'), ('bob'), ('ada')"))
    with engine.connect() as connection:
        connection.execute(text("SELECT id FROM notes WHERE owner = 'ada'")).all()


def test_tables_a_connection_used_are_analyzed_when_it_returns_to_the_pool(tmp_path, monkeypatch):
    clock = iter(range(0, 10**6, 60))
    monkeypatch.setattr("backrest.db.time.monotonic", lambda: next(clock))  # a minute between checkins
    engine = get_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    use_an_index(engine)
    assert statistics_of(engine, "notes") == [("ix_notes_owner",)]
    engine.dispose()


def test_statistics_are_looked_at_once_per_period():
    calls = []

    class Connection:
        def execute(self, statement):
            calls.append(statement)

    statistics = SQLiteStatistics(every=3600)
    for _ in range(3):
        statistics(Connection(), None)
    assert calls == ["PRAGMA optimize"]
