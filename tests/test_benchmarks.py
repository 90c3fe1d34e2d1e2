"""The benchmarks still start, and what they build (seeded rows, an nginx config, verdicts) is right.

The benchmarks themselves never run here: they take minutes, and their
figures are not a pass or a fail (``docs/performance.rst``).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from backrest.db import get_engine
from backrest.types.documents import DocumentSchema
from tests.servers import _nginx_main_config, missing, nginx_binary, nginx_site_config

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def load(name: str):
    """``benchmarks/{name}.py`` as a module (the benchmarks are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # for its dataclasses
    spec.loader.exec_module(module)
    return module


def load_seed():
    return load("seed")


def help_of(script: str) -> str:
    """What ``benchmarks/{script} --help`` prints; it must succeed."""
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_command_starts():
    assert "--rows" in help_of("run.py")


def test_the_object_store_benchmark_starts():
    assert "--sizes" in help_of("object_store.py")


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


def load_files_benchmark():
    return load("files")


def test_the_files_benchmark_starts():
    assert "--sizes" in help_of("files.py")


def test_the_files_benchmark_runs_the_production_nginx_config(tmp_path):
    """Its plain-HTTP variant of deploy/nginx.conf, with the static location beside /_blobs/, is valid."""
    files = load_files_benchmark()
    blobs = tmp_path / "blobs"
    config, _certificate = nginx_site_config(tmp_path, 8443, 8080, 6543, blobs)
    config = files.with_static_location(files.plain_http(config))
    directives = [line for line in config.splitlines() if not line.lstrip().startswith("#")]
    # The server's TLS is gone; the object store's location still speaks TLS to a store that does.
    assert not [line for line in directives if "ssl" in line and "proxy_ssl" not in line]
    assert re.search(r"^    listen 127\.0\.0\.1:8443;$", config, re.MULTILINE)
    static = config.split(f"location {files.STATIC} {{", 1)[1].split("\n    }\n", 1)[0]
    assert f"alias {blobs}/;" in static
    assert "sendfile on;" in static
    assert "internal" not in static
    assert re.search(r"^    location /_blobs/ \{\n        internal;$", config, re.MULTILINE)  # it keeps it

    binary = nginx_binary()
    if binary is None:
        missing("nginx", "apt-get install nginx")
    main_config = tmp_path / "nginx.conf"
    main_config.write_text(_nginx_main_config(tmp_path, config))
    result = subprocess.run(
        [binary, "-t", "-p", f"{tmp_path}/", "-c", str(main_config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_files_benchmark_judges_its_goals():
    files = load_files_benchmark()
    size = files.Size(1024)
    for key, seconds in {
        files.DD_FSYNC: 1.0,
        files.DD_DIRECT: 1.1,
        files.POST_WAITRESS: 1.9,  # 0.53 of dd's faster disk write
        files.GET_STATIC: 1.0,
        files.GET_X_ACCEL: 1.2,  # 0.83 of static
    }.items():
        size.add(key, files.Run(seconds, rss_growth_mib=10.0 if key == files.POST_WAITRESS else None))
    size.add(files.POST_WAITRESS, files.Run(2.1, rss_growth_mib=70.0))
    size.add(files.POST_WAITRESS, files.Run(1.8, rss_growth_mib=5.0))
    judged = {goal.label: goal for goal in files.goals(size)}
    upload = judged[f"{files.LABELS[files.POST_WAITRESS]} / dd conv=fsync"]
    assert upload.value == 1 / 1.9  # the median of the runs
    assert upload.passed
    assert judged[f"{files.LABELS[files.PUT_NGINX]} / dd conv=fsync"].passed is None  # not measured
    size.add(files.DD_DIRECT, files.Run(0.9))
    size.add(files.DD_DIRECT, files.Run(0.9))
    slower = {goal.label: goal for goal in files.goals(size)}
    assert not slower[f"{files.LABELS[files.POST_WAITRESS]} / dd oflag=direct"].passed  # 0.47 of the faster
    assert not judged["X-Accel-Redirect / nginx static"].passed
    rss = judged["server RSS growth in an upload"]
    assert rss.value == 70.0  # the largest of the runs
    assert not rss.passed
    assert "FAIL" in rss.line()


def test_the_request_cost_command_measures_every_scenario():
    result = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "request_cost.py"),
            *("--backend", "sqlite", "--rows", "50", "--requests", "3", "--rounds", "1"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    measured = re.findall(r"^(S\d): (\d+\.\d+) ms of CPU per request$", result.stdout, re.MULTILINE)
    assert [name for name, _ in measured] == ["S1", "S2", "S3", "S4", "S5"]
    assert all(float(ms) > 0 for _, ms in measured)


def test_the_processes_benchmark_starts():
    assert "--processes" in help_of("processes.py")


def test_the_processes_benchmark_offers_a_fixed_rate_over_all_its_connections():
    processes = load("processes")
    assert processes.offered_rate(processes.parse_arguments([])) == {}
    offered = processes.parse_arguments(["--rate", "200", "--connections", "32"])
    assert processes.offered_rate(offered) == {"BENCH_DELAY_MS": "160"}
    with pytest.raises(SystemExit):
        processes.parse_arguments(["--rate", "0"])


def test_the_processes_benchmark_compares_cpu_per_request_with_the_fewest_processes():
    processes = load("processes")

    def figures(count: int, scenario: str, backrest_ms: float) -> object:
        cpu = {"backrest": backrest_ms, "nginx": 0.3, "PostgreSQL": 0.5}
        return processes.Figures(count, scenario, 1000, 500.0, 10.0, 20.0, 0, "200:1000", cpu)

    measured = [
        figures(1, "item GET", 1.0),
        figures(2, "item GET", 1.1),
        figures(4, "item GET", 1.5),
        figures(1, "list of 20", 2.0),
        figures(4, "list of 20", 2.0),
    ]
    lines = processes.flatness(measured).splitlines()
    assert lines == [
        "item GET: backrest CPU per request over that of 1: 2: 1.10, 4: 1.50",
        "list of 20: backrest CPU per request over that of 1: 4: 1.00",
    ]
    table = processes.table(measured)
    assert len(table.splitlines()) == 2 + len(measured)
    assert "backrest CPU ms/req" in table.splitlines()[0]
