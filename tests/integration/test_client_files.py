"""Typed methods that take files, called by ``backrest.client`` and the ``backrest`` command over real HTTP.

The server runs the test application (``tests/testapp``), whose
``testing.checksum`` reads a file through and answers its SHA-256. A file
of ``BIG`` bytes goes through both ends a chunk at a time: the client's
allocations stay under ``MEMORY_BOUND``, and the server's resident memory
(its peak, ``VmHWM``, measured as the file benchmarks measure it) grows by
far less than the file.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from backrest.client import API, ValidationError
from tests.integration.test_client import BIG, MEMORY_BOUND, MIB, Noise, peak_allocation, serving
from tests.integration.test_client_cli import answer, client, failure
from tests.test_benchmarks import load

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.integration.test_client import Site

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

REPOSITORY = Path(__file__).resolve().parents[2]
SERVER_GROWTH_BOUND_MIB = BIG / MIB / 2
"""How much the server's resident memory may grow while it takes a file of ``BIG`` bytes."""
files_benchmark = load("files")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Site]:
    """A server of the test application, taking files of up to twice ``BIG`` bytes."""
    settings = {"pyramid.includes": "tests.testapp", "backrest.files.max_size": str(2 * BIG)}
    with contextlib.ExitStack() as stack:
        with pytest.MonkeyPatch.context() as environment:
            # The server process imports the test application from the repository.
            environment.setenv("PYTHONPATH", str(REPOSITORY), prepend=os.pathsep)
            site = stack.enter_context(
                serving(tmp_path_factory.mktemp("client-files-server"), database_url, **settings)
            )
        yield site


@pytest.fixture
def api(site: Site) -> Iterator[API]:
    with API(site.url, [site.credentials]) as api:
        yield api


def temporary_files(site: Site) -> list[Path]:
    return list((site.server.log_path.parent / "var" / "files" / "tmp").iterdir())


def test_a_big_file_streams_through_the_client_and_the_server(site, api):
    pid = site.server.process.pid
    # The first call loads what calls need: it is not the upload's to count.
    api.testing.checksum(file=io.BytesIO(b"warm-up"), label="warm-up")
    if not files_benchmark.reset_peak(pid):
        pytest.skip("the peak of resident memory cannot be reset here (/proc/PID/clear_refs)")
    before = files_benchmark.memory_mib(pid, "VmHWM")
    noise = Noise(BIG)
    checked, peak = peak_allocation(
        lambda: api.testing.checksum(file=("noise.bin", noise, "application/octet-stream"), label="noise")
    )
    growth = files_benchmark.memory_mib(pid, "VmHWM") - before
    assert (checked.filename, checked.size, checked.label) == ("noise.bin", BIG, "noise")
    assert checked.sha256 == noise.sha256.hexdigest()
    assert peak < MEMORY_BOUND
    assert growth < SERVER_GROWTH_BOUND_MIB, f"the server grew by {growth:.1f} MiB"
    assert temporary_files(site) == []


def test_paths_and_file_objects_with_other_arguments(site, api, tmp_path):
    report = tmp_path / "report.csv"
    report.write_bytes(b"quarter,revenue\nQ3,23.42\n")
    checked = api.testing.checksum(file=report, label="Q3", address={"city": "Paris"})
    assert (checked.filename, checked.size, checked.address.city) == ("report.csv", 25, "Paris")
    with report.open("rb") as file:
        described = api.testing.describe_files(files=[file, ("b.png", io.BytesIO(b"\x89PNG"), "image/png")])
    assert [(each.filename, each.content_type) for each in described] == [
        ("report.csv", "text/csv"),
        ("b.png", "image/png"),
    ]
    assert api.testing.describe_files() == []
    with pytest.raises(ValidationError) as refused:
        api.testing.checksum(file="report.csv", label="Q3")
    assert [error["name"] for error in refused.value.errors] == ["file"]
    assert temporary_files(site) == []


def test_the_command_line_sends_at_paths_as_files(site, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    report = tmp_path / "report.csv"
    report.write_bytes(b"quarter,revenue\nQ3,23.42\n")
    checked = answer(
        client(site, home, "call", "testing.checksum", f"file=@{report}", "label=@@Q3", BACKREST_KEY=site.key)
    )
    assert (checked["filename"], checked["size"], checked["label"]) == ("report.csv", 25, "@Q3")
    missing = tmp_path / "missing.csv"
    assert f"{missing}: No such file or directory" in failure(
        client(site, home, "call", "testing.checksum", f"file=@{missing}", "label=x", BACKREST_KEY=site.key)
    )
