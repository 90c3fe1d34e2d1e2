"""The benchmark still starts, and what it seeds is what the application would have written.

The benchmark itself never runs here: it takes minutes, and its figures are
not a pass or a fail (``docs/performance.rst``).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from backrest.db import get_engine
from backrest.types.documents import DocumentSchema

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def load_seed():
    spec = importlib.util.spec_from_file_location("benchmark_seed", BENCHMARKS / "seed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_command_starts():
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--rows" in result.stdout


def test_seeded_documents_are_valid_documents():
    seed = load_seed()
    schema = DocumentSchema()
    for row in seed.documents(500):
        _id, title, body, status, tags, attributes, created, modified, _public = row
        fields = {"title": title, "body": body, "status": status}
        data = {**fields, "tags": json.loads(tags), "attributes": json.loads(attributes)}
        assert schema.deserialize(data)["title"] == title
        assert created <= modified


def test_seeded_rows_read_back_through_the_orm(tmp_path):
    seed = load_seed()
    engine = get_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'bench.sqlite'}"})
    try:
        seed.migrate(engine)
        owner = seed.create_user(engine, "not a hash")
        ids = seed.seed_documents(engine, 50, owner)  # reads one back through the ORM
        assert len(set(ids)) == 50
        with engine.connect() as connection:
            indexes = connection.exec_driver_sql("PRAGMA index_list('documents')").all()
        assert {"ix_documents_title", "ix_documents_status_title"} <= {index[1] for index in indexes}
    finally:
        engine.dispose()
