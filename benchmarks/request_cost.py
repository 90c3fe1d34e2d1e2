"""Where one request's CPU goes: the side-by-side scenarios, in process, with cProfile.

From the repository's root:

    .venv/bin/python benchmarks/request_cost.py                    # every scenario on PostgreSQL, CPU ms each
    .venv/bin/python benchmarks/request_cost.py S1 --profile 25    # and the 25 costliest functions of S1
    .venv/bin/python benchmarks/request_cost.py --backend sqlite --requests 2000

It makes a throwaway database (PostgreSQL from ``tests/servers.py``, or a
temporary SQLite file), the schema, one user with ``--rows`` documents and
an API key, builds the application with the side-by-side benchmark's
settings (``benchmarks/compare/wsgi.py``), and calls it as a WSGI server
would, on one thread, with the benchmark's requests (``Authorization:
Token``): S1 item GET, S2 a list page of 20 with its count, S3 PATCH, S4
POST, S5 item GET answered 304. It prints the server CPU milliseconds per
request of each (``time.process_time``, the best of ten rounds of 200), which is what
bounds the rate of a process on one core; ``--profile N`` adds cProfile's N
costliest functions by their own time and cumulative time. No HTTP server and no
load generator: the figures leave out waitress's parsing, which every
target pays alike.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webtest import TestApp  # noqa: E402

import backrest  # noqa: E402
from benchmarks import seed  # noqa: E402
from benchmarks.compare.settings import SETTINGS  # noqa: E402
from tests.servers import postgresql_server  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

SCENARIOS = ("S1", "S2", "S3", "S4", "S5")


@contextlib.contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "postgresql":
        with postgresql_server() as url:
            yield url
    else:
        with tempfile.TemporaryDirectory(prefix="backrest-profile-") as directory:
            yield f"sqlite:///{directory}/profile.sqlite"


def application(url: str) -> Any:
    driver_url = url.replace("postgresql:", "postgresql+psycopg:")
    return backrest.main({}, **{**SETTINGS, "sqlalchemy.url": driver_url})


def seeded(app: Any, rows: int) -> tuple[list[str], str]:
    """The documents' ids and the ``Authorization`` header of an API key of their owner."""
    engine = app.registry["db_engine"]
    seed.migrate(engine)
    owner = seed.create_user(engine, app.registry["passwords"].hash(seed.PASSWORD))
    ids = seed.seed_documents(engine, rows, owner)
    browser = TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    login = browser.put_json("/-/login", {"login": seed.EMAIL, "password": seed.PASSWORD})
    made = browser.post_json(
        "/-/keys", {"name": "profile"}, headers={"X-CSRF-Token": login.json["csrf_token"]}
    )
    return ids, f"Token {made.json['key']}"


class Caller:
    """Calls the application as waitress does, with the least work of its own."""

    def __init__(self, app: Any, authorization: str) -> None:
        self.app = app
        self.authorization = authorization
        self.status = ""
        self.headers: dict[str, str] = {}

    def _start_response(self, status: str, headers: list[tuple[str, str]], _exc_info: Any = None) -> None:
        self.status = status
        self.headers = dict(headers)

    def __call__(self, method: str, path: str, body: bytes = b"", **headers: str) -> str:
        """The answer's status line; its headers are left in ``self.headers``."""
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8100",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8100",
            "HTTP_AUTHORIZATION": self.authorization,
            "HTTP_ACCEPT": "*/*",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        if body:
            environ["CONTENT_TYPE"] = "application/json"
            environ["CONTENT_LENGTH"] = str(len(body))
        environ.update({f"HTTP_{name.upper()}": value for name, value in headers.items()})
        b"".join(self.app(environ, self._start_response))
        return self.status


def scenario(name: str, call: Caller, ids: list[str]) -> Callable[[], None]:
    """One request of the scenario, checked, ready to be repeated."""
    draw = random.Random(1).choice  # noqa: S311 - which document, not a secret
    expected = {"S1": "200", "S2": "200", "S3": "200", "S4": "201", "S5": "304"}[name]
    etags = {}
    if name == "S5":
        for one in ids[:200]:
            call("GET", f"/-/documents/{one}")
            etags[one] = call.headers["ETag"]
    tagged = list(etags)

    def request() -> None:
        if name == "S1":
            status = call("GET", f"/-/documents/{draw(ids)}")
        elif name == "S2":
            status = call("GET", "/-/documents/?page=1&ordering=-modified")
        elif name == "S3":
            body = json.dumps({"title": f"Title {random.random()}"}).encode()  # noqa: S311
            status = call("PATCH", f"/-/documents/{draw(ids)}", body)
        elif name == "S4":
            body = json.dumps({"title": "A note", "body": "Some words " * 30}).encode()
            status = call("POST", "/-/documents/", body)
        else:
            one = draw(tagged)
            status = call("GET", f"/-/documents/{one}", if_none_match=etags[one])
        if not status.startswith(expected):
            msg = f"{name}: {status}"
            raise AssertionError(msg)

    return request


def cpu_ms(request: Callable[[], None], count: int, rounds: int) -> float:
    """The least CPU a request took, over ``rounds`` rounds of ``count``: a busy neighbour only adds."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(count):
            request()
        best = min(best, (time.process_time() - started) / count * 1000)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="S1 to S5 (all by default)")
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200, help="per round")
    parser.add_argument("--rounds", type=int, default=10, help="the best round counts")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the N costliest functions")
    arguments = parser.parse_args(argv)
    with database(arguments.backend) as url:
        app = application(url)
        ids, authorization = seeded(app, arguments.rows)
        call = Caller(app, authorization)
        for name in arguments.scenarios or SCENARIOS:
            request = scenario(name, call, ids)
            for _ in range(100):
                request()
            spent = cpu_ms(request, arguments.requests, arguments.rounds)
            print(f"{name}: {spent:.3f} ms of CPU per request")
            if arguments.profile:
                profiler = cProfile.Profile(time.process_time)  # CPU, not the waits on the database
                profiler.runcall(lambda request=request: [request() for _ in range(arguments.requests)])
                for order in ("tottime", "cumulative"):
                    out = io.StringIO()
                    pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(arguments.profile)
                    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
